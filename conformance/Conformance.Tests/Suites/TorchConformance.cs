using Conformance.Backends.TorchSharp;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

/// <summary>libtorch through the suite: every op, forward and backward.</summary>
public sealed class TorchConformance : ConformanceSuite<TorchBackend> { }

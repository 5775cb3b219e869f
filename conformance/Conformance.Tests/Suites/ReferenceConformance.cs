using Conformance.Core.Backends;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

/// <summary>The reference run through the suite as a backend: every case must pass with ratio 0.</summary>
public sealed class ReferenceConformance : ConformanceSuite<ReferenceBackend> { }

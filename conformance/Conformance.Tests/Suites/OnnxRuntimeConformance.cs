using Conformance.Backends.OnnxRuntime;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

/// <summary>ONNX Runtime through the suite: forward ops checked, backward ops skipped as unsupported.</summary>
public sealed class OnnxRuntimeConformance : ConformanceSuite<OnnxRuntimeBackend> { }

namespace Conformance.Backends.OnnxRuntime;

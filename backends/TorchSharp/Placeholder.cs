namespace Conformance.Backends.TorchSharp;

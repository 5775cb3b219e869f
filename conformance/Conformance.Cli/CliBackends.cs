using Conformance.Core.Backends;

namespace Conformance.Cli;

/// <summary>The backends the command line knows by name.</summary>
public static class CliBackends
{
    /// <summary>Assembly-qualified names of the backends built beside the CLI, resolved only when one is asked for.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltIn = new Dictionary<string, string>
    {
        ["torchsharp"] = "Conformance.Backends.TorchSharp.TorchBackend, Conformance.Backends.TorchSharp",
        ["onnxruntime"] = "Conformance.Backends.OnnxRuntime.OnnxRuntimeBackend, Conformance.Backends.OnnxRuntime",
        ["ilgpu-cpu"] = "Conformance.Backends.Ilgpu.IlgpuCpuBackend, Conformance.Backends.Ilgpu",
        ["ilgpu-cuda"] = "Conformance.Backends.Ilgpu.IlgpuCudaBackend, Conformance.Backends.Ilgpu",
    };

    /// <summary>reference, torchsharp, onnxruntime, ilgpu-cpu and ilgpu-cuda.</summary>
    public static BackendRegistry CreateRegistry()
    {
        // By name rather than by reference: each backend is loaded only when named, so a
        // missing native library breaks that backend alone, not the whole tool.
        var registry = BackendRegistry.CreateDefault();
        foreach (var (name, type) in BuiltIn) registry.RegisterType(name, type);
        return registry;
    }
}

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

    /// <summary>
    /// The ILGPU backends with one convolution kernel version forced (the plain names pick a
    /// version per pass and shape): each version testable and timed by name. Left out of
    /// <c>--backend all</c>, which would otherwise run the same kernels two or three times.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Variants = new Dictionary<string, string>
    {
        ["ilgpu-cpu-v1"] = "Conformance.Backends.Ilgpu.IlgpuCpuV1Backend, Conformance.Backends.Ilgpu",
        ["ilgpu-cpu-v2"] = "Conformance.Backends.Ilgpu.IlgpuCpuV2Backend, Conformance.Backends.Ilgpu",
        ["ilgpu-cpu-v3"] = "Conformance.Backends.Ilgpu.IlgpuCpuV3Backend, Conformance.Backends.Ilgpu",
        ["ilgpu-cpu-v4"] = "Conformance.Backends.Ilgpu.IlgpuCpuV4Backend, Conformance.Backends.Ilgpu",
        ["ilgpu-cuda-v1"] = "Conformance.Backends.Ilgpu.IlgpuCudaV1Backend, Conformance.Backends.Ilgpu",
        ["ilgpu-cuda-v2"] = "Conformance.Backends.Ilgpu.IlgpuCudaV2Backend, Conformance.Backends.Ilgpu",
        ["ilgpu-cuda-v3"] = "Conformance.Backends.Ilgpu.IlgpuCudaV3Backend, Conformance.Backends.Ilgpu",
        ["ilgpu-cuda-v4"] = "Conformance.Backends.Ilgpu.IlgpuCudaV4Backend, Conformance.Backends.Ilgpu",
    };

    /// <summary>reference, torchsharp, onnxruntime, ilgpu-cpu and ilgpu-cuda, and the ILGPU variants ilgpu-cpu-v1 to -v4 and ilgpu-cuda-v1 to -v4.</summary>
    public static BackendRegistry CreateRegistry()
    {
        // By name rather than by reference: each backend is loaded only when named, so a
        // missing native library breaks that backend alone, not the whole tool.
        var registry = BackendRegistry.CreateDefault();
        foreach (var (name, type) in BuiltIn) registry.RegisterType(name, type);
        foreach (var (name, type) in Variants) registry.RegisterVariantType(name, type);
        return registry;
    }
}

using Conformance.Backends.Ilgpu;
using Conformance.Backends.OnnxRuntime;
using Conformance.Backends.TorchSharp;
using Conformance.Core.Backends;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

/// <summary>The double reference against its own goldens: the chained check and the tolerances hold with margin.</summary>
public sealed class ReferenceVgg16 : Vgg16GoldenSuite<ReferenceBackend> { }

/// <summary>libtorch, forward and training step.</summary>
public sealed class TorchVgg16 : Vgg16GoldenSuite<TorchBackend> { }

/// <summary>ONNX Runtime, forward (it has no backward ops: the training step is a skip).</summary>
public sealed class OnnxRuntimeVgg16 : Vgg16GoldenSuite<OnnxRuntimeBackend> { }

/// <summary>Our ILGPU kernels on ILGPU's CPU accelerator, a thread-by-thread simulator: slow, so out of the default run.</summary>
public sealed class IlgpuCpuVgg16 : Vgg16GoldenSuite<IlgpuCpuBackend>
{
    /// <inheritdoc />
    protected override string? SlowBecause =>
        "VGG16 on ILGPU's CPU simulator takes about 6 minutes per forward pass and 20 for the training step on 2 cores";
}

/// <summary>Our ILGPU kernels on CUDA: a skip without a device.</summary>
public sealed class IlgpuCudaVgg16 : Vgg16GoldenSuite<IlgpuCudaBackend> { }

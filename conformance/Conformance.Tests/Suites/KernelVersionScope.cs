using Conformance.Backends.Ilgpu;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

/// <summary>
/// An ILGPU backend with one convolution kernel version forced, as its whole-suite class runs it on
/// the CPU accelerator: the backend itself (name, capabilities, every call passed through), with the
/// default mode leaving out the larger half of the quarter-size VGG16 convolutions and dense layers.
/// Why: the simulator pays per simulated thread and barrier, and four kernel versions each running
/// every VGG16 layer cost most of CI's 10 minutes (v2's backward passes alone took 208 s). Kept in
/// every mode, for every version: block1_conv1 (3 input channels), block1_conv2 (the largest
/// image), block3_conv1 (channels 128 → 256), block5_conv1 (4,608-term reductions on a 4×4 image)
/// and fc1, forward and backward; every edge, lecture, special and random case runs too.
/// <c>CONFORMANCE_MODE=thorough</c> runs all of them (and the full-size layers).
/// </summary>
public class KernelVersionScope<TInner> : IRecoverableBackend, ISuiteScope where TInner : IlgpuBackend, new()
{
    private readonly TInner _inner = new();

    /// <summary>The VGG16 layers every version runs in the default mode.</summary>
    public static readonly IReadOnlySet<string> DefaultLayers = new HashSet<string>(StringComparer.Ordinal)
    {
        "block1_conv1", "block1_conv2", "block3_conv1", "block5_conv1", "fc1",
    };

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public BackendCapabilities Capabilities => _inner.Capabilities;

    /// <summary>The backend under test.</summary>
    public TInner Inner => _inner;

    /// <inheritdoc />
    public Support Supports(OpCall call) => _inner.Supports(call);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call) => _inner.Evaluate(call);

    /// <inheritdoc />
    public void Recover(string cause) => _inner.Recover(cause);

    /// <inheritdoc />
    public virtual string? LeftOut(ConformanceCase c) =>
        SuiteSettings.Mode != SuiteMode.Thorough && c.Group == "vgg16"
        && c.Op is "conv2d_layer" or "conv2d_layer_backward" or "dense" or "dense_backward"
        && !DefaultLayers.Contains(c.Id[(c.Id.LastIndexOf('/') + 1)..])
            ? $"{Name} runs 5 of the 12 VGG16 convolution and dense layers in the default mode (CI time on the CPU simulator); "
              + "CONFORMANCE_MODE=thorough runs them all"
            : null;

    /// <inheritdoc />
    public void Dispose()
    {
        _inner.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>ilgpu-cpu-v1 as its suite class runs it.</summary>
public sealed class IlgpuCpuV1Scope : KernelVersionScope<IlgpuCpuV1Backend>;

/// <summary>ilgpu-cpu-v2 as its suite class runs it.</summary>
public sealed class IlgpuCpuV2Scope : KernelVersionScope<IlgpuCpuV2Backend>;

/// <summary>
/// ilgpu-cpu-v3 as its suite class runs it: in the default mode also without the lecture's three
/// full-size images with one to four output channels (the 368×487 colour image, the 512×512 Sobel
/// images), whose GEMMs fill 1/32 to 1/128 of v3's 128-column tile: the 256-thread simulator took
/// 102 s of CI for them. Their reduced and 6×6 versions run here, and v1 and v2 run them whole.
/// </summary>
public sealed class IlgpuCpuV3Scope : KernelVersionScope<IlgpuCpuV3Backend>
{
    /// <summary>The cases left out of the default mode for their cost on the simulator.</summary>
    public static readonly IReadOnlySet<string> ThinFullSizeImages = new HashSet<string>(StringComparer.Ordinal)
    {
        "conv2d_layer/lecture/colour-9x9x3x4-368x487", "conv2d/lecture/sobel-x-512-valid", "conv2d/lecture/sobel-y-512-reversal",
    };

    /// <inheritdoc />
    public override string? LeftOut(ConformanceCase c) =>
        SuiteSettings.Mode != SuiteMode.Thorough && ThinFullSizeImages.Contains(c.Id)
            ? $"{Name} runs the lecture's full-size images with 1 to 4 output channels in thorough mode only (CI time on the CPU simulator); "
              + "their reduced versions run here, and v1 and v2 run them whole"
            : base.LeftOut(c);
}

/// <summary>
/// ilgpu-cpu-v4 as its suite class runs it: conv2d_layer and its backward, where Winograd runs
/// (every other op and pass is v2's kernels, which IlgpuCpuV2Conformance runs).
/// </summary>
public sealed class IlgpuCpuV4Scope : KernelVersionScope<IlgpuCpuV4Backend>
{
    /// <inheritdoc />
    public override string? LeftOut(ConformanceCase c) => c.Op is not ("conv2d_layer" or "conv2d_layer_backward")
        ? $"{Name} runs v2's kernels for every op but conv2d_layer and conv2d_layer_backward, and IlgpuCpuV2Conformance runs those"
        : !(c.Shapes.TryGetValue("w", out var w) && WinogradMagnitudes.IsEligible(c.Op, w, c.Attributes))
            ? $"{Name} runs v2's kernels for conv2d_layer calls Winograd F(2×2,3×3) does not take (not 3×3, stride or dilation not 1), "
              + "and IlgpuCpuV2Conformance runs those"
            : base.LeftOut(c);
}

using Conformance.Backends.Ilgpu;
using Conformance.Backends.Ilgpu.Kernels;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Reference;
using ILGPU.Runtime.CPU;
using Xunit;

namespace Conformance.Tests.Backends;

/// <summary>
/// ilgpu-cuda's Auto dispatch, which differs from ilgpu-cpu's because CUDA's groups hold 256 threads:
/// v3 where it measured faster and Winograd (v4) where <see cref="ConvGemmPlan.PrefersWinograd"/>, with
/// calls holding NaN or ±∞ run direct. CI has no GPU, so the dispatch runs here on the 256-thread CPU
/// simulator, and each Auto result is compared bit for bit with the forced version that
/// <see cref="ConvGemmPlan.Dispatch"/> names (each forced version is judged by its own suite class).
/// </summary>
public sealed class IlgpuWideAutoTests
{
    private static readonly OpAttributes Same = OpAttributes.Default with { Padding = Padding.Same };

    /// <summary>ilgpu-cpu's Auto on the 256-thread simulator: the dispatch and declaration ilgpu-cuda has.</summary>
    private sealed class WideAutoBackend : IlgpuCpuBackend
    {
        public override string Name => "ilgpu-cpu-wide-auto";

        protected override CPUDevice Device => SimulatorV3;
    }

    private static readonly Lazy<WideAutoBackend> Wide = new(() => new WideAutoBackend());
    private static readonly Lazy<IlgpuCpuV4Backend> V4 = new(() => new IlgpuCpuV4Backend());
    private static readonly Lazy<IlgpuCpuV3Backend> V3 = new(() => new IlgpuCpuV3Backend());
    private static readonly Lazy<IlgpuCpuV2Backend> V2 = new(() => new IlgpuCpuV2Backend());
    private static readonly Lazy<IlgpuCpuV1Backend> V1 = new(() => new IlgpuCpuV1Backend());

    /// <summary>The 13 convolutions of VGG16 (3×3, same, stride 1) at batch 64.</summary>
    public static IEnumerable<object[]> Vgg16Layers => IlgpuKernelVersionTests.Vgg16Layers;

    [Theory]
    [MemberData(nameof(Vgg16Layers))]
    public void WideAutoTakesWinogradOnEveryVgg16PassButBlock1Conv1sForwardAndWeights(string layer, int size, int cin, int cout)
    {
        // From the H200 run of 2026-11-26 (perf/reports/nvidia-h200-2026-11-26-v4-conv-passes-b64.md): with 3
        // input channels v2 was 3.3× (forward) and 3.5× (weights) faster than Winograd; everywhere else v4 won.
        var p = DeviceGeometry.Layer([64, size, size, cin], [3, 3, cin, cout], false, Same);
        foreach (var pass in Enum.GetValues<ConvPass>())
        {
            var expected = cin == 3 && pass != ConvPass.BackwardData ? ConvGemmPlan.Choose(KernelVersion.Auto, pass, p, wideGroups: true) : KernelVersion.V4;
            Assert.Equal(expected, ConvGemmPlan.Dispatch(KernelVersion.Auto, pass, p, wideGroups: true));
            // The CPU simulator's 64-thread groups, and Auto without Winograd, never take it.
            Assert.NotEqual(KernelVersion.V4, ConvGemmPlan.Dispatch(KernelVersion.Auto, pass, p));
            Assert.NotEqual(KernelVersion.V4, ConvGemmPlan.Dispatch(KernelVersion.AutoDirect, pass, p, wideGroups: true));
            Assert.Equal(ConvGemmPlan.Choose(KernelVersion.Auto, pass, p, wideGroups: true), ConvGemmPlan.Choose(KernelVersion.AutoDirect, pass, p, wideGroups: true));
        }
        Assert.Equal(cin == 3 ? KernelVersion.V2 : KernelVersion.V4, ConvGemmPlan.Dispatch(KernelVersion.Auto, ConvPass.Forward, p, wideGroups: true));
        _ = layer;
    }

    [Fact]
    public void WinogradNeedsSixtyFourChannelsPerGroupAnEligibleKernelAndWideGroups()
    {
        var grouped = DeviceGeometry.Layer([4, 16, 16, 128], [3, 3, 32, 128], false, Same with { Groups = 4 });
        var strided = DeviceGeometry.Layer([4, 16, 16, 64], [3, 3, 64, 64], false, Same with { Strides = Pair.Of(2) });
        var fiveByFive = DeviceGeometry.Layer([4, 16, 16, 64], [5, 5, 64, 64], false, Same);
        foreach (var p in new[] { grouped, strided, fiveByFive })
            foreach (var pass in Enum.GetValues<ConvPass>())
                Assert.NotEqual(KernelVersion.V4, ConvGemmPlan.Dispatch(KernelVersion.Auto, pass, p, wideGroups: true));
        Assert.Equal(64, ConvGemmPlan.WinogradMinChannels);
    }

    [Fact]
    public void WideAutoDeclaresWinogradForConv2dLayerOnlyAndStillSupportsEveryCall()
    {
        var caps = Wide.Value.Capabilities;
        Assert.Equal(ConvolutionAlgorithm.WinogradF2x2K3x3, caps.PrecisionOf("conv2d_layer").Algorithm);
        Assert.Equal(ConvolutionAlgorithm.WinogradF2x2K3x3, caps.PrecisionOf("conv2d_layer_backward").Algorithm);
        Assert.Equal(ConvolutionAlgorithm.Direct, caps.PrecisionOf("conv2d").Algorithm);
        Assert.Equal(ConvolutionAlgorithm.Direct, caps.PrecisionOf("dense").Algorithm);
        // ilgpu-cpu (64-thread groups) never runs Winograd under Auto, so it declares direct summation.
        Assert.Equal(ConvolutionAlgorithm.Direct, Narrow(b => b.Capabilities.PrecisionOf("conv2d_layer").Algorithm));
        var call = Call(new Random(3), 64, 64, specialAt: 2);
        Assert.True(Wide.Value.Supports(call).IsSupported);
        Assert.False(V4.Value.Supports(call).IsSupported);
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(64, 8)]
    [InlineData(8, 64)]
    public void WideAutoIsBitwiseTheForcedVersionDispatchNames(int cin, int cout)
    {
        var call = Call(new Random(11 * cin + cout), cin, cout);
        var back = Backward(call);
        var p = DeviceGeometry.Layer(call.Inputs["x"].Shape, call.Inputs["w"].Shape, false, call.Attributes);
        var y = Wide.Value.Evaluate(call)["y"];
        var grads = Wide.Value.Evaluate(back);
        Assert.Equal(Forced(ConvPass.Forward, p).Evaluate(call)["y"].Data, y.Data);
        Assert.Equal(Forced(ConvPass.BackwardData, p).Evaluate(back)["dx"].Data, grads["dx"].Data);
        Assert.Equal(Forced(ConvPass.BackwardWeights, p).Evaluate(back)["dw"].Data, grads["dw"].Data);
    }

    [Fact]
    public void AnInfiniteInputRunsDirectSoNoInfinityMinusInfinityAppears()
    {
        // x[1,6,6,64] with +∞ at (2,2,0): per-term arithmetic makes the outputs whose 3×3 window holds it ±∞
        // (one infinite term each, random nonzero weights), rows and columns 1–3, and the rest finite. Winograd
        // F(2×2,3×3) forms ∞ − ∞ there: forced v4 gave NaN in 5 to 7 of those 9 outputs per channel.
        var call = Call(new Random(5), 64, 64, specialAt: 2, special: double.PositiveInfinity);
        var y = Wide.Value.Evaluate(call)["y"];
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                for (int o = 0; o < 64; o++)
                {
                    double v = y.Data[(i * 6 + j) * 64 + o];
                    bool window = Math.Abs(i - 2) <= 1 && Math.Abs(j - 2) <= 1;
                    Assert.True(window ? double.IsInfinity(v) : double.IsFinite(v), $"y[0,{i},{j},{o}] = {v}");
                }
        var back = Wide.Value.Evaluate(Backward(call));
        Assert.All(back["dx"].Data, v => Assert.True(double.IsFinite(v)));
        Assert.Contains(back["dw"].Data, double.IsInfinity);
        Assert.DoesNotContain(back["dw"].Data, double.IsNaN);
    }

    private static IlgpuBackend Forced(ConvPass pass, ConvShape p) => ConvGemmPlan.Dispatch(KernelVersion.Auto, pass, p, wideGroups: true) switch
    {
        KernelVersion.V4 => V4.Value,
        KernelVersion.V3 => V3.Value,
        KernelVersion.V2 => V2.Value,
        _ => V1.Value,
    };

    private static T Narrow<T>(Func<IlgpuCpuBackend, T> of)
    {
        using var b = new IlgpuCpuBackend();
        return of(b);
    }

    private static OpCall Call(Random rng, int cin, int cout, int specialAt = -1, double special = double.NaN)
    {
        var x = Random(rng, 1, 6, 6, cin);
        if (specialAt >= 0) x.Data[(specialAt * 6 + specialAt) * cin] = special;
        return new OpCall("conv2d_layer", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = Random(rng, 3, 3, cin, cout) }, Same);
    }

    private static OpCall Backward(OpCall forward)
    {
        var x = forward.Inputs["x"];
        int cout = forward.Inputs["w"].Shape[3];
        var dy = Random(new Random(x.Length), 1, 6, 6, cout);
        return new OpCall("conv2d_layer_backward", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = forward.Inputs["w"], ["dy"] = dy }, forward.Attributes);
    }

    private static Tensor Random(Random rng, params int[] shape) => Numerics.WinogradBoundTests.Random(rng, shape);
}

using Conformance.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Conformance.Backends.Ilgpu;

/// <summary>
/// The convolution passes on device memory, each in the version <see cref="ConvGemmPlan.Choose"/>
/// picks: what <see cref="IlgpuOps"/> runs for the convolution ops and what the kernel benchmark
/// times. Every method launches asynchronously; temporaries (v2's and v3's B matrix and split partials; v4's transformed tensors live in DeviceState.Scratch) are
/// freed only after the device has finished with them.
/// </summary>
public static class ConvPasses
{
    /// <summary>y = conv(x, w) (+ bias); <paramref name="bias"/> is read only when p.HasBias is 1.</summary>
    public static void Forward(DeviceState s, KernelVersion version, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> y, ConvShape p)
    {
        if (ConvGemmPlan.UsesWinograd(version, p, backward: false, ConvGemmPlan.WideGroups(s)))
        {
            Winograd(s, x, w, bias, y, ConvGemmPlan.Winograd(p, backward: false));
            return;
        }
        var v = ConvGemmPlan.Choose(version, ConvPass.Forward, p, ConvGemmPlan.WideGroups(s));
        if (v == KernelVersion.V1)
        {
            s.Kernels.ConvForward(p.OutputLength, x, w, bias, y, p);
            return;
        }
        var g = ConvGemmPlan.Forward(p);
        if (p.Reversal == 0)
        {
            GemmForward(s, v, x, w, bias, y, g);
            return;
        }
        using var flipped = s.Allocate(p.WeightLength);
        s.Kernels.WeightsAsGemm(p.WeightLength, w, flipped.View, Layout(p, transpose: false));
        GemmForward(s, v, x, flipped.View, bias, y, g);
        s.Accelerator.Synchronize();
    }

    /// <summary>dx from w and dy.</summary>
    public static void BackwardData(DeviceState s, KernelVersion version, ArrayView<float> w, ArrayView<float> dy, ArrayView<float> dx, ConvShape p)
    {
        if (ConvGemmPlan.UsesWinograd(version, p, backward: true, ConvGemmPlan.WideGroups(s)))
        {
            Winograd(s, dy, w, dy, dx, ConvGemmPlan.Winograd(p, backward: true));
            return;
        }
        var v = ConvGemmPlan.Choose(version, ConvPass.BackwardData, p, ConvGemmPlan.WideGroups(s));
        if (v == KernelVersion.V1)
        {
            s.Kernels.ConvBackwardData(p.InputLength, w, dy, dx, p);
            return;
        }
        var g = ConvGemmPlan.BackwardData(p);
        using var transposed = s.Allocate(p.WeightLength);
        s.Kernels.WeightsAsGemm(p.WeightLength, w, transposed.View, Layout(p, transpose: true));
        GemmForward(s, v, dy, transposed.View, dy, dx, g);
        s.Accelerator.Synchronize();
    }

    /// <summary>dw from x and dy.</summary>
    public static void BackwardWeights(DeviceState s, KernelVersion version, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ConvShape p)
    {
        if (ConvGemmPlan.UsesWinogradWeights(version, p, ConvGemmPlan.WideGroups(s)))
        {
            WinogradWeights(s, x, dy, dw, ConvGemmPlan.Winograd(p, backward: false));
            return;
        }
        var v = ConvGemmPlan.Choose(version, ConvPass.BackwardWeights, p, ConvGemmPlan.WideGroups(s));
        if (v == KernelVersion.V1)
        {
            s.Kernels.ConvBackwardWeights(p.WeightLength, x, dy, dw, p);
            return;
        }
        var g = ConvGemmPlan.BackwardWeights(p, v);
        using var partials = s.Allocate(g.Splits * p.WeightLength);
        var config = Config(ConvGemmPlan.WeightsGrid(g, v), v);
        if (v == KernelVersion.V3) s.Kernels.GemmBackwardWeightsV3(config, x, dy, partials.View, g);
        else s.Kernels.GemmBackwardWeights(config, x, dy, partials.View, g);
        var reduce = new ReduceShape
        {
            Splits = g.Splits, K1 = p.K1, K2 = p.K2, Channels = p.CinPerGroup, Columns = p.Cout, Reversal = p.Reversal,
        };
        s.Kernels.ReduceSplits(p.WeightLength, partials.View, dw, reduce);
        s.Accelerator.Synchronize();
    }

    /// <summary>db = the column sums of dy; v2 (split sums) with backward weights.</summary>
    public static void BackwardBias(DeviceState s, KernelVersion version, ArrayView<float> dy, ArrayView<float> db, ConvShape p)
    {
        if (ConvGemmPlan.Choose(version, ConvPass.BackwardWeights, p, ConvGemmPlan.WideGroups(s)) == KernelVersion.V1)
        {
            s.Kernels.ConvBackwardBias(p.Cout, dy, db, p);
            return;
        }
        var r = ConvGemmPlan.BiasSplits(p);
        using var partials = s.Allocate(r.Splits * p.Cout);
        s.Kernels.BiasPartials(r.Splits * p.Cout, dy, partials.View, r);
        s.Kernels.ReduceSplits(p.Cout, partials.View, db, r);
        s.Accelerator.Synchronize();
    }

    /// <summary>
    /// v4: the Winograd F(2×2,3×3) correlation <paramref name="p"/> of <paramref name="t"/> (x, or dy for
    /// backward data) with the layer's kernel <paramref name="w"/> into <paramref name="y"/>: filter and
    /// input transforms, the 16 products as one batched v2 GEMM, the output transform (with the bias).
    /// </summary>
    private static void Winograd(DeviceState s, ArrayView<float> t, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y,
        WinogradShape p)
    {
        var g = ConvGemmPlan.WinogradGemm(p);
        var u = s.Scratch(ScratchFilter, WinogradKernels.Points * p.GroupIn * p.OutChannels);
        var v = s.Scratch(ScratchInput, WinogradKernels.Points * p.Tiles * p.InChannels);
        var m = s.Scratch(ScratchProducts, WinogradKernels.Points * p.Tiles * p.OutChannels);
        s.Kernels.WinogradFilter(p.GroupIn * p.OutChannels, w, u, p);
        s.Kernels.WinogradInput(p.Tiles * p.InChannels, t, v, p);
        GemmForward(s, ConvGemmPlan.WinogradGemmVersion(ConvPass.Forward, g, ConvGemmPlan.WideGroups(s)), v, u, bias, m, g);
        s.Kernels.WinogradOutput(p.Tiles * p.OutChannels, m, bias, y, p);
        s.Accelerator.Synchronize();
    }

    /// <summary>
    /// v4's backward weights, Winograd F(2×2,3×3) transposed: V = Bᵀ x B per tile (as forward), Ŷ = A dy Aᵀ
    /// per 2×2 tile of dy, the 16 sums over tiles of V ⊙ Ŷ as one split-K v2 GEMM and its split
    /// reduction, then dw = Gᵀ S G per (channel, output channel).
    /// </summary>
    private static void WinogradWeights(DeviceState s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, WinogradShape p)
    {
        var gemm = ConvGemmPlan.WinogradGemmVersion(ConvPass.BackwardWeights, ConvGemmPlan.WinogradGemm(p), ConvGemmPlan.WideGroups(s));
        var g = ConvGemmPlan.WinogradWeightsGemm(p, gemm);
        int transformed = WinogradKernels.Points * p.GroupIn * p.OutChannels;
        var v = s.Scratch(ScratchInput, WinogradKernels.Points * p.Tiles * p.InChannels);
        var gy = s.Scratch(ScratchProducts, WinogradKernels.Points * p.Tiles * p.OutChannels);
        var partials = s.Scratch(ScratchPartials, g.Splits * transformed);
        var sums = s.Scratch(ScratchFilter, transformed);
        s.Kernels.WinogradInput(p.Tiles * p.InChannels, x, v, p);
        s.Kernels.WinogradGradient(p.Tiles * p.OutChannels, dy, gy, p);
        var config = Config(ConvGemmPlan.WeightsGrid(g, gemm), gemm);
        if (gemm == KernelVersion.V3) s.Kernels.GemmBackwardWeightsV3(config, v, gy, partials, g);
        else s.Kernels.GemmBackwardWeights(config, v, gy, partials, g);
        var reduce = new ReduceShape { Splits = g.Splits, K1 = 1, K2 = 1, Channels = p.GroupIn, Columns = WinogradKernels.Points * p.OutChannels };
        s.Kernels.ReduceSplits(transformed, partials, sums, reduce);
        s.Kernels.WinogradWeights(p.GroupIn * p.OutChannels, sums, dw, p);
        s.Accelerator.Synchronize();
    }

    // v4's scratch slots (DeviceState.Scratch): U (or dw's tile sums), V, M (or Ŷ), and dw's split partials.
    private const int ScratchFilter = 0, ScratchInput = 1, ScratchProducts = 2, ScratchPartials = 3;

    /// <summary>ForwardV2 or ForwardV3 (forward and backward data) on <paramref name="g"/>.</summary>
    private static void GemmForward(DeviceState s, KernelVersion v, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, GemmShape g)
    {
        var config = Config(ConvGemmPlan.ForwardGrid(g, v), v);
        if (v == KernelVersion.V3) s.Kernels.GemmForwardV3(config, a, b, bias, c, g);
        else s.Kernels.GemmForward(config, a, b, bias, c, g);
    }

    private static KernelConfig Config((int X, int Y, int Z) grid, KernelVersion v) =>
        new(new Index3D(grid.X, grid.Y, grid.Z), new Index3D(ConvGemmPlan.Threads(v), 1, 1));

    private static WeightLayout Layout(ConvShape p, bool transpose) => new()
    {
        K1 = p.K1, K2 = p.K2, CinPerGroup = p.CinPerGroup, Cout = p.Cout, CoutPerGroup = p.CoutPerGroup,
        Reversal = p.Reversal, Transpose = transpose ? 1 : 0,
    };
}

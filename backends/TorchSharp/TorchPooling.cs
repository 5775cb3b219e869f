using Conformance.Reference;
using TorchSharp;
using static Conformance.Backends.TorchSharp.TorchTensors;
using F = TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;

namespace Conformance.Backends.TorchSharp;

/// <summary>
/// max_pool2d, avg_pool2d and their backward ops on libtorch's pooling. Padded positions never
/// count: libtorch's own padding already skips them (max ignores them; avg with
/// count_include_pad=false divides by the real samples), but it only pads both sides equally,
/// so the one-sided remainder of same/same_lower is handled separately (see each op).
/// </summary>
internal static class TorchPooling
{
    /// <summary>max_pool2d.</summary>
    public static Tensor MaxPool2d(Tensor x, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        using var scope = torch.NewDisposeScope();
        return FromTorch(NchwToNhwc(Max(NhwcToNchw(ToTorch(x)), g)));
    }

    /// <summary>max_pool2d_backward by autograd: libtorch routes each dy to the window's argmax index.</summary>
    public static Tensor MaxPool2dBackward(Tensor x, Tensor dy, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        Check.Shape(dy, g.OutputShape, "dy");
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var xt = ToTorch(x, requiresGrad: true);
        var y = NchwToNhwc(Max(NhwcToNchw(xt), g));
        return FromTorch(torch.autograd.grad([y], [xt], [ToTorch(dy)])[0]);
    }

    /// <summary>avg_pool2d.</summary>
    public static Tensor AvgPool2d(Tensor x, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        using var scope = torch.NewDisposeScope();
        return FromTorch(NchwToNhwc(Avg(NhwcToNchw(ToTorch(x)), g)));
    }

    /// <summary>avg_pool2d_backward by autograd.</summary>
    public static Tensor AvgPool2dBackward(Tensor x, Tensor dy, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        Check.Shape(dy, g.OutputShape, "dy");
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var xt = ToTorch(x, requiresGrad: true);
        var y = NchwToNhwc(Avg(NhwcToNchw(xt), g));
        return FromTorch(torch.autograd.grad([y], [xt], [ToTorch(dy)])[0]);
    }

    /// <summary>
    /// True when same/same_lower pads one side more than the other on some axis, so part of the
    /// padding cannot be given to libtorch's pooling.
    /// </summary>
    public static bool IsUneven(PoolGeometry g) => g.Rows.Before != g.Rows.After || g.Cols.Before != g.Cols.After;

    /// <summary>
    /// The uneven remainder is padded with −inf, which never wins a window that has a real
    /// sample (a window always has one: same pads less than a window per side). The symmetric
    /// part (at most half the window, as libtorch requires) stays libtorch's own padding.
    /// </summary>
    private static TT Max(TT x, PoolGeometry g)
    {
        var (symmetric, extra) = SplitPadding(g.Rows, g.Cols);
        if (Any(extra)) x = F.pad(x, extra, value: double.NegativeInfinity);
        return F.max_pool2d(x, [g.Pool.Rows, g.Pool.Cols], [g.Strides.Rows, g.Strides.Cols], symmetric);
    }

    /// <summary>
    /// Even padding: libtorch's avg_pool2d with count_include_pad=false. Uneven padding: the
    /// window sum (divisor 1) of the zero-padded input, divided by the same window sum of a
    /// zero-padded mask of ones, i.e. by the number of real samples in each window.
    /// </summary>
    private static TT Avg(TT x, PoolGeometry g)
    {
        long[] pool = [g.Pool.Rows, g.Pool.Cols], strides = [g.Strides.Rows, g.Strides.Cols];
        var (symmetric, extra) = SplitPadding(g.Rows, g.Cols);
        if (!Any(extra))
            return F.avg_pool2d(x, pool, strides, symmetric, count_include_pad: false);

        TT Sum(TT t) => F.avg_pool2d(F.pad(t, extra), pool, strides, symmetric, count_include_pad: true, divisor_override: 1);
        var ones = torch.ones([1, 1, g.N1, g.N2], torch.float32);
        return Sum(x) / Sum(ones);
    }
}

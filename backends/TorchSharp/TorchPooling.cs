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
/// so the uneven padding of same/same_lower with an odd total is handled separately (see each op).
/// </summary>
internal static class TorchPooling
{
    /// <summary>max_pool2d.</summary>
    public static Tensor MaxPool2d(Tensor x, OpAttributes a) => Forward(x, a, Max);

    /// <summary>max_pool2d_backward by autograd: libtorch routes each dy to the window's argmax index.</summary>
    public static Tensor MaxPool2dBackward(Tensor x, Tensor dy, OpAttributes a) => Backward(x, dy, a, Max);

    /// <summary>avg_pool2d.</summary>
    public static Tensor AvgPool2d(Tensor x, OpAttributes a) => Forward(x, a, Avg);

    /// <summary>avg_pool2d_backward by autograd.</summary>
    public static Tensor AvgPool2dBackward(Tensor x, Tensor dy, OpAttributes a) => Backward(x, dy, a, Avg);

    private static Tensor Forward(Tensor x, OpAttributes a, Func<TT, PoolGeometry, TT> pool)
    {
        var g = PoolGeometry.Of(x, a);
        using var scope = torch.NewDisposeScope();
        return FromTorch(NchwToNhwc(pool(NhwcToNchw(ToTorch(x)), g)));
    }

    private static Tensor Backward(Tensor x, Tensor dy, OpAttributes a, Func<TT, PoolGeometry, TT> pool)
    {
        var g = PoolGeometry.Of(x, a);
        Check.Shape(dy, g.OutputShape, "dy");
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var xt = ToTorch(x, requiresGrad: true);
        var y = NchwToNhwc(pool(NhwcToNchw(xt), g));
        return FromTorch(torch.autograd.grad([y], [xt], [ToTorch(dy)])[0]);
    }

    /// <summary>
    /// libtorch's own padding (both sides equal, at most half the window, as same/same_lower
    /// always are) covers the zeros before each axis, so windows start where the catalogue's do
    /// and libtorch skips padded positions itself: its argmax starts at the window's first real
    /// sample, which keeps routing right even when every real sample is −inf. Where the end needs
    /// more (same with an odd total) the remainder is −inf, padded at the end only, where it can
    /// never be a window's first position; where it needs less (same_lower) the extra outputs
    /// libtorch computes at the end are cropped.
    /// </summary>
    private static TT Max(TT x, PoolGeometry g)
    {
        long endRows = Math.Max(g.Rows.After - g.Rows.Before, 0), endCols = Math.Max(g.Cols.After - g.Cols.Before, 0);
        if (endRows != 0 || endCols != 0) x = F.pad(x, [0, endCols, 0, endRows], value: double.NegativeInfinity);
        var y = F.max_pool2d(x, [g.Pool.Rows, g.Pool.Cols], [g.Strides.Rows, g.Strides.Cols], [g.Rows.Before, g.Cols.Before]);
        return y.narrow(2, 0, g.Rows.OutputSize).narrow(3, 0, g.Cols.OutputSize);
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

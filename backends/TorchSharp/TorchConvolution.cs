using Conformance.Reference;
using TorchSharp;
using static Conformance.Backends.TorchSharp.TorchTensors;
using F = TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;

namespace Conformance.Backends.TorchSharp;

/// <summary>
/// conv1d, conv2d, conv2d_layer and conv2d_layer_backward on libtorch's conv2d. Shapes and
/// padding are validated and resolved by the reference's own helpers (<see cref="Conformance.Reference.Padding.Resolve"/>,
/// <see cref="LayerGeometry"/>), so errors are the catalogue's errors and the geometry is the
/// catalogue's; only the arithmetic is libtorch's.
/// </summary>
internal static class TorchConvolution
{
    /// <summary>conv1d as a conv2d over a [1,1,1,N] image with a [1,1,1,K] kernel.</summary>
    public static Tensor Conv1d(Tensor x, Tensor w, OpAttributes a)
    {
        var (rows, cols, s) = ConvGeometry.Of1d(x, w, a);
        using var scope = torch.NewDisposeScope();
        var xt = ToTorch(x).reshape(1, 1, 1, x.Shape[0]);
        var wt = ToTorch(w).reshape(1, 1, 1, w.Shape[0]);
        var y = Conv(xt, wt, null, rows, cols, s, new Pair(1, a.Dilation.Cols), 1, a.Reversal);
        return FromTorch(y.reshape(cols.OutputSize));
    }

    /// <summary>conv2d as a single-channel conv2d over a [1,1,N1,N2] image.</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, OpAttributes a)
    {
        var (rows, cols, s) = ConvGeometry.Of2d(x, w, a);
        using var scope = torch.NewDisposeScope();
        var xt = ToTorch(x).reshape(1, 1, x.Shape[0], x.Shape[1]);
        var wt = ToTorch(w).reshape(1, 1, w.Shape[0], w.Shape[1]);
        var y = Conv(xt, wt, null, rows, cols, s, a.Dilation, 1, a.Reversal);
        return FromTorch(y.reshape(rows.OutputSize, cols.OutputSize));
    }

    /// <summary>conv2d_layer: NHWC/HWIO in and out, NCHW/OIHW inside.</summary>
    public static Tensor Conv2dLayer(Tensor x, Tensor w, Tensor? b, OpAttributes a)
    {
        var g = LayerGeometry.Of(x, w, b, a);
        using var scope = torch.NewDisposeScope();
        var y = Layer(ToTorch(x), ToTorch(w), b is null ? null : ToTorch(b), g, a.Reversal);
        return FromTorch(y);
    }

    /// <summary>
    /// conv2d_layer_backward by autograd: x, w and a zero bias are leaves in the catalogue's
    /// layouts, so the gradients come back as NHWC dx, HWIO dw (flipped back for reversal by the
    /// chain rule through the flip) and db.
    /// </summary>
    public static (Tensor Dx, Tensor Dw, Tensor Db) Conv2dLayerBackward(Tensor x, Tensor w, Tensor dy, OpAttributes a)
    {
        var g = LayerGeometry.Of(x, w, null, a);
        Check.Shape(dy, g.OutputShape, "dy");
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var xt = ToTorch(x, requiresGrad: true);
        var wt = ToTorch(w, requiresGrad: true);
        var bt = torch.zeros([g.Cout], torch.float32, requires_grad: true);
        var y = Layer(xt, wt, bt, g, a.Reversal);
        var grads = torch.autograd.grad([y], [xt, wt, bt], [ToTorch(dy)]);
        return (FromTorch(grads[0]), FromTorch(grads[1]), FromTorch(grads[2]));
    }

    private static TT Layer(TT xNhwc, TT wHwio, TT? b, LayerGeometry g, bool reversal)
    {
        var y = Conv(NhwcToNchw(xNhwc), HwioToOihw(wHwio), b, g.Out1, g.Out2,
            new Pair(g.S1, g.S2), new Pair(g.D1, g.D2), g.Groups, reversal);
        return NchwToNhwc(y);
    }

    /// <summary>
    /// Cross-correlation of NCHW x with OIHW w. The symmetric part of the padding goes to
    /// libtorch's conv2d; the uneven remainder (same/same_lower with an odd total, explicit
    /// T,B,L,R) is added first as explicit zeros, since libtorch only pads both sides equally.
    /// </summary>
    private static TT Conv(TT x, TT w, TT? b, AxisPadding rows, AxisPadding cols, Pair s, Pair d, int groups, bool reversal)
    {
        if (reversal) w = w.flip(2, 3);
        var (symmetric, extra) = SplitPadding(rows, cols);
        if (Any(extra)) x = F.pad(x, extra);
        return F.conv2d(x, w, b, strides: [s.Rows, s.Cols], padding: symmetric, dilation: [d.Rows, d.Cols], groups: groups);
    }
}

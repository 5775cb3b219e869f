using Conformance.Core.Backends;
using Conformance.Reference;
using TorchSharp;
using static Conformance.Backends.TorchSharp.TorchTensors;
using F = TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;
using Padding = Conformance.Reference.Padding;

namespace Conformance.Backends.TorchSharp;

/// <summary>
/// conv1d, conv2d, conv2d_layer and conv2d_layer_backward on libtorch's conv2d. Shapes are
/// validated by the reference's own helpers (<see cref="LayerGeometry"/>), so errors are the
/// catalogue's errors. Padding is libtorch's own where libtorch has the mode: `same` at stride 1
/// is libtorch's padding='same' (see <see cref="TorchSame"/>), so the suite checks that
/// convention against libtorch; every other mode and stride is translated into explicit zeros
/// resolved by the reference's <see cref="Conformance.Reference.Padding.Resolve"/>.
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
        var y = Conv(xt, wt, null, rows, cols, s, new Pair(1, a.Dilation.Cols), 1, a.Reversal, a.Padding);
        return FromTorch(y.reshape(cols.OutputSize));
    }

    /// <summary>conv2d as a single-channel conv2d over a [1,1,N1,N2] image.</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, OpAttributes a)
    {
        var (rows, cols, s) = ConvGeometry.Of2d(x, w, a);
        using var scope = torch.NewDisposeScope();
        var xt = ToTorch(x).reshape(1, 1, x.Shape[0], x.Shape[1]);
        var wt = ToTorch(w).reshape(1, 1, w.Shape[0], w.Shape[1]);
        var y = Conv(xt, wt, null, rows, cols, s, a.Dilation, 1, a.Reversal, a.Padding);
        return FromTorch(y.reshape(rows.OutputSize, cols.OutputSize));
    }

    /// <summary>
    /// conv2d_layer: NHWC/HWIO in and out, NCHW/OIHW inside. The forward pass needs no autograd,
    /// so the layout moves are done in C# while rounding to float and widening back (one pass
    /// each, <see cref="FloatLayout"/>) rather than as libtorch permute-and-copy steps around
    /// separate conversions: libtorch receives the same values with the same (row-major NCHW/OIHW)
    /// strides as <see cref="NhwcToNchw"/> and <see cref="HwioToOihw"/> give, so the result is the same.
    /// </summary>
    public static Tensor Conv2dLayer(Tensor x, Tensor w, Tensor? b, OpAttributes a)
    {
        var g = LayerGeometry.Of(x, w, b, a);
        using var scope = torch.NewDisposeScope();
        var xt = torch.tensor(FloatLayout.NhwcToNchw(x), [g.Batch, x.Shape[3], g.N1, g.N2], torch.float32);
        var wt = torch.tensor(FloatLayout.HwioToOihw(w), [w.Shape[3], w.Shape[2], g.K1, g.K2], torch.float32);
        var y = Conv(xt, wt, b is null ? null : ToTorch(b), g.Out1, g.Out2,
            new Pair(g.S1, g.S2), new Pair(g.D1, g.D2), g.Groups, a.Reversal, a.Padding).contiguous();
        return FloatLayout.NchwToNhwc(y.data<float>().ToArray(), g.Batch, g.Cout, g.Out1.OutputSize, g.Out2.OutputSize);
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
        var bt = torch.zeros([g.Cout], torch.float32, requires_grad: true);
        if (TorchSame(a.Padding, new Pair(g.S1, g.S2)))
        {
            // The module's weight is a parameter of its own (OIHW, flipped for reversal): its
            // gradient is turned back into the catalogue's HWIO here, flipped back for reversal.
            var kernel = HwioToOihw(ToTorch(w));
            using var conv = SameModule(a.Reversal ? kernel.flip(2, 3) : kernel, bt, new Pair(g.D1, g.D2), g.Groups);
            var ys = NchwToNhwc(conv.call(NhwcToNchw(xt)));
            var gs = torch.autograd.grad([ys], [xt, conv.weight!, conv.bias!], [ToTorch(dy)]);
            var dwOihw = a.Reversal ? gs[1].flip(2, 3) : gs[1];
            return (FromTorch(gs[0]), FromTorch(dwOihw.permute(2, 3, 1, 0)), FromTorch(gs[2]));
        }
        var wt = ToTorch(w, requiresGrad: true);
        var y = Layer(xt, wt, bt, g, a);
        var grads = torch.autograd.grad([y], [xt, wt, bt], [ToTorch(dy)]);
        return (FromTorch(grads[0]), FromTorch(grads[1]), FromTorch(grads[2]));
    }

    private static TT Layer(TT xNhwc, TT wHwio, TT? b, LayerGeometry g, OpAttributes a)
    {
        var y = Conv(NhwcToNchw(xNhwc), HwioToOihw(wHwio), b, g.Out1, g.Out2,
            new Pair(g.S1, g.S2), new Pair(g.D1, g.D2), g.Groups, a.Reversal, a.Padding);
        return NchwToNhwc(y);
    }

    /// <summary>
    /// True where libtorch has the catalogue's padding mode itself: padding='same' exists in
    /// libtorch only at stride 1, and puts the odd extra zero at the end, which is our `same`.
    /// (same_lower, full and explicit padding have no libtorch mode.)
    /// </summary>
    private static bool TorchSame(Padding padding, Pair s) => padding.Mode == PaddingMode.Same && s.Rows == 1 && s.Cols == 1;

    /// <summary>
    /// A Conv2d module with libtorch's own padding='same' whose weight (OIHW) and optional bias are
    /// the given values: the backward pass takes its gradients from the module's parameters. The
    /// forward pass calls <c>F.conv2d_padding</c> directly, which is what the module's forward calls,
    /// without building a module per call (its constructor draws a random initial weight of the
    /// layer's size, which cost more than the convolution itself for VGG16's deep layers).
    /// </summary>
    private static global::TorchSharp.Modules.Conv2d SameModule(TT wOihw, TT? b, Pair d, int groups)
    {
        var conv = torch.nn.Conv2d(wOihw.shape[1] * groups, wOihw.shape[0], (wOihw.shape[2], wOihw.shape[3]), global::TorchSharp.Padding.Same,
            stride: (1, 1), dilation: (d.Rows, d.Cols), groups: groups, bias: b is not null);
        conv.weight = new global::TorchSharp.Modules.Parameter(wOihw.detach().clone());
        if (b is not null) conv.bias = new global::TorchSharp.Modules.Parameter(b.detach().clone());
        return conv;
    }

    /// <summary>
    /// Cross-correlation of NCHW x with OIHW w. The symmetric part of the padding goes to
    /// libtorch's conv2d; the uneven remainder (same/same_lower with an odd total, explicit
    /// T,B,L,R) is added first as explicit zeros, since libtorch only pads both sides equally.
    /// </summary>
    private static TT Conv(TT x, TT w, TT? b, AxisPadding rows, AxisPadding cols, Pair s, Pair d, int groups, bool reversal, Padding padding)
    {
        if (reversal) w = w.flip(2, 3);
        if (TorchSame(padding, s))
            return F.conv2d_padding(x, w, b, strides: [1, 1], padding: global::TorchSharp.Padding.Same, dilation: [d.Rows, d.Cols], groups: groups);
        var (symmetric, extra) = SplitPadding(rows, cols);
        if (Any(extra)) x = F.pad(x, extra);
        return F.conv2d(x, w, b, strides: [s.Rows, s.Cols], padding: symmetric, dilation: [d.Rows, d.Cols], groups: groups);
    }
}

using Conformance.Reference;
using Conformance.Tests.Oracles;
using Xunit;

namespace Conformance.Tests.Properties;

/// <summary>
/// Structural properties of conv2d_layer and its backward: channels, groups, strides, dilation,
/// 1×1 kernels, reversal and shifts, each reduced to a simpler convolution. Integer data: exact.
/// </summary>
public class LayerProperties
{
    private const int Cases = 300;

    private static Tensor Fwd(Tensor x, Tensor w, Tensor? b, OpAttributes a) => Ref.Layer(x, w, b, a);

    [ConformanceProperty(Cases)]
    public void LayerIsLinearInXAndInW(Twin<LayerCase> t)
    {
        var (x, w, a) = (t.Case.X, t.Case.W, t.Case.A);
        TT.Exact(TT.Combine(Fwd(x, w, null, a), t.Alpha, Fwd(t.X2, w, null, a), t.Beta),
            Fwd(TT.Combine(x, t.Alpha, t.X2, t.Beta), w, null, a), "linear in x");
        TT.Exact(TT.Combine(Fwd(x, w, null, a), t.Alpha, Fwd(x, t.W2, null, a), t.Beta),
            Fwd(x, TT.Combine(w, t.Alpha, t.W2, t.Beta), null, a), "linear in w");
    }

    [ConformanceProperty(Cases)]
    public void LayerIsSumOverInputChannelsOfConv2dPlusBias(LayerCase c)
    {
        // Z[b,:,:,m] = Σ_n conv2d(X[b,:,:,g·Cin/G + n], W[:,:,n,m]) + b[m], g = m ÷ (Cout/G).
        var y = Fwd(c.X, c.W, c.B, c.A);
        int cinG = c.W.Shape[2], coutG = c.Cout / c.A.Groups;
        for (int b = 0; b < c.X.Shape[0]; b++)
            for (int m = 0; m < c.Cout; m++)
            {
                int g = m / coutG;
                Tensor? sum = null;
                for (int n = 0; n < cinG; n++)
                {
                    var z = ConvolutionProperties.C2(TT.Plane(c.X, b, g * cinG + n), TT.KernelPlane(c.W, n, m), c.A);
                    sum = sum is null ? z : TT.Combine(sum, 1, z, 1);
                }
                double bias = c.B?.Data[m] ?? 0;
                TT.Exact(sum!.Map(v => v + bias), TT.Plane(y, b, m), $"batch {b}, output channel {m}");
            }
    }

    [ConformanceProperty(Cases)]
    public void StrideIsSubsamplingOfStrideOne(LayerCase c)
    {
        // valid and explicit keep their padding at stride 1; same/same_lower/full are replaced by the
        // explicit zeros they resolve to at stride s (same's depend on s), so only the stride changes.
        var a = c.A;
        SpecAxis r = SpecGeometry.Rows(a, c.X.Shape[1], c.W.Shape[0]), q = SpecGeometry.Cols(a, c.X.Shape[2], c.W.Shape[1]);
        var pad = a.Padding.Mode is PaddingMode.Valid or PaddingMode.Explicit
            ? a.Padding
            : Padding.Explicit(r.Before, r.After, q.Before, q.After);
        var dense = Fwd(c.X, c.W, c.B, a with { Strides = Pair.Of(1), Padding = pad });
        var y = Fwd(c.X, c.W, c.B, a);
        Pair s = a.Strides!.Value;
        var expected = Tensor.Zeros(y.Shape);
        for (int b = 0; b < y.Shape[0]; b++)
            for (int i1 = 0; i1 < y.Shape[1]; i1++)
                for (int i2 = 0; i2 < y.Shape[2]; i2++)
                    for (int m = 0; m < y.Shape[3]; m++) expected[b, i1, i2, m] = dense[b, i1 * s.Rows, i2 * s.Cols, m];
        TT.Exact(expected, y, $"stride {s} vs every s-th output of stride 1 with padding {pad}");
    }

    [ConformanceProperty(Cases)]
    public void DilationIsConvolutionWithAZeroDilatedKernel(LayerCase c)
    {
        var a = c.A;
        var wd = TT.ZeroDilate(c.W, a.Dilation.Rows, a.Dilation.Cols);
        var undilated = a with { Dilation = Pair.Of(1) };
        TT.Exact(Fwd(c.X, wd, c.B, undilated), Fwd(c.X, c.W, c.B, a), "forward");
        var g = Ref.LayerBackward(c.X, c.W, c.Dy, a);
        var gd = Ref.LayerBackward(c.X, wd, c.Dy, undilated);
        TT.Exact(gd["dx"], g["dx"], "dx");
        TT.Exact(gd["db"], g["db"], "db");
        // dW of the dilated layer is dW of the zero-dilated kernel read at the taps k·d.
        var dw = Tensor.Zeros(c.W.Shape);
        for (int k1 = 0; k1 < c.W.Shape[0]; k1++)
            for (int k2 = 0; k2 < c.W.Shape[1]; k2++)
                for (int n = 0; n < c.W.Shape[2]; n++)
                    for (int m = 0; m < c.W.Shape[3]; m++)
                        dw[k1, k2, n, m] = gd["dw"][k1 * a.Dilation.Rows, k2 * a.Dilation.Cols, n, m];
        TT.Exact(dw, g["dw"], "dw");
    }

    [ConformanceProperty(Cases)]
    public void GroupsAreIndependentConvolutionsOfChannelSlices(LayerCase c)
    {
        int groups = c.A.Groups, cinG = c.Cin / groups, coutG = c.Cout / groups;
        var one = c.A with { Groups = 1 };
        var ys = new List<Tensor>();
        var dxs = new List<Tensor>();
        var dws = new List<Tensor>();
        var dbs = new List<Tensor>();
        for (int g = 0; g < groups; g++)
        {
            var x = TT.SliceLast(c.X, g * cinG, cinG);
            var w = TT.SliceLast(c.W, g * coutG, coutG);
            var b = c.B is null ? null : TT.SliceLast(c.B, g * coutG, coutG);
            ys.Add(Fwd(x, w, b, one));
            var grads = Ref.LayerBackward(x, w, TT.SliceLast(c.Dy, g * coutG, coutG), one);
            dxs.Add(grads["dx"]);
            dws.Add(grads["dw"]);
            dbs.Add(grads["db"]);
        }
        TT.Exact(TT.ConcatLast(ys), Fwd(c.X, c.W, c.B, c.A), $"forward, {groups} groups");
        var all = Ref.LayerBackward(c.X, c.W, c.Dy, c.A);
        TT.Exact(TT.ConcatLast(dxs), all["dx"], "dx");
        TT.Exact(TT.ConcatLast(dws), all["dw"], "dw");
        TT.Exact(TT.ConcatLast(dbs), all["db"], "db");
    }

    [ConformanceProperty(Cases)]
    public void OneByOneConvolutionIsDenseOnThePixels(LayerCase c)
    {
        int batch = c.X.Shape[0], n1 = c.X.Shape[1], n2 = c.X.Shape[2], cin = c.Cin, cout = c.Cout;
        var w = new Tensor([1, 1, cin, cout], Enumerable.Range(0, cin * cout).Select(i => c.W.Data[(7 * i) % c.W.Length]).ToArray());
        var b = c.B ?? Tensor.Zeros(cout);
        var a = new OpAttributes { Reversal = c.A.Reversal, Dilation = c.A.Dilation };
        int pixels = batch * n1 * n2;
        var y = Fwd(c.X, w, b, a);
        var dense = Ref.One("dense", OpAttributes.Default, ("x", c.X.Reshape(pixels, cin)), ("w", w.Reshape(cin, cout)), ("b", b));
        TT.Exact(dense, y.Reshape(pixels, cout), "1×1 conv vs dense");
        var dy = new Tensor(y.Shape, Enumerable.Range(0, y.Length).Select(i => c.X.Data[(3 * i + 1) % c.X.Length]).ToArray());
        var g = Ref.LayerBackward(c.X, w, dy, a);
        var gd = Ref.All("dense_backward", OpAttributes.Default, ("x", c.X.Reshape(pixels, cin)), ("w", w.Reshape(cin, cout)),
            ("dy", dy.Reshape(pixels, cout)));
        TT.Exact(gd["dx"], g["dx"].Reshape(pixels, cin), "dx");
        TT.Exact(gd["dw"], g["dw"].Reshape(cin, cout), "dw");
        TT.Exact(gd["db"], g["db"], "db");
    }

    [ConformanceProperty(Cases)]
    public void ReversalIsTheMatchedFilterForwardAndBackward(LayerCase c)
    {
        var a = c.A;
        var wr = TT.Reverse(c.W);
        TT.Exact(Fwd(c.X, wr, c.B, a with { Reversal = true }), Fwd(c.X, c.W, c.B, a with { Reversal = false }), "forward");
        var plain = Ref.LayerBackward(c.X, c.W, c.Dy, a with { Reversal = false });
        var flipped = Ref.LayerBackward(c.X, wr, c.Dy, a with { Reversal = true });
        TT.Exact(plain["dx"], flipped["dx"], "dx");
        TT.Exact(plain["dw"], TT.Reverse(flipped["dw"]), "dw (reversed back)");
        TT.Exact(plain["db"], flipped["db"], "db");
    }

    [ConformanceProperty(Cases)]
    public void FullLayerIsShiftEquivariant(Extra<LayerCase> e)
    {
        var c = e.Case;
        var a = c.A with { Padding = Padding.Full };
        Pair s = a.Strides!.Value;
        int l1 = e.P % 3, l2 = e.Q % 3;
        var y = Fwd(Prepend(c.X, l1 * s.Rows, l2 * s.Cols), c.W, null, a);
        TT.Exact(Prepend(Fwd(c.X, c.W, null, a), l1, l2), y, $"shift by ({l1},{l2})");
    }

    private static Tensor Prepend(Tensor x, int z1, int z2)
    {
        var r = Tensor.Zeros(x.Shape[0], x.Shape[1] + z1, x.Shape[2] + z2, x.Shape[3]);
        for (int b = 0; b < x.Shape[0]; b++)
            for (int i = 0; i < x.Shape[1]; i++)
                for (int j = 0; j < x.Shape[2]; j++)
                    for (int ch = 0; ch < x.Shape[3]; ch++) r[b, i + z1, j + z2, ch] = x[b, i, j, ch];
        return r;
    }

    [ConformanceProperty(Cases)]
    public void LayerShapesMatchTheFormulas(LayerCase c)
    {
        var (a, s, d) = (c.A, c.A.Strides!.Value, c.A.Dilation);
        int m1 = ConvolutionProperties.ExpectedOut(a.Padding, true, c.X.Shape[1], c.W.Shape[0], s.Rows, d.Rows);
        int m2 = ConvolutionProperties.ExpectedOut(a.Padding, false, c.X.Shape[2], c.W.Shape[1], s.Cols, d.Cols);
        Assert.Equal([c.X.Shape[0], m1, m2, c.Cout], Fwd(c.X, c.W, c.B, a).Shape);
        var g = Ref.LayerBackward(c.X, c.W, c.Dy, a);
        Assert.Equal(c.X.Shape, g["dx"].Shape);
        Assert.Equal(c.W.Shape, g["dw"].Shape);
        Assert.Equal([c.Cout], g["db"].Shape);
    }
}

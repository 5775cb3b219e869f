using Conformance.Reference;
using Conformance.Tests.Oracles;
using Xunit;

namespace Conformance.Tests.Properties;

/// <summary>
/// Algebraic properties of conv1d and conv2d (lecture: linearity, delta, shift; plus the matched
/// filter, commutativity, associativity, crops of full and output sizes). Integer data: exact.
/// </summary>
public class ConvolutionProperties
{
    private const int Cases = 400;

    internal static Tensor C1(Tensor x, Tensor w, OpAttributes a) => Ref.One("conv1d", a, ("x", x), ("w", w));

    internal static Tensor C2(Tensor x, Tensor w, OpAttributes a) => Ref.One("conv2d", a, ("x", x), ("w", w));

    private static readonly OpAttributes FullConvolution = new() { Padding = Padding.Full, Reversal = true };

    /// <summary>x with z1 zero rows and z2 zero columns put in front (1D: z2 zeros).</summary>
    internal static Tensor PrependZeros(Tensor x, int z1, int z2)
    {
        if (x.Rank == 1) return new Tensor([x.Length + z2], [.. new double[z2], .. x.Data]);
        var r = Tensor.Zeros(x.Shape[0] + z1, x.Shape[1] + z2);
        for (int i = 0; i < x.Shape[0]; i++)
            for (int j = 0; j < x.Shape[1]; j++) r[i + z1, j + z2] = x[i, j];
        return r;
    }

    [ConformanceProperty(Cases)]
    public void Conv1dIsLinearInXAndInW(Twin<Conv1dCase> t)
    {
        var (x, w, a) = (t.Case.X, t.Case.W, t.Case.A);
        TT.Exact(TT.Combine(C1(x, w, a), t.Alpha, C1(t.X2, w, a), t.Beta), C1(TT.Combine(x, t.Alpha, t.X2, t.Beta), w, a), "linear in x");
        TT.Exact(TT.Combine(C1(x, w, a), t.Alpha, C1(x, t.W2, a), t.Beta), C1(x, TT.Combine(w, t.Alpha, t.W2, t.Beta), a), "linear in w");
    }

    [ConformanceProperty(Cases)]
    public void Conv2dIsLinearInXAndInW(Twin<Conv2dCase> t)
    {
        var (x, w, a) = (t.Case.X, t.Case.W, t.Case.A);
        TT.Exact(TT.Combine(C2(x, w, a), t.Alpha, C2(t.X2, w, a), t.Beta), C2(TT.Combine(x, t.Alpha, t.X2, t.Beta), w, a), "linear in x");
        TT.Exact(TT.Combine(C2(x, w, a), t.Alpha, C2(x, t.W2, a), t.Beta), C2(x, TT.Combine(w, t.Alpha, t.W2, t.Beta), a), "linear in w");
    }

    [ConformanceProperty(Cases)]
    public void DeltaKernelIsIdentityAndShiftedDeltaShifts(Extra<Conv2dCase> e)
    {
        // Lecture: x * δ = x, and δ shifted by L shifts the output by L (full, with reversal).
        var x = e.Case.X;
        int l1 = e.P % 4, l2 = e.Q % 4;
        var delta = Tensor.Zeros(l1 + 1, l2 + 1);
        delta[l1, l2] = 1;
        var y = C2(x, delta, FullConvolution);
        var expected = Tensor.Zeros(x.Shape[0] + l1, x.Shape[1] + l2);
        for (int i = 0; i < x.Shape[0]; i++)
            for (int j = 0; j < x.Shape[1]; j++) expected[i + l1, j + l2] = x[i, j];
        TT.Exact(expected, y, $"x * δ shifted by ({l1},{l2})");
        var y1 = C1(new Tensor([x.Length], x.Data), new Tensor([l2 + 1], [.. new double[l2], 1]), FullConvolution);
        TT.Exact(new Tensor([x.Length + l2], [.. new double[l2], .. x.Data]), y1, $"1D x * δ shifted by {l2}");
    }

    [ConformanceProperty(Cases)]
    public void DeltaKernelSamplesTheInputAtTheTapPosition(Extra<Conv2dCase> e)
    {
        // Any padding, stride, dilation: with a one-hot kernel at (p1,p2) the output is
        // X[i1·s1 + t1·d1 − before_top, i2·s2 + t2·d2 − before_left], t = p or K−1−p under reversal.
        var (x, a) = (e.Case.X, e.Case.A);
        int k1 = e.Case.W.Shape[0], k2 = e.Case.W.Shape[1], p1 = e.P % k1, p2 = e.Q % k2;
        var delta = Tensor.Zeros(k1, k2);
        delta[p1, p2] = 1;
        SpecAxis r = SpecGeometry.Rows(a, x.Shape[0], k1), c = SpecGeometry.Cols(a, x.Shape[1], k2);
        int t1 = a.Reversal ? k1 - 1 - p1 : p1, t2 = a.Reversal ? k2 - 1 - p2 : p2;
        Pair s = a.Strides!.Value;
        var expected = Tensor.Zeros(r.Out, c.Out);
        for (int i1 = 0; i1 < r.Out; i1++)
            for (int i2 = 0; i2 < c.Out; i2++)
            {
                int row = i1 * s.Rows + t1 * a.Dilation.Rows - r.Before, col = i2 * s.Cols + t2 * a.Dilation.Cols - c.Before;
                if (row >= 0 && row < x.Shape[0] && col >= 0 && col < x.Shape[1]) expected[i1, i2] = x[row, col];
            }
        TT.Exact(expected, C2(x, delta, a), "one-hot kernel");
    }

    [ConformanceProperty(Cases)]
    public void FullConvolutionIsShiftEquivariant(Extra<Conv2dCase> e)
    {
        // Putting L·s zeros in front of x puts L zeros in front of the full output (any stride, dilation, reversal).
        var a = e.Case.A with { Padding = Padding.Full };
        Pair s = a.Strides!.Value;
        int l1 = e.P % 3, l2 = e.Q % 3;
        var shifted = C2(PrependZeros(e.Case.X, l1 * s.Rows, l2 * s.Cols), e.Case.W, a);
        TT.Exact(PrependZeros(C2(e.Case.X, e.Case.W, a), l1, l2), shifted, $"2D shift by ({l1},{l2})");
        var x1 = new Tensor([e.Case.X.Length], e.Case.X.Data);
        var w1 = new Tensor([e.Case.W.Length], e.Case.W.Data);
        TT.Exact(PrependZeros(C1(x1, w1, a), 0, l2), C1(PrependZeros(x1, 0, l2 * s.Cols), w1, a), $"1D shift by {l2}");
    }

    [ConformanceProperty(Cases)]
    public void FullConvolutionWithReversalIsCommutative(Conv2dCase c)
    {
        TT.Exact(C2(c.X, c.W, FullConvolution), C2(c.W, c.X, FullConvolution), "x * w = w * x (2D)");
        var x1 = new Tensor([c.X.Length], c.X.Data);
        var w1 = new Tensor([c.W.Length], c.W.Data);
        TT.Exact(C1(x1, w1, FullConvolution), C1(w1, x1, FullConvolution), "x * w = w * x (1D)");
    }

    [ConformanceProperty(Cases)]
    public void FullConvolutionWithReversalIsAssociative(Twin<Conv2dCase> t)
    {
        var (x, w1, w2) = (t.Case.X, t.Case.W, t.W2);
        TT.Exact(C2(C2(x, w1, FullConvolution), w2, FullConvolution), C2(x, C2(w1, w2, FullConvolution), FullConvolution),
            "(x * w1) * w2 = x * (w1 * w2) (2D)");
        Tensor f(Tensor v) => new([v.Length], v.Data);
        TT.Exact(C1(C1(f(x), f(w1), FullConvolution), f(w2), FullConvolution),
            C1(f(x), C1(f(w1), f(w2), FullConvolution), FullConvolution), "(x * w1) * w2 = x * (w1 * w2) (1D)");
    }

    [ConformanceProperty(Cases)]
    public void CorrelationIsConvolutionWithTheMatchedFilter(Conv2dCase c)
    {
        // Lecture: sliding correlation with W = convolution (reversal) with W~[k] = W[K−1−k]; any attributes.
        var a = c.A;
        TT.Exact(C2(c.X, TT.Reverse(c.W), a with { Reversal = true }), C2(c.X, c.W, a with { Reversal = false }), "2D matched filter");
    }

    [ConformanceProperty(Cases)]
    public void CorrelationIsConvolutionWithTheMatchedFilter1D(Conv1dCase c) =>
        TT.Exact(C1(c.X, TT.Reverse(c.W), c.A with { Reversal = true }), C1(c.X, c.W, c.A with { Reversal = false }), "1D matched filter");

    [ConformanceProperty(Cases)]
    public void ValidSameAndSameLowerAreCropsOfFull(Conv1dCase c)
    {
        // Stride 1, any dilation: full has Keff−1 zeros in front, so
        //   valid[i]      = full[i + Keff − 1]
        //   same[i]       = full[i + ceil((Keff − 1)/2)]   (the odd extra zero goes at the END)
        //   same_lower[i] = full[i + floor((Keff − 1)/2)]  (the odd extra zero goes at the start)
        var a = c.A with { Strides = Pair.Of(1) };
        int n = c.X.Length, keff = (c.W.Length - 1) * a.Dilation.Cols + 1;
        var full = C1(c.X, c.W, a with { Padding = Padding.Full });
        Assert.Equal(n + keff - 1, full.Length);
        Tensor Crop(int start, int length) => new([length], full.Data[start..(start + length)]);
        if (n >= keff) TT.Exact(Crop(keff - 1, n - keff + 1), C1(c.X, c.W, a with { Padding = Padding.Valid }), "valid");
        var same = C1(c.X, c.W, a with { Padding = Padding.Same });
        var lower = C1(c.X, c.W, a with { Padding = Padding.SameLower });
        TT.Exact(Crop(keff / 2, n), same, "same");            // keff/2 = ceil((keff−1)/2)
        TT.Exact(Crop((keff - 1) / 2, n), lower, "same_lower");
        if (keff % 2 == 1) TT.Exact(same, lower, "odd Keff: same = same_lower");
    }

    [ConformanceProperty(Cases)]
    public void EveryPaddingModeAndStrideIsAStridedCropOfFull(Conv2dCase c)
    {
        // out[i] = full_stride1[i·s + (Keff − 1) − before]; indices outside full read padding only, so 0.
        var a = c.A;
        int k1 = c.W.Shape[0], k2 = c.W.Shape[1];
        var full = C2(c.X, c.W, a with { Padding = Padding.Full, Strides = Pair.Of(1) });
        SpecAxis r = SpecGeometry.Rows(a, c.X.Shape[0], k1), q = SpecGeometry.Cols(a, c.X.Shape[1], k2);
        int o1 = SpecGeometry.Keff(k1, a.Dilation.Rows) - 1 - r.Before, o2 = SpecGeometry.Keff(k2, a.Dilation.Cols) - 1 - q.Before;
        Pair s = a.Strides!.Value;
        var expected = Tensor.Zeros(r.Out, q.Out);
        for (int i1 = 0; i1 < r.Out; i1++)
            for (int i2 = 0; i2 < q.Out; i2++)
            {
                int f1 = i1 * s.Rows + o1, f2 = i2 * s.Cols + o2;
                if (f1 >= 0 && f1 < full.Shape[0] && f2 >= 0 && f2 < full.Shape[1]) expected[i1, i2] = full[f1, f2];
            }
        TT.Exact(expected, C2(c.X, c.W, a), $"{a.Padding} as a crop of full");
    }

    /// <summary>The output size formulas of the catalogue, written out here as the spec states them.</summary>
    internal static int ExpectedOut(Padding p, bool rows, int n, int k, int s, int d)
    {
        int keff = (k - 1) * d + 1;
        int before = rows ? p.Top : p.Left, after = rows ? p.Bottom : p.Right;
        return p.Mode switch
        {
            PaddingMode.Valid => SpecGeometry.FloorDiv(n - keff, s) + 1,
            PaddingMode.Full => SpecGeometry.FloorDiv(n + 2 * (keff - 1) - keff, s) + 1,
            PaddingMode.Same or PaddingMode.SameLower => (n + s - 1) / s,
            _ => SpecGeometry.FloorDiv(n + before + after - keff, s) + 1,
        };
    }

    [ConformanceProperty(Cases)]
    public void OutputSizesMatchTheFormulas(Conv2dCase c)
    {
        var (a, s, d) = (c.A, c.A.Strides!.Value, c.A.Dilation);
        int m1 = ExpectedOut(a.Padding, true, c.X.Shape[0], c.W.Shape[0], s.Rows, d.Rows);
        int m2 = ExpectedOut(a.Padding, false, c.X.Shape[1], c.W.Shape[1], s.Cols, d.Cols);
        Assert.Equal([m1, m2], C2(c.X, c.W, a).Shape);
        var a1 = a with { Padding = a.Padding.Mode == PaddingMode.Explicit ? Padding.Explicit(0, 0, a.Padding.Left, a.Padding.Right) : a.Padding };
        var x1 = new Tensor([c.X.Length], c.X.Data);
        if (ExpectedOut(a1.Padding, false, x1.Length, c.W.Shape[1], s.Cols, d.Cols) is int m && m >= 1)
            Assert.Equal([m], C1(x1, new Tensor([c.W.Shape[1]], c.W.Data[..c.W.Shape[1]]), a1).Shape);
    }
}

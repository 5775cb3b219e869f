namespace Conformance.Reference;

/// <summary>
/// conv1d, conv2d and conv2d_layer (spec/convolution.md, spec/layers.md). Every convolution is
/// cross-correlation over the padded input; reversal=true flips the kernel first. Each output
/// element is summed in the formula's order (k1, k2, n), bias last, so results do not depend on
/// the thread count: only the outermost output loop runs in parallel.
/// </summary>
public static class Convolution
{
    /// <summary>z[i] = Σ_k w'[k]·x[i·s + k·d − pad_left], w' = w or w flipped (reversal).</summary>
    [Op("conv1d")]
    public static Tensor Conv1d(Tensor x, Tensor w, OpAttributes a)
    {
        var p = ConvGeometry.Of1d(x, w, a).Cols;
        int n = x.Shape[0], k = w.Shape[0];
        Pair s = a.Strides ?? Pair.Of(1);
        Tensor wk = a.Reversal ? Flip(w) : w;
        var z = Tensor.Zeros(p.OutputSize);
        for (int i = 0; i < p.OutputSize; i++)
        {
            double sum = 0;
            for (int kk = 0; kk < k; kk++)
            {
                int j = i * s.Cols + kk * a.Dilation.Cols - p.Before;
                if (j >= 0 && j < n) sum += wk.Data[kk] * x.Data[j];
            }
            z.Data[i] = sum;
        }
        return z;
    }

    /// <summary>Z[i1,i2] = Σ_k1 Σ_k2 W'[k1,k2]·X[i1·s1 + k1·d1 − pad_top, i2·s2 + k2·d2 − pad_left].</summary>
    [Op("conv2d")]
    public static Tensor Conv2d(Tensor x, Tensor w, OpAttributes a)
    {
        var (p1, p2, s) = ConvGeometry.Of2d(x, w, a);
        int n1 = x.Shape[0], n2 = x.Shape[1], k1n = w.Shape[0], k2n = w.Shape[1];
        Tensor wk = a.Reversal ? Flip(w) : w;
        var z = Tensor.Zeros(p1.OutputSize, p2.OutputSize);
        for (int i1 = 0; i1 < p1.OutputSize; i1++)
            for (int i2 = 0; i2 < p2.OutputSize; i2++)
            {
                double sum = 0;
                for (int k1 = 0; k1 < k1n; k1++)
                    for (int k2 = 0; k2 < k2n; k2++)
                    {
                        int r = i1 * s.Rows + k1 * a.Dilation.Rows - p1.Before;
                        int c = i2 * s.Cols + k2 * a.Dilation.Cols - p2.Before;
                        if (r >= 0 && r < n1 && c >= 0 && c < n2) sum += wk[k1, k2] * x[r, c];
                    }
                z[i1, i2] = sum;
            }
        return z;
    }

    /// <summary>
    /// Z[b,i1,i2,m] = Σ_k1 Σ_k2 Σ_n W'[k1,k2,n,m]·X[b, i1·s1 + k1·d1 − pad_top, i2·s2 + k2·d2 − pad_left, g·Cin/G + n] + b[m],
    /// g = m ÷ (Cout/G); samples outside the input are zero. x is NHWC, w is HWIO with I = Cin/G.
    /// </summary>
    [Op("conv2d_layer")]
    public static Tensor Conv2dLayer(Tensor x, Tensor w, Tensor? bias, OpAttributes a)
    {
        var g = LayerGeometry.Of(x, w, bias, a);
        Tensor wk = a.Reversal ? Flip(w) : w;
        int cpg = g.CinPerGroup, m1 = g.Out1.OutputSize, m2 = g.Out2.OutputSize;
        // The kernel copied as [Cout][K1][K2][Cin/G], so the innermost sum over n reads kernel and
        // input contiguously (VGG16 at full size is 15 billion terms). Only the memory layout
        // changes: every output is still summed over k1, k2, n in that order, bias last.
        var wt = new double[wk.Length];
        for (int k1 = 0; k1 < g.K1; k1++)
            for (int k2 = 0; k2 < g.K2; k2++)
                for (int n = 0; n < cpg; n++)
                    for (int m = 0; m < g.Cout; m++)
                        wt[((m * g.K1 + k1) * g.K2 + k2) * cpg + n] = wk[k1, k2, n, m];
        double[] xd = x.Data;
        var z = Tensor.Zeros(g.Batch, m1, m2, g.Cout);
        Parallel.For(0, g.Batch * m1, Parallelism.Options, row =>
        {
            int b = row / m1, i1 = row % m1;
            for (int i2 = 0; i2 < m2; i2++)
                for (int m = 0; m < g.Cout; m++)
                {
                    int group = m / g.CoutPerGroup;
                    double sum = 0;
                    for (int k1 = 0; k1 < g.K1; k1++)
                    {
                        int r = i1 * g.S1 + k1 * g.D1 - g.Out1.Before;
                        if (r < 0 || r >= g.N1) continue;
                        for (int k2 = 0; k2 < g.K2; k2++)
                        {
                            int c = i2 * g.S2 + k2 * g.D2 - g.Out2.Before;
                            if (c < 0 || c >= g.N2) continue;
                            int xo = ((b * g.N1 + r) * g.N2 + c) * g.Cin + group * cpg;
                            int wo = ((m * g.K1 + k1) * g.K2 + k2) * cpg;
                            for (int n = 0; n < cpg; n++)
                                sum += wt[wo + n] * xd[xo + n];
                        }
                    }
                    if (bias != null) sum += bias.Data[m];
                    z.Data[((b * m1 + i1) * m2 + i2) * g.Cout + m] = sum;
                }
        });
        return z;
    }

    /// <summary>The kernel flipped in every spatial axis: W~[k1,k2,…] = W[K1−1−k1, K2−1−k2, …] (the matched filter).</summary>
    public static Tensor Flip(Tensor w)
    {
        var f = Tensor.Zeros(w.Shape);
        int spatial = Math.Min(w.Rank, 2);
        for (int o = 0; o < w.Length; o++)
        {
            int[] idx = w.IndexOf(o);
            for (int ax = 0; ax < spatial; ax++) idx[ax] = w.Shape[ax] - 1 - idx[ax];
            f[idx] = w.Data[o];
        }
        return f;
    }
}

/// <summary>
/// Padding and strides of a conv1d or conv2d call, validated once so that every backend reports
/// the same errors as the reference. conv1d is a single row: its strides and dilation are the
/// column components.
/// </summary>
public sealed record ConvGeometry(AxisPadding Rows, AxisPadding Cols, Pair Strides)
{
    /// <summary>Validates conv1d's x[N], w[K] and attributes.</summary>
    public static ConvGeometry Of1d(Tensor x, Tensor w, OpAttributes a)
    {
        Check.Rank(x, 1, "x", "[N]");
        Check.Rank(w, 1, "w", "[K]");
        Check.NonEmpty(x, "x");
        Check.NonEmpty(w, "w");
        Pair s = a.Strides ?? Pair.Of(1);
        var cols = a.Padding.Resolve(1, x.Shape[0], w.Shape[0], s.Cols, a.Dilation.Cols, "w");
        return new ConvGeometry(new AxisPadding(0, 0, 1), cols, new Pair(1, s.Cols));
    }

    /// <summary>Validates conv2d's x[N1,N2], w[K1,K2] and attributes.</summary>
    public static ConvGeometry Of2d(Tensor x, Tensor w, OpAttributes a)
    {
        Check.Rank(x, 2, "x", "[N1,N2]");
        Check.Rank(w, 2, "w", "[K1,K2]");
        Check.NonEmpty(x, "x");
        Check.NonEmpty(w, "w");
        Pair s = a.Strides ?? Pair.Of(1);
        var rows = a.Padding.Resolve(0, x.Shape[0], w.Shape[0], s.Rows, a.Dilation.Rows, "w");
        var cols = a.Padding.Resolve(1, x.Shape[1], w.Shape[1], s.Cols, a.Dilation.Cols, "w");
        return new ConvGeometry(rows, cols, s);
    }
}

/// <summary>Shapes, strides and padding of a conv2d_layer call, validated once for forward and backward.</summary>
public sealed record LayerGeometry(
    int Batch, int N1, int N2, int Cin, int K1, int K2, int Cout, int Groups,
    int S1, int S2, int D1, int D2, AxisPadding Out1, AxisPadding Out2)
{
    /// <summary>Input channels per group.</summary>
    public int CinPerGroup => Cin / Groups;

    /// <summary>Output channels per group.</summary>
    public int CoutPerGroup => Cout / Groups;

    /// <summary>The output shape [B, M1, M2, Cout].</summary>
    public int[] OutputShape => [Batch, Out1.OutputSize, Out2.OutputSize, Cout];

    /// <summary>Validates x[B,N1,N2,Cin], w[K1,K2,Cin/G,Cout], b[Cout] and the attributes.</summary>
    public static LayerGeometry Of(Tensor x, Tensor w, Tensor? bias, OpAttributes a)
    {
        Check.Rank(x, 4, "x", "[B,N1,N2,Cin] (NHWC)");
        Check.Rank(w, 4, "w", "[K1,K2,Cin/groups,Cout] (HWIO)");
        Check.NonEmpty(x, "x");
        Check.NonEmpty(w, "w");
        int cin = x.Shape[3], cout = w.Shape[3], groups = a.Groups;
        if (groups < 1) throw new OpArgumentException("groups", "a positive integer", groups.ToString());
        if (cin % groups != 0)
            throw new OpArgumentException("groups", $"a divisor of the input channels Cin = {cin}", groups.ToString());
        if (cout % groups != 0)
            throw new OpArgumentException("groups", $"a divisor of the output channels Cout = {cout}", groups.ToString());
        Check.Equal(w.Shape[2], cin / groups, "w", "axis 2 (input channels per group) Cin/groups");
        if (bias != null) Check.Shape(bias, [cout], "b");
        Pair s = a.Strides ?? Pair.Of(1);
        var p1 = a.Padding.Resolve(0, x.Shape[1], w.Shape[0], s.Rows, a.Dilation.Rows, "w");
        var p2 = a.Padding.Resolve(1, x.Shape[2], w.Shape[1], s.Cols, a.Dilation.Cols, "w");
        Tensor.SizeOf([x.Shape[0], p1.OutputSize, p2.OutputSize, cout], "y");
        return new LayerGeometry(x.Shape[0], x.Shape[1], x.Shape[2], cin, w.Shape[0], w.Shape[1], cout, groups,
            s.Rows, s.Cols, a.Dilation.Rows, a.Dilation.Cols, p1, p2);
    }
}

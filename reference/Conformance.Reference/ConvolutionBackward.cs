namespace Conformance.Reference;

/// <summary>
/// conv2d_layer_backward (spec/gradients.md): given x, w and dy = ∂J/∂Z, returns dx, dw, db.
/// Each gradient element is written as the sum the chain rule gives for it (gather form), in a
/// fixed order, so the result does not depend on the thread count.
/// </summary>
public static class ConvolutionBackward
{
    /// <summary>
    /// dW[k1,k2,n,m] = Σ_b Σ_i1 Σ_i2 dY[b,i1,i2,m]·X[b, i1·s1 + k1·d1 − pt, i2·s2 + k2·d2 − pl, g·Cin/G + n];
    /// dX[b,r,c,g·Cin/G + n] = Σ_m∈g Σ_k1 Σ_k2 W[k1,k2,n,m]·dY[b,i1,i2,m] over the (i1,i2) with i1·s1 + k1·d1 − pt = r and i2·s2 + k2·d2 − pl = c;
    /// db[m] = Σ_b Σ_i1 Σ_i2 dY[b,i1,i2,m]. With reversal the kernel is flipped before and dW flipped back after.
    /// </summary>
    [Op("conv2d_layer_backward")]
    public static (Tensor Dx, Tensor Dw, Tensor Db) Conv2dLayerBackward(Tensor x, Tensor w, Tensor dy, OpAttributes a)
    {
        var g = LayerGeometry.Of(x, w, null, a);
        Check.Shape(dy, g.OutputShape, "dy");
        Tensor wk = a.Reversal ? Convolution.Flip(w) : w;
        int m1 = g.Out1.OutputSize, m2 = g.Out2.OutputSize, cpg = g.CinPerGroup;
        // Copies in channel-major layouts ([n][m][k1][k2] for the kernel, [b][m][i1][i2] for dY,
        // [b][ch][r][c] for X) so the inner loops read memory in order. Only the layout changes:
        // each gradient element is summed over the same terms in the order the formula gives.
        var wt = new double[wk.Length];
        for (int k1 = 0; k1 < g.K1; k1++)
            for (int k2 = 0; k2 < g.K2; k2++)
                for (int n = 0; n < cpg; n++)
                    for (int m = 0; m < g.Cout; m++)
                        wt[((n * g.Cout + m) * g.K1 + k1) * g.K2 + k2] = wk[k1, k2, n, m];
        double[] dyT = ChannelMajor(dy), xT = ChannelMajor(x);

        var dx = Tensor.Zeros(x.Shape);
        Parallel.For(0, g.Batch * g.N1, Parallelism.Options, row =>
        {
            int b = row / g.N1, r = row % g.N1;
            var rowTaps = Taps(r, g.K1, g.D1, g.S1, g.Out1.Before, m1);
            for (int c = 0; c < g.N2; c++)
            {
                var colTaps = Taps(c, g.K2, g.D2, g.S2, g.Out2.Before, m2);
                for (int ch = 0; ch < g.Cin; ch++)
                {
                    int group = ch / cpg, n = ch % cpg;
                    double sum = 0;
                    for (int m = group * g.CoutPerGroup; m < (group + 1) * g.CoutPerGroup; m++)
                    {
                        int wo = (n * g.Cout + m) * g.K1, yo = (b * g.Cout + m) * m1;
                        for (int t1 = 0; t1 < rowTaps.Length; t1++)
                        {
                            int wRow = (wo + rowTaps[t1].K) * g.K2, yRow = (yo + rowTaps[t1].I) * m2;
                            for (int t2 = 0; t2 < colTaps.Length; t2++)
                                sum += wt[wRow + colTaps[t2].K] * dyT[yRow + colTaps[t2].I];
                        }
                    }
                    dx[b, r, c, ch] = sum;
                }
            }
        });

        var dwk = Tensor.Zeros(w.Shape);
        Parallel.For(0, g.K1 * g.K2 * cpg, Parallelism.Options, tap =>
        {
            int k1 = tap / (g.K2 * cpg), k2 = tap / cpg % g.K2, n = tap % cpg;
            // The output columns whose input column lies inside the image, in increasing i2.
            int lo = 0, hi = m2;
            while (lo < m2 && lo * g.S2 + k2 * g.D2 - g.Out2.Before < 0) lo++;
            while (hi > lo && (hi - 1) * g.S2 + k2 * g.D2 - g.Out2.Before >= g.N2) hi--;
            for (int m = 0; m < g.Cout; m++)
            {
                int ch = (m / g.CoutPerGroup) * cpg + n;
                double sum = 0;
                for (int b = 0; b < g.Batch; b++)
                {
                    int yo = (b * g.Cout + m) * m1, xo = (b * g.Cin + ch) * g.N1;
                    for (int i1 = 0; i1 < m1; i1++)
                    {
                        int r = i1 * g.S1 + k1 * g.D1 - g.Out1.Before;
                        if (r < 0 || r >= g.N1) continue;
                        int yRow = (yo + i1) * m2, xRow = (xo + r) * g.N2 + k2 * g.D2 - g.Out2.Before;
                        for (int i2 = lo; i2 < hi; i2++)
                            sum += dyT[yRow + i2] * xT[xRow + i2 * g.S2];
                    }
                }
                dwk[k1, k2, n, m] = sum;
            }
        });

        var db = Tensor.Zeros(g.Cout);
        for (int m = 0; m < g.Cout; m++)
        {
            double sum = 0;
            for (int b = 0; b < g.Batch; b++)
                for (int i = 0; i < m1 * m2; i++)
                    sum += dyT[(b * g.Cout + m) * m1 * m2 + i];
            db.Data[m] = sum;
        }
        return (dx, a.Reversal ? Convolution.Flip(dwk) : dwk, db);
    }

    /// <summary>An NHWC tensor's elements in [B][C][H][W] order.</summary>
    private static double[] ChannelMajor(Tensor t)
    {
        int batch = t.Shape[0], h = t.Shape[1], wd = t.Shape[2], c = t.Shape[3];
        var result = new double[t.Length];
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < h; r++)
                for (int col = 0; col < wd; col++)
                    for (int ch = 0; ch < c; ch++)
                        result[((b * c + ch) * h + r) * wd + col] = t.Data[((b * h + r) * wd + col) * c + ch];
        return result;
    }

    /// <summary>
    /// The (k, i) pairs, k increasing, whose output position i reads input position
    /// <paramref name="p"/>: i·s + k·d − before = p with 0 ≤ i &lt; outputs.
    /// </summary>
    private static (int K, int I)[] Taps(int p, int kernel, int dilation, int stride, int before, int outputs)
    {
        var taps = new List<(int, int)>();
        for (int k = 0; k < kernel; k++)
        {
            int t = p + before - k * dilation;
            if (t >= 0 && t % stride == 0 && t / stride < outputs) taps.Add((k, t / stride));
        }
        return taps.ToArray();
    }
}

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
        int m1 = g.Out1.OutputSize, m2 = g.Out2.OutputSize;

        var dx = Tensor.Zeros(x.Shape);
        Parallel.For(0, g.Batch * g.N1, Parallelism.Options, row =>
        {
            int b = row / g.N1, r = row % g.N1;
            for (int c = 0; c < g.N2; c++)
                for (int ch = 0; ch < g.Cin; ch++)
                {
                    int group = ch / g.CinPerGroup, n = ch % g.CinPerGroup;
                    double sum = 0;
                    for (int m = group * g.CoutPerGroup; m < (group + 1) * g.CoutPerGroup; m++)
                        for (int k1 = 0; k1 < g.K1; k1++)
                        {
                            int t1 = r + g.Out1.Before - k1 * g.D1;
                            if (t1 < 0 || t1 % g.S1 != 0 || t1 / g.S1 >= m1) continue;
                            for (int k2 = 0; k2 < g.K2; k2++)
                            {
                                int t2 = c + g.Out2.Before - k2 * g.D2;
                                if (t2 < 0 || t2 % g.S2 != 0 || t2 / g.S2 >= m2) continue;
                                sum += wk[k1, k2, n, m] * dy[b, t1 / g.S1, t2 / g.S2, m];
                            }
                        }
                    dx[b, r, c, ch] = sum;
                }
        });

        var dwk = Tensor.Zeros(w.Shape);
        Parallel.For(0, g.K1, Parallelism.Options, k1 =>
        {
            for (int k2 = 0; k2 < g.K2; k2++)
                for (int n = 0; n < g.CinPerGroup; n++)
                    for (int m = 0; m < g.Cout; m++)
                    {
                        int ch = (m / g.CoutPerGroup) * g.CinPerGroup + n;
                        double sum = 0;
                        for (int b = 0; b < g.Batch; b++)
                            for (int i1 = 0; i1 < m1; i1++)
                            {
                                int r = i1 * g.S1 + k1 * g.D1 - g.Out1.Before;
                                if (r < 0 || r >= g.N1) continue;
                                for (int i2 = 0; i2 < m2; i2++)
                                {
                                    int c = i2 * g.S2 + k2 * g.D2 - g.Out2.Before;
                                    if (c < 0 || c >= g.N2) continue;
                                    sum += dy[b, i1, i2, m] * x[b, r, c, ch];
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
                for (int i1 = 0; i1 < m1; i1++)
                    for (int i2 = 0; i2 < m2; i2++)
                        sum += dy[b, i1, i2, m];
            db.Data[m] = sum;
        }
        return (dx, a.Reversal ? Convolution.Flip(dwk) : dwk, db);
    }
}

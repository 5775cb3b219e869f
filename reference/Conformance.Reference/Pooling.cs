namespace Conformance.Reference;

/// <summary>
/// max_pool2d, avg_pool2d and their backward ops on NHWC tensors (spec/pooling-activation-dense.md).
/// Padded positions never count: max ignores them and avg divides by the number of real samples.
/// </summary>
public static class Pooling
{
    /// <summary>Y[b,i1,i2,c] = max over real (r,q) in the window of X[b,r,q,c]; NaN when the window holds a NaN.</summary>
    [Op("max_pool2d")]
    public static Tensor MaxPool2d(Tensor x, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        var y = Tensor.Zeros(g.OutputShape);
        ForEachWindow(g, (b, i1, i2, c) =>
        {
            var (r, q) = ArgMax(x, g, b, i1, i2, c);
            y[b, i1, i2, c] = x[b, r, q, c];
        });
        return y;
    }

    /// <summary>Y[b,i1,i2,c] = (Σ over real (r,q) in the window of X[b,r,q,c]) / (number of real samples).</summary>
    [Op("avg_pool2d")]
    public static Tensor AvgPool2d(Tensor x, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        var y = Tensor.Zeros(g.OutputShape);
        ForEachWindow(g, (b, i1, i2, c) =>
        {
            double sum = 0;
            int count = 0;
            foreach (var (r, q) in g.Window(i1, i2))
            {
                sum += x[b, r, q, c];
                count++;
            }
            y[b, i1, i2, c] = sum / count;
        });
        return y;
    }

    /// <summary>dX[b,r,q,c] = Σ of dY[b,i1,i2,c] over the windows whose first maximal element (row-major window order; a NaN ranks above every number) is (r,q).</summary>
    [Op("max_pool2d_backward")]
    public static Tensor MaxPool2dBackward(Tensor x, Tensor dy, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        Check.Shape(dy, g.OutputShape, "dy");
        var dx = Tensor.Zeros(x.Shape);
        // Windows are visited in row-major order within each (b, c), so every dX element sums in a fixed order.
        Parallel.For(0, g.Batch, Parallelism.Options, b =>
        {
            for (int c = 0; c < g.Channels; c++)
                for (int i1 = 0; i1 < g.Rows.OutputSize; i1++)
                    for (int i2 = 0; i2 < g.Cols.OutputSize; i2++)
                    {
                        var (r, q) = ArgMax(x, g, b, i1, i2, c);
                        dx[b, r, q, c] += dy[b, i1, i2, c];
                    }
        });
        return dx;
    }

    /// <summary>dX[b,r,q,c] = Σ over the windows containing (r,q) of dY[b,i1,i2,c] / (real samples in that window).</summary>
    [Op("avg_pool2d_backward")]
    public static Tensor AvgPool2dBackward(Tensor x, Tensor dy, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        Check.Shape(dy, g.OutputShape, "dy");
        var dx = Tensor.Zeros(x.Shape);
        Parallel.For(0, g.Batch, Parallelism.Options, b =>
        {
            for (int c = 0; c < g.Channels; c++)
                for (int i1 = 0; i1 < g.Rows.OutputSize; i1++)
                    for (int i2 = 0; i2 < g.Cols.OutputSize; i2++)
                    {
                        var window = g.Window(i1, i2).ToList();
                        foreach (var (r, q) in window)
                            dx[b, r, q, c] += dy[b, i1, i2, c] / window.Count;
                    }
        });
        return dx;
    }

    private static (int Row, int Col) ArgMax(Tensor x, PoolGeometry g, int b, int i1, int i2, int c)
    {
        (int, int) best = (-1, -1);
        double max = double.NegativeInfinity;
        foreach (var (r, q) in g.Window(i1, i2))
        {
            // Strictly greater keeps the first maximal element in row-major window order. A NaN
            // ranks above every number (and equal to another NaN), so the first NaN of the window
            // is its maximum: NaN propagates, and finite windows are compared exactly as before.
            double v = x[b, r, q, c];
            if (best.Item1 < 0 || v > max || (double.IsNaN(v) && !double.IsNaN(max)))
            {
                max = v;
                best = (r, q);
            }
        }
        return best;
    }

    private static void ForEachWindow(PoolGeometry g, Action<int, int, int, int> body) =>
        Parallel.For(0, g.Batch, Parallelism.Options, b =>
        {
            for (int i1 = 0; i1 < g.Rows.OutputSize; i1++)
                for (int i2 = 0; i2 < g.Cols.OutputSize; i2++)
                    for (int c = 0; c < g.Channels; c++)
                        body(b, i1, i2, c);
        });
}

/// <summary>Shapes, strides and padding of a pooling call.</summary>
public sealed record PoolGeometry(int Batch, int N1, int N2, int Channels, Pair Pool, Pair Strides, AxisPadding Rows, AxisPadding Cols)
{
    /// <summary>The output shape [B, M1, M2, C].</summary>
    public int[] OutputShape => [Batch, Rows.OutputSize, Cols.OutputSize, Channels];

    /// <summary>The real (non-padded) input positions of window (i1, i2), in row-major window order.</summary>
    public IEnumerable<(int Row, int Col)> Window(int i1, int i2)
    {
        for (int k1 = 0; k1 < Pool.Rows; k1++)
        {
            int r = i1 * Strides.Rows + k1 - Rows.Before;
            if (r < 0 || r >= N1) continue;
            for (int k2 = 0; k2 < Pool.Cols; k2++)
            {
                int q = i2 * Strides.Cols + k2 - Cols.Before;
                if (q >= 0 && q < N2) yield return (r, q);
            }
        }
    }

    /// <summary>Validates x[B,N1,N2,C], pool, strides (default: pool) and padding (valid, same, same_lower).</summary>
    public static PoolGeometry Of(Tensor x, OpAttributes a)
    {
        Check.Rank(x, 4, "x", "[B,N1,N2,C] (NHWC)");
        Check.NonEmpty(x, "x");
        Pair pool = a.Pool ?? throw new OpArgumentException("pool", "a pool size P or P1,P2", "none");
        if (a.Padding.Mode is not (PaddingMode.Valid or PaddingMode.Same or PaddingMode.SameLower))
            throw new OpArgumentException("padding", "valid, same or same_lower for pooling", a.Padding.ToString());
        Pair s = a.Strides ?? pool;
        var rows = a.Padding.Resolve(0, x.Shape[1], pool.Rows, s.Rows, 1, "pool");
        var cols = a.Padding.Resolve(1, x.Shape[2], pool.Cols, s.Cols, 1, "pool");
        return new PoolGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], pool, s, rows, cols);
    }
}

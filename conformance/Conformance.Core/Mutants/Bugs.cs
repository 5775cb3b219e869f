using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Mutants;

/// <summary>
/// The injected bugs of <see cref="MutantCatalog"/>: call rewrites, output rewrites, and the few
/// wrong implementations that cannot be had by rewriting (written as plain loops, like the reference).
/// </summary>
internal static class Bugs
{
    public static OpCall WithAttributes(OpCall c, Func<OpAttributes, OpAttributes> f) => c with { Attributes = f(c.Attributes) };

    /// <summary>The call with input <paramref name="name"/> replaced, when it has one.</summary>
    public static OpCall WithInput(OpCall c, string name, Func<Tensor, Tensor> f) =>
        c.Inputs.TryGetValue(name, out var t) ? c with { Inputs = new Dictionary<string, Tensor>(c.Inputs) { [name] = f(t) } } : c;

    /// <summary>The outputs with <paramref name="name"/> replaced, when present.</summary>
    public static IReadOnlyDictionary<string, Tensor> WithOutput(IReadOnlyDictionary<string, Tensor> r, string name, Func<Tensor, Tensor> f) =>
        r.TryGetValue(name, out var t) ? new Dictionary<string, Tensor>(r) { [name] = f(t) } : r;

    /// <summary>Maps every element with its flat index.</summary>
    public static Tensor Map(this Tensor t, Func<int, double, double> f)
    {
        var m = t.Clone();
        for (int i = 0; i < m.Length; i++) m.Data[i] = f(i, m.Data[i]);
        return m;
    }

    /// <summary>Every operand rounded to <paramref name="p"/>'s input format when an output sums more than <paramref name="terms"/> terms.</summary>
    public static OpCall RoundLongReductions(OpCall c, PrecisionClass p, long terms)
    {
        if (c.Info.Kind != OpKind.Linear || c.Info.Outputs.Max(o => ErrorModel.AccumulatedTerms(c, o)) <= terms) return c;
        return c with { Inputs = c.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value.Map(p.RoundToInput)) };
    }

    /// <summary>NHWC x with channel group g holding group g + 1's channels.</summary>
    public static Tensor RotateChannelGroups(Tensor x, int groups)
    {
        int c = x.Shape[^1], per = c / groups;
        return x.Map((i, _) => x.Data[i - i % c + ((i % c / per + 1) % groups) * per + i % c % per]);
    }

    /// <summary>The storage of [..., A, B] read as [..., B, A] and transposed back: the last two axes' order confused.</summary>
    public static Tensor SwapLastAxesOfStorage(Tensor t)
    {
        int a = t.Shape[^2], b = t.Shape[^1];
        return t.Map((i, _) => t.Data[i - i % (a * b) + i % b * a + i % (a * b) / b]);
    }

    /// <summary>A kernel [K1, K2, ...] whose storage is read with rows and columns swapped.</summary>
    public static Tensor TransposeSpatialStorage(Tensor w)
    {
        int k1 = w.Shape[0], k2 = w.Shape[1], inner = w.Length / (k1 * k2);
        return w.Map((i, _) =>
        {
            int cell = i / inner, r = cell / k2, q = cell % k2;
            return w.Data[(q * k1 + r) * inner + i % inner];
        });
    }

    /// <summary>x with every sample a copy of sample 0.</summary>
    public static Tensor FirstSampleEverywhere(Tensor x)
    {
        int per = x.Length / x.Shape[0];
        return x.Map((i, _) => x.Data[i % per]);
    }

    /// <summary>Elements past the last whole tile of 16 (in storage order) left at 0.</summary>
    public static Tensor ZeroLastPartialTile(Tensor y)
    {
        int written = y.Length / 16 * 16;
        return y.Map((i, v) => i < written ? v : 0);
    }

    /// <summary>NHWC y whose rows 8, 16, … repeat the row 8 before them.</summary>
    public static Tensor StaleFirstRowOfTiles(Tensor y)
    {
        int rowLength = y.Shape[2] * y.Shape[3], rows = y.Shape[1];
        return y.Map((i, v) => (i / rowLength % rows) is var r && r >= 8 && r % 8 == 0 ? y.Data[i - 8 * rowLength] : v);
    }

    /// <summary>[B, H, W, C] flattened in channels-first order: y[b, (c·H + h)·W + w] = x[b, h, w, c].</summary>
    public static Tensor FlattenChannelsFirst(Tensor x, Tensor y)
    {
        if (x.Rank != 4) return y;
        int h = x.Shape[1], w = x.Shape[2], c = x.Shape[3], per = h * w * c;
        return y.Map((i, _) =>
        {
            int b = i / per, j = i % per, ch = j / (h * w), row = j % (h * w) / w, col = j % w;
            return x.Data[b * per + (row * w + col) * c + ch];
        });
    }

    /// <summary>fp32 softmax without the max shift: exp(x) overflows to ∞ past 88.7, and ∞/∞ is NaN.</summary>
    public static Tensor SoftmaxWithoutShift(Tensor x)
    {
        int c = x.Shape[^1];
        var y = Tensor.Zeros(x.Shape);
        for (int row = 0; row < x.Length / c; row++)
        {
            float sum = 0;
            for (int j = 0; j < c; j++) sum += MathF.Exp((float)x.Data[row * c + j]);
            for (int j = 0; j < c; j++) y.Data[row * c + j] = MathF.Exp((float)x.Data[row * c + j]) / sum;
        }
        return y;
    }

    /// <summary>dense with every dot product accumulated in fp16.</summary>
    public static Tensor DenseAccumulatedInHalf(OpCall c)
    {
        var (x, w) = (c.Inputs["x"], c.Inputs["w"]);
        var (batch, nin, nout) = Check.Dense(x, w);
        var y = Tensor.Zeros(batch, nout);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < nout; j++)
            {
                Half sum = (Half)0;
                for (int i = 0; i < nin; i++) sum = (Half)((double)sum + x[b, i] * w[i, j]);
                if (c.Inputs.TryGetValue("b", out var bias)) sum = (Half)((double)sum + bias.Data[j]);
                y[b, j] = (double)sum;
            }
        return y;
    }

    /// <summary>The reference's dW computed from a dY whose first output position (every channel) was lost.</summary>
    public static Tensor DwWithoutFirstPosition(OpCall c)
    {
        var dy = c.Inputs["dy"];
        int channels = dy.Shape[^1];
        var lost = dy.Map((i, v) => i < channels ? 0 : v);
        var inputs = new Dictionary<string, Tensor>(c.Inputs) { ["dy"] = lost };
        return OpCatalog.Evaluate(c.Op, inputs, c.Attributes)["dw"];
    }

    /// <summary>conv2d_layer's dX where i = t / s is taken even when s does not divide t.</summary>
    public static Tensor DxIgnoringStrideHoles(OpCall c)
    {
        var (x, w, dy, a) = (c.Inputs["x"], c.Inputs["w"], c.Inputs["dy"], c.Attributes);
        var g = LayerGeometry.Of(x, w, null, a);
        var wk = a.Reversal ? Convolution.Flip(w) : w;
        var dx = Tensor.Zeros(x.Shape);
        for (int b = 0; b < g.Batch; b++)
            for (int r = 0; r < g.N1; r++)
                for (int q = 0; q < g.N2; q++)
                    for (int ch = 0; ch < g.Cin; ch++)
                    {
                        int group = ch / g.CinPerGroup, n = ch % g.CinPerGroup;
                        double sum = 0;
                        for (int m = group * g.CoutPerGroup; m < (group + 1) * g.CoutPerGroup; m++)
                            for (int k1 = 0; k1 < g.K1; k1++)
                                for (int k2 = 0; k2 < g.K2; k2++)
                                {
                                    int t1 = r + g.Out1.Before - k1 * g.D1, t2 = q + g.Out2.Before - k2 * g.D2;
                                    if (t1 < 0 || t2 < 0 || t1 / g.S1 >= g.Out1.OutputSize || t2 / g.S2 >= g.Out2.OutputSize) continue;
                                    sum += wk[k1, k2, n, m] * dy[b, t1 / g.S1, t2 / g.S2, m];
                                }
                        dx[b, r, q, ch] = sum;
                    }
        return dx;
    }

    /// <summary>Average pooling that divides by the whole window, padded positions included.</summary>
    public static Tensor AvgCountingPads(OpCall c) => Pool(c, (x, g, b, ch, window) =>
        window.Sum(p => x[b, p.Row, p.Col, ch]) / (g.Pool.Rows * g.Pool.Cols));

    /// <summary>Max pooling where a window reaching into the padding also sees zeros.</summary>
    public static Tensor MaxWithZeroPadding(OpCall c) => Pool(c, (x, g, b, ch, window) =>
    {
        double max = window.Max(p => x[b, p.Row, p.Col, ch]);
        return window.Count < g.Pool.Rows * g.Pool.Cols ? Math.Max(max, 0) : max;
    });

    /// <summary>The average-pooling gradient spread as dy / (P1·P2) over the real positions of each window.</summary>
    public static Tensor AvgBackwardCountingPads(OpCall c) =>
        Scatter(c, (x, g, b, ch, window, dy) => window.Select(p => (p, dy / (g.Pool.Rows * g.Pool.Cols))));

    /// <summary>The max-pooling gradient routed to the last maximal element of each window.</summary>
    public static Tensor MaxBackwardToLastMaximum(OpCall c) => Scatter(c, (x, g, b, ch, window, dy) =>
    {
        var last = window[0];
        foreach (var p in window)
            if (x[b, p.Row, p.Col, ch] >= x[b, last.Row, last.Col, ch]) last = p;
        return [(last, dy)];
    });

    private delegate double WindowValue(Tensor x, PoolGeometry g, int b, int ch, List<(int Row, int Col)> window);

    private delegate IEnumerable<((int Row, int Col) At, double Value)> WindowShares(
        Tensor x, PoolGeometry g, int b, int ch, List<(int Row, int Col)> window, double dy);

    private static Tensor Pool(OpCall c, WindowValue value)
    {
        var x = c.Inputs["x"];
        var g = PoolGeometry.Of(x, c.Attributes);
        var y = Tensor.Zeros(g.OutputShape);
        for (int b = 0; b < g.Batch; b++)
            for (int i1 = 0; i1 < g.Rows.OutputSize; i1++)
                for (int i2 = 0; i2 < g.Cols.OutputSize; i2++)
                    for (int ch = 0; ch < g.Channels; ch++)
                        y[b, i1, i2, ch] = value(x, g, b, ch, g.Window(i1, i2).ToList());
        return y;
    }

    private static Tensor Scatter(OpCall c, WindowShares shares)
    {
        var (x, dy) = (c.Inputs["x"], c.Inputs["dy"]);
        var g = PoolGeometry.Of(x, c.Attributes);
        var dx = Tensor.Zeros(x.Shape);
        for (int b = 0; b < g.Batch; b++)
            for (int i1 = 0; i1 < g.Rows.OutputSize; i1++)
                for (int i2 = 0; i2 < g.Cols.OutputSize; i2++)
                    for (int ch = 0; ch < g.Channels; ch++)
                        foreach (var (at, v) in shares(x, g, b, ch, g.Window(i1, i2).ToList(), dy[b, i1, i2, ch]))
                            dx[b, at.Row, at.Col, ch] += v;
        return dx;
    }
}

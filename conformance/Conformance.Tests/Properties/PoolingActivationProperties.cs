using Conformance.Reference;
using Conformance.Tests.Oracles;
using Xunit;

namespace Conformance.Tests.Properties;

/// <summary>Pooling never counts padding, relu'(0) = 0, ties route to the first element, NaN propagates through max pooling, softmax and cross-entropy identities.</summary>
public class PoolingActivationProperties
{
    private const int Cases = 400;

    /// <summary>2^−53, the unit roundoff of double.</summary>
    private const double U = 1.1102230246251565e-16;

    /// <summary>The real input positions of pooling window (i1, i2) in row-major window order, from the spec formulas.</summary>
    internal static IEnumerable<(int R, int Q)> Window(OpAttributes a, int n1, int n2, int i1, int i2)
    {
        Pair p = a.Pool!.Value, s = a.Strides ?? p;
        SpecAxis rows = SpecGeometry.PoolAxis(a, 0, n1), cols = SpecGeometry.PoolAxis(a, 1, n2);
        for (int k1 = 0; k1 < p.Rows; k1++)
            for (int k2 = 0; k2 < p.Cols; k2++)
            {
                int r = i1 * s.Rows + k1 - rows.Before, q = i2 * s.Cols + k2 - cols.Before;
                if (r >= 0 && r < n1 && q >= 0 && q < n2) yield return (r, q);
            }
    }

    [ConformanceProperty(Cases)]
    public void PoolOutputSizesMatchTheFormulas(PoolCase c)
    {
        Pair p = c.A.Pool!.Value, s = c.A.Strides ?? p;
        int Out(int n, int k, int st) => c.A.Padding.Mode == PaddingMode.Valid ? (n - k) / st + 1 : (n + st - 1) / st;
        int[] expected = [c.X.Shape[0], Out(c.X.Shape[1], p.Rows, s.Rows), Out(c.X.Shape[2], p.Cols, s.Cols), c.X.Shape[3]];
        Assert.Equal(expected, Ref.One("max_pool2d", c.A, ("x", c.X)).Shape);
        Assert.Equal(expected, Ref.One("avg_pool2d", c.A, ("x", c.X)).Shape);
    }

    [ConformanceProperty(Cases)]
    public void AvgAndMaxOfAConstantImageAreThatConstantEvenWithPadding(Extra<PoolCase> e)
    {
        // A dyadic constant: count·v is exact and so is its division by count.
        double v = (e.P % 33 - 16) / 8.0;
        var x = e.Case.X.Map(_ => v);
        var expected = e.Case.Dy.Map(_ => v);
        TT.Exact(expected, Ref.One("avg_pool2d", e.Case.A, ("x", x)), $"avg_pool2d of constant {v}");
        TT.Exact(expected, Ref.One("max_pool2d", e.Case.A, ("x", x)), $"max_pool2d of constant {v}");
    }

    [ConformanceProperty(Cases)]
    public void MaxOfANegativeImageIsNeverAPaddedZero(PoolCase c)
    {
        var x = c.X.Map(v => -1 - Math.Abs(v));
        var y = Ref.One("max_pool2d", c.A, ("x", x));
        for (int b = 0; b < y.Shape[0]; b++)
            for (int i1 = 0; i1 < y.Shape[1]; i1++)
                for (int i2 = 0; i2 < y.Shape[2]; i2++)
                    for (int ch = 0; ch < y.Shape[3]; ch++)
                    {
                        double max = Window(c.A, x.Shape[1], x.Shape[2], i1, i2).Max(t => x[b, t.R, t.Q, ch]);
                        Assert.True(y[b, i1, i2, ch] < 0, $"max_pool2d gave {y[b, i1, i2, ch]} at ({b},{i1},{i2},{ch}) of an all-negative image");
                        Assert.Equal(max, y[b, i1, i2, ch]);
                    }
    }

    [ConformanceProperty(Cases)]
    public void MaxPoolBackwardRoutesTiesToTheFirstElementOfTheWindow(PoolCase c)
    {
        // Values in −2..2 tie often; the constant image ties everywhere.
        foreach (var x in new[] { c.X, c.X.Map(_ => 1.0) })
        {
            var expected = Tensor.Zeros(x.Shape);
            for (int b = 0; b < c.Dy.Shape[0]; b++)
                for (int i1 = 0; i1 < c.Dy.Shape[1]; i1++)
                    for (int i2 = 0; i2 < c.Dy.Shape[2]; i2++)
                        for (int ch = 0; ch < c.Dy.Shape[3]; ch++)
                        {
                            var window = Window(c.A, x.Shape[1], x.Shape[2], i1, i2).ToList();
                            double max = window.Max(t => x[b, t.R, t.Q, ch]);
                            var (r, q) = window.First(t => x[b, t.R, t.Q, ch] == max);
                            expected[b, r, q, ch] += c.Dy[b, i1, i2, ch];
                        }
            TT.Exact(expected, Ref.One("max_pool2d_backward", c.A, ("x", x), ("dy", c.Dy)), "dy routed to the first maximum");
        }
    }

    [ConformanceProperty(Cases)]
    public void MaxPoolPropagatesNaNAndRoutesToTheFirstNaN(Extra<PoolCase> e)
    {
        // Every k-th element (offset by Q) is NaN, so windows hold none, one or several; the windows
        // without one keep the first-maximum rule the finite properties above check.
        var c = e.Case;
        int every = e.P % 5 + 2, offset = e.Q % every;
        var x = c.X.Clone();
        for (int i = offset; i < x.Length; i += every) x.Data[i] = double.NaN;
        var y = Tensor.Zeros(c.Dy.Shape);
        var dx = Tensor.Zeros(x.Shape);
        for (int b = 0; b < c.Dy.Shape[0]; b++)
            for (int i1 = 0; i1 < c.Dy.Shape[1]; i1++)
                for (int i2 = 0; i2 < c.Dy.Shape[2]; i2++)
                    for (int ch = 0; ch < c.Dy.Shape[3]; ch++)
                    {
                        var window = Window(c.A, x.Shape[1], x.Shape[2], i1, i2).ToList();
                        var nan = window.Where(t => double.IsNaN(x[b, t.R, t.Q, ch])).ToList();
                        double max = nan.Count > 0 ? double.NaN : window.Max(t => x[b, t.R, t.Q, ch]);
                        var (r, q) = nan.Count > 0 ? nan[0] : window.First(t => x[b, t.R, t.Q, ch] == max);
                        y[b, i1, i2, ch] = max;
                        dx[b, r, q, ch] += c.Dy[b, i1, i2, ch];
                    }
        TT.Exact(y, Ref.One("max_pool2d", c.A, ("x", x)), "max_pool2d: NaN when the window holds one, else its maximum");
        TT.Exact(dx, Ref.One("max_pool2d_backward", c.A, ("x", x), ("dy", c.Dy)), "dy routed to the first NaN, else to the first maximum");
    }

    [ConformanceProperty(Cases)]
    public void ANaNChangesOnlyTheMaxPoolWindowsThatHoldIt(Extra<PoolCase> e)
    {
        // The NaN rule must leave every other window's output as it was, bit for bit.
        var c = e.Case;
        int at = e.P % c.X.Length;
        var x = c.X.Clone();
        x.Data[at] = double.NaN;
        int[] nanAt = x.IndexOf(at);
        var before = Ref.One("max_pool2d", c.A, ("x", c.X));
        var after = Ref.One("max_pool2d", c.A, ("x", x));
        for (int i = 0; i < after.Length; i++)
        {
            int[] o = after.IndexOf(i);
            bool holds = o[0] == nanAt[0] && o[3] == nanAt[3]
                && Window(c.A, x.Shape[1], x.Shape[2], o[1], o[2]).Contains((nanAt[1], nanAt[2]));
            if (holds) Assert.True(double.IsNaN(after.Data[i]), $"window {Tensor.Format(o)} holds the NaN but gave {after.Data[i]}");
            else Assert.Equal(BitConverter.DoubleToInt64Bits(before.Data[i]), BitConverter.DoubleToInt64Bits(after.Data[i]));
        }
    }

    [ConformanceProperty(Cases)]
    public void ReluDerivativeAtZeroIsZero(PoolCase c)
    {
        // x in −2..2 has many exact zeros (and −0 after negation).
        foreach (var x in new[] { c.X, c.X.Map(v => -v) })
        {
            var dy = x.Map(v => v * v + 1);
            var dx = Ref.One("relu_backward", OpAttributes.Default, ("x", x), ("dy", dy));
            TT.Exact(new Tensor(x.Shape, x.Data.Select((v, i) => v > 0 ? dy.Data[i] : 0.0).ToArray()), dx, "relu_backward");
            TT.Exact(x.Map(v => v > 0 ? v : 0.0), Ref.One("relu", OpAttributes.Default, ("x", x)), "relu");
        }
    }

    [ConformanceProperty(Cases)]
    public void SoftmaxRowsSumToOneAndAreShiftInvariant(Extra<LogitsCase> e)
    {
        // Multiples of 2^−10 plus an integer shift stay exact, so x − max is unchanged bit for bit.
        var x = e.Case.X.Map(v => Math.Round(v * 1024) / 1024);
        int rows = x.Shape[0], c = x.Shape[1];
        var y = Ref.One("softmax", OpAttributes.Default, ("x", x));
        // Each y_j carries ≤ (C + 4)·u relative error (C-term sum, exp, division); the row sum adds C·u more.
        double tol = (2 * c + 8) * U;
        for (int b = 0; b < rows; b++)
        {
            double sum = 0;
            for (int j = 0; j < c; j++)
            {
                Assert.InRange(y[b, j], 0.0, 1.0);
                sum += y[b, j];
            }
            Assert.InRange(sum - 1, -tol, tol);
        }
        double shift = e.P % 101 - 50;
        TT.Exact(y, Ref.One("softmax", OpAttributes.Default, ("x", x.Map(v => v + shift))), $"softmax(x + {shift})");
        TT.Exact(y.Reshape(rows, 1, c), Ref.One("softmax", OpAttributes.Default, ("x", x.Reshape(rows, 1, c))), "softmax over the last axis of rank 3");
    }

    [ConformanceProperty(Cases)]
    public void CrossEntropyOfUniformLogitsIsLnC(Extra<LogitsCase> e)
    {
        int rows = e.Case.X.Shape[0], c = e.Case.X.Shape[1];
        // Row b constant a_b: loss_b = a_b + ln C − a_b; two roundings of numbers ≤ |a| + ln C, then the mean.
        var x = new Tensor([rows, c], Enumerable.Range(0, rows * c).Select(i => e.Case.X.Data[i / c * c]).ToArray());
        double maxA = x.Data.Max(Math.Abs);
        double loss = Ref.One("softmax_cross_entropy", OpAttributes.Default, ("x", x), ("labels", e.Case.Labels)).Data[0];
        double tol = (4 + rows) * U * (maxA + Math.Log(c));
        Assert.InRange(loss - Math.Log(c), -tol, tol);
        var dx = Ref.One("softmax_cross_entropy_backward", OpAttributes.Default, ("x", x), ("labels", e.Case.Labels),
            ("dy", new Tensor([], [e.Case.Dy])));
        var expected = new Tensor([rows, c], Enumerable.Range(0, rows * c)
            .Select(i => e.Case.Dy * (1.0 / c - (i % c == (int)e.Case.Labels.Data[i / c] ? 1 : 0)) / rows).ToArray());
        TT.Close(expected, dx, 8 * U * Math.Abs(e.Case.Dy), "dy·(1/C − onehot)/B");
    }
}

using Conformance.Reference;
using Conformance.Tests.Properties;
using Xunit;

namespace Conformance.Tests.Oracles;

/// <summary>
/// <see cref="IndependentOps"/> against <see cref="OpCatalog.Evaluate"/> on random cases of every op:
/// exact on integer data, and on real data within a bound taken from the catalogue's error model with
/// the accumulator and inputs in double.
/// </summary>
public class IndependentOpsTests
{
    /// <summary>
    /// Linear ops: each result is within γ_n·mag of exact, mag = the op on |inputs|, n ≤ 150 terms per
    /// output in these cases (≤ 450 for weight gradients): 450·2^−53 ≈ 5e−14. Two such results differ by
    /// at most twice that; 1e−12 relative to Σ|terms| keeps a 10× margin.
    /// </summary>
    private const double LinearRelTolerance = 1e-12;

    /// <summary>Both implementations are within the catalogue's softmax/cross-entropy bound of exact, so within twice of each other.</summary>
    private const double BoundFactor = 2;

    private const double U = 1.1102230246251565e-16;
    private const double MinNormal = 2.2250738585072014e-308;
    private const double Kf = 4;

    private static double Gamma(int n) => n * U / (1 - n * U);

    private static Dictionary<string, Tensor> In(params (string Name, Tensor? T)[] inputs) =>
        inputs.Where(i => i.T != null).ToDictionary(i => i.Name, i => i.T!);

    /// <summary>Exact agreement on every output.</summary>
    private static void Exact(string op, OpAttributes a, Dictionary<string, Tensor> inputs)
    {
        var expected = IndependentOps.Evaluate(op, inputs, a);
        var actual = OpCatalog.Evaluate(op, inputs, a);
        Assert.Equal(OpCatalog.Get(op).Outputs.OrderBy(n => n), actual.Keys.OrderBy(n => n));
        foreach (var (name, t) in expected) TT.Exact(t, actual[name], $"{op}.{name}");
    }

    /// <summary>Agreement within LinearRelTolerance·mag, mag = the independent op on |inputs| (except a routing x, which keeps its sign).</summary>
    private static void Linear(string op, OpAttributes a, Dictionary<string, Tensor> inputs)
    {
        var expected = IndependentOps.Evaluate(op, inputs, a);
        var actual = OpCatalog.Evaluate(op, inputs, a);
        var abs = inputs.ToDictionary(kv => kv.Key, kv => op == "max_pool2d_backward" && kv.Key == "x" ? kv.Value : kv.Value.Abs());
        var mag = IndependentOps.Evaluate(op, abs, a);
        foreach (var (name, t) in expected)
            TT.Close(t, actual[name], i => LinearRelTolerance * mag[name].Data[i], $"{op}.{name}");
    }

    private static Tensor Realize(Tensor t) => t.Map(v => v / 7 + 0.013 * v * v);

    [ConformanceProperty(400)]
    public void Conv1dAgrees(Conv1dCase c)
    {
        Exact("conv1d", c.A, In(("x", c.X), ("w", c.W)));
        Linear("conv1d", c.A, In(("x", Realize(c.X)), ("w", Realize(c.W))));
    }

    [ConformanceProperty(400)]
    public void Conv2dAgrees(Conv2dCase c)
    {
        Exact("conv2d", c.A, In(("x", c.X), ("w", c.W)));
        Linear("conv2d", c.A, In(("x", Realize(c.X)), ("w", Realize(c.W))));
    }

    [ConformanceProperty(400)]
    public void LayerAndBackwardAgreeExactlyOnIntegers(LayerCase c)
    {
        Exact("conv2d_layer", c.A, In(("x", c.X), ("w", c.W), ("b", c.B)));
        Exact("conv2d_layer_backward", c.A, In(("x", c.X), ("w", c.W), ("dy", c.Dy)));
    }

    [ConformanceProperty(200)]
    public void LayerAndBackwardAgreeOnRealData(RealLayerCase r)
    {
        var c = r.Case;
        Linear("conv2d_layer", c.A, In(("x", c.X), ("w", c.W), ("b", c.B)));
        Linear("conv2d_layer_backward", c.A, In(("x", c.X), ("w", c.W), ("dy", c.Dy)));
    }

    [ConformanceProperty(400)]
    public void PoolingReluAndFlattenAgree(PoolCase c)
    {
        Exact("max_pool2d", c.A, In(("x", c.X)));
        Exact("max_pool2d_backward", c.A, In(("x", c.X), ("dy", c.Dy)));
        Linear("avg_pool2d", c.A, In(("x", c.X)));
        Linear("avg_pool2d_backward", c.A, In(("x", c.X), ("dy", c.Dy)));
        Linear("avg_pool2d", c.A, In(("x", Realize(c.X))));
        Exact("relu", OpAttributes.Default, In(("x", c.X)));
        Exact("relu_backward", OpAttributes.Default, In(("x", c.X), ("dy", TT.Combine(c.X, 3, c.X.Map(v => 1.0), 1))));
        Exact("flatten", OpAttributes.Default, In(("x", c.X)));
        Exact("flatten", OpAttributes.Default, In(("x", c.Dy.Reshape([.. c.Dy.Shape[..2], c.Dy.Shape[2] * c.Dy.Shape[3]]))));
    }

    [ConformanceProperty(400)]
    public void DenseAndBackwardAgree(DenseCase c)
    {
        Exact("dense", OpAttributes.Default, In(("x", c.X), ("w", c.W), ("b", c.B)));
        Exact("dense", OpAttributes.Default, In(("x", c.X), ("w", c.W)));
        Exact("dense_backward", OpAttributes.Default, In(("x", c.X), ("w", c.W), ("dy", c.Dy)));
        Linear("dense", OpAttributes.Default, In(("x", Realize(c.X)), ("w", Realize(c.W)), ("b", Realize(c.B))));
        Linear("dense_backward", OpAttributes.Default, In(("x", Realize(c.X)), ("w", Realize(c.W)), ("dy", Realize(c.Dy))));
    }

    /// <summary>The catalogue's softmax bound per element (u_in = 0: both sides read the same doubles).</summary>
    private static double[] SoftmaxBound(Tensor x, Tensor y)
    {
        int c = x.Shape[^1];
        var bound = new double[x.Length];
        for (int row = 0; row < x.Length / c; row++)
        {
            var v = x.Data.AsSpan(row * c, c);
            double m = double.NegativeInfinity, spread = 0;
            foreach (double e in v) m = Math.Max(m, e);
            foreach (double e in v) spread = Math.Max(spread, Math.Abs(e - m));
            for (int j = 0; j < c; j++)
                bound[row * c + j] = y.Data[row * c + j] * (Gamma(c + 2) + (2 * Kf + Math.Abs(v[j] - m) + spread) * U) + MinNormal;
        }
        return bound;
    }

    /// <summary>The catalogue's cross-entropy loss bound (u_in = 0).</summary>
    private static double LossBound(Tensor x, Tensor labels)
    {
        int batch = x.Shape[0], c = x.Shape[1];
        double sumE = 0, sumL = 0;
        for (int b = 0; b < batch; b++)
        {
            var v = x.Data.AsSpan(b * c, c);
            double m = double.NegativeInfinity, spread = 0, s = 0;
            foreach (double e in v) m = Math.Max(m, e);
            foreach (double e in v)
            {
                spread = Math.Max(spread, Math.Abs(e - m));
                s += Math.Exp(e - m);
            }
            double xl = v[(int)labels.Data[b]];
            sumE += Gamma(c + 2) + (Kf + spread) * U + (Kf + 2) * U * Math.Abs(Math.Log(s)) + 2 * U * Math.Abs(m - xl);
            sumL += Math.Abs(m + Math.Log(s) - xl);
        }
        return sumE / batch + Gamma(batch + 1) * sumL / batch + MinNormal;
    }

    [ConformanceProperty(500)]
    public void SoftmaxAndCrossEntropyAgree(LogitsCase c)
    {
        var ops = In(("x", c.X));
        var y = OpCatalog.Evaluate("softmax", ops, OpAttributes.Default)["y"];
        var sb = SoftmaxBound(c.X, y);
        TT.Close(IndependentOps.Evaluate("softmax", ops, OpAttributes.Default)["y"], y, i => BoundFactor * sb[i], "softmax");

        var ce = In(("x", c.X), ("labels", c.Labels));
        double loss = OpCatalog.Evaluate("softmax_cross_entropy", ce, OpAttributes.Default)["loss"].Data[0];
        double mine = IndependentOps.Evaluate("softmax_cross_entropy", ce, OpAttributes.Default)["loss"].Data[0];
        double lb = BoundFactor * LossBound(c.X, c.Labels);
        Assert.True(Math.Abs(loss - mine) <= lb, $"loss {loss:R} vs {mine:R}, bound {lb:G3}");

        int batch = c.X.Shape[0], classes = c.X.Shape[1];
        foreach (var dy in new Tensor?[] { new Tensor([], [c.Dy]), null })
        {
            var inputs = In(("x", c.X), ("labels", c.Labels), ("dy", dy));
            var dx = OpCatalog.Evaluate("softmax_cross_entropy_backward", inputs, OpAttributes.Default)["dx"];
            double up = Math.Abs(dy?.Data[0] ?? 1);
            double Bound(int i) => up / batch * (sb[i] + Gamma(3) * Math.Abs(y.Data[i] - (i % classes == (int)c.Labels.Data[i / classes] ? 1 : 0))) + MinNormal;
            TT.Close(IndependentOps.Evaluate("softmax_cross_entropy_backward", inputs, OpAttributes.Default)["dx"], dx,
                i => BoundFactor * Bound(i), dy is null ? "cross-entropy backward (dy = 1)" : "cross-entropy backward");
        }
    }

    [Fact]
    public void EveryCatalogueOpHasAnIndependentImplementation() =>
        Assert.Equal(OpCatalog.All.Select(o => o.Name).OrderBy(n => n), IndependentOps.Ops.OrderBy(n => n));
}

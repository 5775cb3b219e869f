using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Reference;

namespace Conformance.Core.Gradients;

/// <summary>
/// Small forward calls for gradient checking, one set per differentiable op. Their data keeps
/// clear of kinks: values are a shuffled grid (k + ½)/16, so no input is 0 and no two inputs of
/// a pooling window are closer than 1/16, four times the largest finite-difference step.
/// </summary>
public static class GradientCases
{
    /// <summary>The forward ops that have a backward op.</summary>
    public static IEnumerable<string> Ops => OpCatalog.All.Where(o => o.Backward != null).Select(o => o.Name);

    /// <summary>Labelled forward calls for <paramref name="op"/>, with inputs representable in <paramref name="p"/>.</summary>
    public static IEnumerable<(string Label, OpCall Call)> For(string op, PrecisionClass p, int seed)
    {
        OpAttributes A(string pad, int s = 1, int d = 1, int g = 1, bool rev = false, int pool = 0, int ps = 0) => new()
        {
            Padding = Padding.Parse(pad), Strides = ps > 0 ? Pair.Of(ps) : s > 1 ? Pair.Of(s) : null, Dilation = Pair.Of(d),
            Groups = g, Reversal = rev, Pool = pool > 0 ? Pair.Of(pool) : null,
        };
        var rng = new SeededRandom(SeededRandom.SeedOf($"gradcheck/{op}/{seed}"));
        Tensor Grid(params int[] shape) => ShuffledGrid(rng, shape, p);
        Tensor Labels(int b, int c) => new([b], Enumerable.Range(0, b).Select(_ => (double)rng.Next(0, c)).ToArray());
        switch (op)
        {
            case "conv2d_layer":
                yield return ("3x3-same-bias", Call(op, A("same"), ("x", Grid(2, 5, 6, 3)), ("w", Grid(3, 3, 3, 2)), ("b", Grid(2))));
                yield return ("2x2-same_lower-stride2-reversal", Call(op, A("same_lower", s: 2, rev: true), ("x", Grid(1, 6, 5, 2)), ("w", Grid(2, 2, 2, 3))));
                yield return ("3x2-full-dilation2-groups2", Call(op, A("full", d: 2, g: 2), ("x", Grid(1, 5, 5, 4)), ("w", Grid(3, 2, 2, 4)), ("b", Grid(4))));
                yield return ("explicit-1-0-2-1", Call(op, A("1,0,2,1", s: 2), ("x", Grid(2, 5, 4, 1)), ("w", Grid(2, 3, 1, 2))));
                break;
            case "dense":
                yield return ("3x7-to-4", Call(op, A("valid"), ("x", Grid(3, 7)), ("w", Grid(7, 4)), ("b", Grid(4))));
                break;
            case "relu":
                yield return ("2x4x4x3", Call(op, A("valid"), ("x", Grid(2, 4, 4, 3))));
                break;
            case "max_pool2d":
            case "avg_pool2d":
                yield return ("2x2-valid", Call(op, A("valid", pool: 2), ("x", Grid(2, 6, 6, 2))));
                yield return ("3x3-stride2-same", Call(op, A("same", pool: 3, ps: 2), ("x", Grid(1, 7, 6, 2))));
                yield return ("2x2-stride1-same_lower", Call(op, A("same_lower", pool: 2, ps: 1), ("x", Grid(1, 5, 5, 1))));
                break;
            case "softmax_cross_entropy":
                yield return ("4x5", Call(op, A("valid"), ("x", Grid(4, 5)), ("labels", Labels(4, 5))));
                yield return ("2x10", Call(op, A("valid"), ("x", Grid(2, 10)), ("labels", Labels(2, 10))));
                break;
            default:
                throw new OpArgumentException("op", "one of " + string.Join(", ", Ops), $"'{op}'");
        }
    }

    private static OpCall Call(string op, OpAttributes a, params (string Name, Tensor Value)[] inputs) =>
        new(op, inputs.ToDictionary(i => i.Name, i => i.Value), a);

    private static Tensor ShuffledGrid(SeededRandom rng, int[] shape, PrecisionClass p)
    {
        var t = Tensor.Zeros(shape);
        int n = t.Length;
        for (int i = 0; i < n; i++) t.Data[i] = (i - n / 2 + 0.5) / 16;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(0, i + 1);
            (t.Data[i], t.Data[j]) = (t.Data[j], t.Data[i]);
        }
        return t.Map(p.RoundToInput);
    }
}

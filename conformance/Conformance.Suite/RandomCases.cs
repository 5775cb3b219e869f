using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Reference;

namespace Conformance.Suite;

/// <summary>
/// Random cases decoded from a list of non-negative integers (a genome). FsCheck shrinks the
/// list (fewer and smaller numbers), and every missing or zero gene decodes to the smallest
/// choice, so a failure shrinks to the smallest failing case: batch 1, kernel 1, stride 1, valid.
/// </summary>
public static partial class RandomCases
{
    private static readonly string[] Paddings = ["valid", "same", "same_lower", "full", "explicit"];

    /// <summary>A conv2d_layer (or, for an odd gene 21, conv2d_layer_backward) case.</summary>
    public static ConformanceCase Convolution(int[] genome)
    {
        int G(int i, int choices) => i < genome.Length ? Math.Abs(genome[i] % choices) : 0;
        int groups = 1 + G(5, 3), cin = groups * (1 + G(6, 3)), cout = groups * (1 + G(7, 3));
        int k1 = 1 + G(3, 4), k2 = 1 + G(4, 4), d1 = 1 + G(10, 2), d2 = 1 + G(11, 2);
        string padding = Paddings[G(12, Paddings.Length)];
        if (padding == "explicit") padding = $"{G(13, 3)},{G(14, 3)},{G(15, 3)},{G(16, 3)}";
        var a = new OpAttributes
        {
            Padding = Padding.Parse(padding), Reversal = G(17, 2) == 1, Groups = groups,
            Strides = new Pair(1 + G(8, 3), 1 + G(9, 3)), Dilation = new Pair(d1, d2),
        };
        // The input is at least the effective kernel, so every padding mode has an output.
        int[] x = [1 + G(0, 3), (k1 - 1) * d1 + 1 + G(1, 8), (k2 - 1) * d2 + 1 + G(2, 8), cin];
        int[] w = [k1, k2, cin / groups, cout];
        var shapes = new Dictionary<string, int[]> { ["x"] = x, ["w"] = w };
        string op = "conv2d_layer";
        if (G(21, 2) == 1)
        {
            op = "conv2d_layer_backward";
            shapes["dy"] = LayerGeometry.Of(Tensor.Zeros(x), Tensor.Zeros(w), null, a).OutputShape;
        }
        else if (G(20, 2) == 1)
        {
            shapes["b"] = [cout];
        }
        return new ConformanceCase($"{op}/fscheck/[{string.Join(",", genome)}]", op, "fscheck", shapes, a, (DataKind)G(18, 3));
    }

    /// <summary>A max_pool2d, avg_pool2d or backward case (gene 9 picks which of the four).</summary>
    public static ConformanceCase Pooling(int[] genome)
    {
        int G(int i, int choices) => i < genome.Length ? Math.Abs(genome[i] % choices) : 0;
        var pool = new Pair(1 + G(3, 3), 1 + G(4, 3));
        var a = new OpAttributes
        {
            Pool = pool, Strides = new Pair(1 + G(5, 3), 1 + G(6, 3)), Padding = Padding.Parse(Paddings[G(7, 3)]),
        };
        int[] x = [1 + G(0, 3), pool.Rows + G(1, 6), pool.Cols + G(2, 6), 1 + G(8, 4)];
        string op = new[] { "max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward" }[G(9, 4)];
        var shapes = new Dictionary<string, int[]> { ["x"] = x };
        if (op.EndsWith("_backward", StringComparison.Ordinal))
            shapes["dy"] = PoolGeometry.Of(Tensor.Zeros(x), a).OutputShape;
        return new ConformanceCase($"{op}/fscheck/[{string.Join(",", genome)}]", op, "fscheck", shapes, a, (DataKind)G(10, 3));
    }

    /// <summary>The conv2d_layer family (forward, backward) of the suite's RandomConvolutions.</summary>
    public static readonly RandomFamily Convolutions = new("RandomConvolutions", Convolution, [[], Gene(21, 1)]);

    /// <summary>The pooling family (both pools, forward and backward) of the suite's RandomPooling.</summary>
    public static readonly RandomFamily Poolings = new("RandomPooling", Pooling, [.. Enumerable.Range(0, 4).Select(op => Gene(9, op))]);

    /// <summary>A genome of zeros but <paramref name="value"/> at <paramref name="index"/>: the smallest case with that choice.</summary>
    private static int[] Gene(int index, int value)
    {
        var genome = new int[index + 1];
        genome[index] = value;
        return genome;
    }
}

/// <summary>
/// What one random property draws: the name its seed derives from (<see cref="RandomSeed.For"/>),
/// the decoder of genomes, and one genome per op the decoder can produce, so that a backend is
/// asked about every op the property could give it, not only the op of the empty genome.
/// </summary>
/// <param name="Property">The property's name; it sets the seed, so renaming it changes the cases.</param>
/// <param name="Decode">Genome → case; total (every genome decodes).</param>
/// <param name="Probes">One genome per op <paramref name="Decode"/> can produce.</param>
public sealed record RandomFamily(string Property, Func<int[], ConformanceCase> Decode, IReadOnlyList<int[]> Probes)
{
    /// <summary>The op of each probe: every op the family can produce.</summary>
    public IEnumerable<string> Ops => Probes.Select(g => Decode(g).Op);
}

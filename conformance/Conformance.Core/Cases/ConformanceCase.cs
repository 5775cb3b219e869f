using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Cases;

/// <summary>What the generated input values look like.</summary>
public enum DataKind
{
    /// <summary>Uniform in [−1, 1], rounded to the backend's input format.</summary>
    Uniform,
    /// <summary>Small integers in [−3, 3]: the exact tier, where an fp32 backend must match bit for bit.</summary>
    SmallIntegers,
    /// <summary>Uniform in [−1, 1] scaled by powers of two from 2^-8 to 2^8 per element: exercises magnitude-relative bounds.</summary>
    WideRange,
    /// <summary>
    /// The precision probe for long reductions (spec/numerics.md, "Precision probe"): the call's data
    /// operand (x of a forward op, dy of a backward one) holds integers of magnitude 2048 to 3071 with
    /// random signs, which need 12 significant bits, and every other operand is −1, 0 or 1. fp32 sums
    /// these exactly in any order while every partial sum stays below 2^24 (the exact tier: bound 0),
    /// but TF32 (11 bits) and bf16 (8 bits) cannot hold the odd ones: a backend that rounds its
    /// operands to either fails, however long the reduction.
    /// </summary>
    PrecisionProbe,
}

/// <summary>
/// One catalogued case: an op, the shapes of its inputs, its attributes and how its data is made.
/// Data is generated from the case id, so a case means the same numbers on every run.
/// </summary>
/// <param name="Id">Unique id: op/group/name.</param>
/// <param name="Op">The catalogue op.</param>
/// <param name="Group">lecture, vgg16, vgg16-full, edge, random or special.</param>
/// <param name="Shapes">Input name → shape (labels and dy included).</param>
/// <param name="Attributes">The op's attributes.</param>
/// <param name="Data">The value distribution.</param>
/// <param name="Fixed">Hand-given inputs (the lecture's examples) used instead of generated ones.</param>
public sealed record ConformanceCase(
    string Id, string Op, string Group, IReadOnlyDictionary<string, int[]> Shapes, OpAttributes Attributes,
    DataKind Data = DataKind.Uniform, IReadOnlyDictionary<string, Tensor>? Fixed = null)
{
    /// <summary>Builds the call with inputs representable in <paramref name="precision"/>'s input format.</summary>
    public OpCall Build(PrecisionClass precision)
    {
        var rng = new SeededRandom(SeededRandom.SeedOf(Id));
        var inputs = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in Shapes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Tensor t = Fixed != null && Fixed.TryGetValue(name, out var given)
                ? given.Clone()
                : name == "labels" ? Labels(rng, shape) : Generate(rng, shape, Data, name == ProbeOperand);
            inputs[name] = name == "labels" ? t : t.Map(precision.RoundToInput);
        }
        return new OpCall(Op, inputs, Attributes);
    }

    private Tensor Labels(SeededRandom rng, int[] shape)
    {
        int classes = Shapes["x"][1];
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = rng.Next(0, classes);
        return t;
    }

    /// <summary>The operand that carries the 12-bit integers of <see cref="DataKind.PrecisionProbe"/>: dy of a backward op, else x.</summary>
    private string ProbeOperand => Shapes.ContainsKey("dy") ? "dy" : "x";

    /// <summary>Magnitudes of the probe's data operand: [2^11, 2^11 + 2^10), so 12 significant bits, the odd ones beyond TF32.</summary>
    public const int ProbeLow = 2048, ProbeHigh = 3071;

    private static Tensor Generate(SeededRandom rng, int[] shape, DataKind kind, bool probeOperand)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++)
            t.Data[i] = kind switch
            {
                DataKind.SmallIntegers => rng.Next(-3, 4),
                DataKind.PrecisionProbe when probeOperand => (rng.Next(0, 2) * 2 - 1) * rng.Next(ProbeLow, ProbeHigh + 1),
                DataKind.PrecisionProbe => rng.Next(-1, 2),
                DataKind.WideRange => (2 * rng.NextDouble() - 1) * Math.Pow(2, rng.Next(-8, 9)),
                _ => 2 * rng.NextDouble() - 1,
            };
        return t;
    }

    /// <summary>
    /// The op, input shapes and the attributes the op reads, for a person:
    /// <c>conv2d_layer x[1,3,4,2] w[2,2,2,3] b[3] padding=same reversal=false strides=1,2 dilation=1,1 groups=1 data=Uniform</c>
    /// (<c>data=given</c> when every input is given by hand).
    /// </summary>
    public string Summary()
    {
        var accepted = OpCatalog.Get(Op).Attributes;
        var shapes = Shapes.Select(kv => $"{kv.Key}[{string.Join(",", kv.Value)}]");
        var attributes = Attributes.ToPairs().Where(kv => accepted.Contains(kv.Key)).Select(kv => $"{kv.Key}={kv.Value}");
        // Every input given by hand (the lecture's examples, the special values): no distribution was drawn from.
        bool allGiven = Fixed != null && Shapes.Keys.All(Fixed.ContainsKey);
        return string.Join(" ", new[] { Op }.Concat(shapes).Concat(attributes).Append(allGiven ? "data=given" : $"data={Data}"));
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}

using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Tests.Mutants;

/// <summary>
/// A realistic wrong backend: the reference with one bug a real implementation might have.
/// It either rewrites the call before computing (a convention slip) or the outputs after.
/// It claims fp32 unless given another <paramref name="precision"/>.
/// </summary>
public sealed class MutantBackend(string name, Func<OpCall, OpCall>? call = null,
    Func<OpCall, IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>>? outputs = null,
    PrecisionClass? precision = null) : IConformanceBackend
{
    private readonly ReferenceBackend _reference = new();

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>Claims fp32 (by default) so that the suite applies the bounds a real fp32 backend gets.</summary>
    public BackendCapabilities Capabilities { get; } = new("cpu (mutant of the reference)", precision ?? PrecisionClass.Fp32);

    /// <inheritdoc />
    public Support Supports(OpCall c) => Support.Yes;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall c)
    {
        var rewritten = call?.Invoke(c) ?? c;
        var result = _reference.Evaluate(rewritten);
        return outputs?.Invoke(c, result) ?? result;
    }

    /// <inheritdoc />
    public void Dispose() { }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The catalogue of mutants every run of the suite must catch.</summary>
public static class Mutants
{
    /// <summary>Each mutant with the op family where it must be caught.</summary>
    public static readonly IReadOnlyList<(MutantBackend Backend, string Op)> All =
    [
        (new("forgets-to-flip-the-kernel", call: c => c with { Attributes = c.Attributes with { Reversal = false } }), "conv2d_layer"),
        (new("splits-same-padding-the-other-way", call: c => c.Attributes.Padding.Mode == PaddingMode.Same
            ? c with { Attributes = c.Attributes with { Padding = Padding.SameLower } } : c), "conv2d_layer"),
        (new("ignores-dilation", call: c => c with { Attributes = c.Attributes with { Dilation = Pair.Of(1) } }), "conv2d_layer"),
        (new("drops-the-bias", call: c => c with { Inputs = c.Inputs.Where(kv => kv.Key != "b").ToDictionary() }), "conv2d_layer"),
        (new("avg-pool-counts-padding", outputs: (c, r) => c.Op == "avg_pool2d" ? AvgCountingPads(c) : r), "avg_pool2d"),
        (new("relu-derivative-one-at-zero", outputs: (c, r) => c.Op == "relu_backward"
            ? Map(r, "dx", (i, v) => c.Inputs["x"].Data[i] == 0 ? c.Inputs["dy"].Data[i] : v) : r), "relu_backward"),
        // Outputs stored in half precision (the old name, "half-precision-accumulation", promised more than it injects).
        (new("half-precision-outputs", outputs: (_, r) => r.ToDictionary(kv => kv.Key,
            kv => kv.Value.Map(v => (double)(Half)v))), "conv2d_layer"),
        // What GPU libraries do by default for long reductions while the backend declares fp32:
        // PyTorch allows TF32 for cuDNN convolutions unless told not to.
        (new("rounds-inputs-to-tf32-above-2000-terms", call: c => RoundLongReductions(c, PrecisionClass.Tf32, 2000)), "conv2d_layer"),
        (new("rounds-inputs-to-tf32-above-2000-terms-backward", call: c => RoundLongReductions(c, PrecisionClass.Tf32, 2000)),
            "conv2d_layer_backward"),
        (new("rounds-inputs-to-bf16", call: c => RoundLongReductions(c, PrecisionClass.Bf16, 0)), "dense"),
        (new("weight-gradient-not-flipped-back", outputs: (c, r) => c.Op == "conv2d_layer_backward" && c.Attributes.Reversal
            ? new Dictionary<string, Tensor>(r) { ["dw"] = Convolution.Flip(r["dw"]) } : r), "conv2d_layer_backward"),
        (new("softmax-without-max-subtraction-in-fp32", outputs: (c, r) => c.Op == "softmax"
            ? Map(r, "y", (i, v) => (float)v * (1 + 1e-4)) : r), "softmax"),
    ];

    /// <summary>The call with every operand rounded to <paramref name="p"/>'s input format when one of its outputs sums more than <paramref name="terms"/> terms.</summary>
    private static OpCall RoundLongReductions(OpCall c, PrecisionClass p, long terms)
    {
        if (c.Info.Kind != OpKind.Linear || c.Info.Outputs.Max(o => ErrorModel.AccumulatedTerms(c, o)) <= terms) return c;
        return c with { Inputs = c.Inputs.ToDictionary(kv => kv.Key, kv => kv.Key == "labels" ? kv.Value : kv.Value.Map(p.RoundToInput)) };
    }

    private static IReadOnlyDictionary<string, Tensor> Map(IReadOnlyDictionary<string, Tensor> r, string name, Func<int, double, double> f)
    {
        var t = r[name].Clone();
        for (int i = 0; i < t.Length; i++) t.Data[i] = f(i, t.Data[i]);
        return new Dictionary<string, Tensor>(r) { [name] = t };
    }

    private static IReadOnlyDictionary<string, Tensor> AvgCountingPads(OpCall c)
    {
        // Sum over the window of the zero-padded input divided by the full window size (PyTorch's count_include_pad=True).
        var x = c.Inputs["x"];
        var g = PoolGeometry.Of(x, c.Attributes);
        var y = Tensor.Zeros(g.OutputShape);
        for (int b = 0; b < g.Batch; b++)
            for (int i1 = 0; i1 < g.Rows.OutputSize; i1++)
                for (int i2 = 0; i2 < g.Cols.OutputSize; i2++)
                    for (int ch = 0; ch < g.Channels; ch++)
                    {
                        double sum = g.Window(i1, i2).Sum(rq => x[b, rq.Row, rq.Col, ch]);
                        y[b, i1, i2, ch] = sum / (g.Pool.Rows * g.Pool.Cols);
                    }
        return new Dictionary<string, Tensor> { ["y"] = y };
    }
}

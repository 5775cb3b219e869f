using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Reference;

namespace Conformance.Core.Harness;

/// <summary>
/// Checks that need no reference values: a sample's result does not depend on the other samples
/// in its batch, and repeated calls agree bitwise unless the backend declares itself
/// nondeterministic. Each returns null when the property holds, else a message (also when a call
/// exceeds its time limit, <see cref="GuardedCall"/>).
/// </summary>
public static class Metamorphic
{
    private static readonly HashSet<string> BatchedInputs = ["x", "dy", "labels"];
    private static readonly HashSet<string> PerSampleOutputs = ["y", "dx"];
    private static readonly HashSet<string> NoBatchAxis = ["conv1d", "conv2d", "softmax_cross_entropy"];

    /// <summary>True when <paramref name="c"/> has a batch axis of at least 2 to perturb.</summary>
    public static bool HasBatch(ConformanceCase c) =>
        !NoBatchAxis.Contains(c.Op) && c.Shapes.TryGetValue("x", out var x) && x.Length >= 2 && x[0] >= 2;

    /// <summary>
    /// Replaces every sample but the first with other data and checks that the first sample's
    /// outputs (y, dx) are unchanged up to rounding: each result may be its own bound away from
    /// the exact value, so they may differ by twice the bound. Bitwise equality is not asked for:
    /// BLAS kernels legitimately pick code paths by buffer alignment, which differs between calls
    /// with different data; bitwise repeatability of identical calls is checked separately.
    /// </summary>
    public static string? BatchIndependence(IConformanceBackend backend, ConformanceCase c)
    {
        var p = backend.Capabilities.PrecisionOf(c.Op);
        var call = c.Build(p);
        var rng = new SeededRandom(SeededRandom.SeedOf(c.Id + "/other-samples"));
        var perturbed = call.Inputs.ToDictionary(kv => kv.Key, kv => BatchedInputs.Contains(kv.Key) && kv.Value.Rank > 0
            ? ReplaceOtherSamples(kv.Value, kv.Key == "labels" ? LabelSource(c, rng) : () => p.RoundToInput(2 * rng.NextDouble() - 1))
            : kv.Value);
        var bounds = CaseRunner.Expect(c, p).Bounds;
        IReadOnlyDictionary<string, Tensor> a, b;
        try
        {
            a = GuardedCall.Evaluate(backend, call, c.Id);
            b = GuardedCall.Evaluate(backend, call with { Inputs = perturbed }, c.Id + " (other samples changed)");
        }
        catch (CallTimeoutException e)
        {
            return TimedOut(backend, c, e);
        }
        foreach (string name in a.Keys.Where(PerSampleOutputs.Contains))
        {
            int per = a[name].Length / a[name].Shape[0];
            for (int i = 0; i < per; i++)
            {
                double va = a[name].Data[i], vb = b[name].Data[i], bound = bounds[name].Data[i];
                // As in Comparison: NaN matches only NaN, and a bound that is not finite allows no difference.
                bool same = va == vb || (double.IsNaN(va) && double.IsNaN(vb));
                if (!same && !(double.IsFinite(bound) && Math.Abs(va - vb) <= 2 * bound))
                    return $"{backend.Name} {c.Op} case {c.Id}: output {name} of sample 0 changed when the other samples changed, " +
                           $"at {Tensor.Format(a[name].IndexOf(i))}: {va:R} then {vb:R}";
            }
        }
        return null;
    }

    /// <summary>Runs the case twice; a deterministic backend must give bitwise-identical outputs.</summary>
    public static string? Repeatability(IConformanceBackend backend, ConformanceCase c)
    {
        if (!backend.Capabilities.Deterministic) return null;
        var call = c.Build(backend.Capabilities.PrecisionOf(c.Op));
        IReadOnlyDictionary<string, Tensor> first, second;
        try
        {
            first = GuardedCall.Evaluate(backend, call, c.Id);
            second = GuardedCall.Evaluate(backend, call, c.Id + " (repeated)");
        }
        catch (CallTimeoutException e)
        {
            return TimedOut(backend, c, e);
        }
        foreach (var (name, t) in first)
            if (!second.TryGetValue(name, out var u) || !t.BitwiseEquals(u))
                return $"{backend.Name} {c.Op} case {c.Id}: output {name} differs between two identical calls " +
                       "(declare the backend nondeterministic if that is intended)";
        return null;
    }

    private static string TimedOut(IConformanceBackend backend, ConformanceCase c, CallTimeoutException e) =>
        $"{backend.Name} {c.Op} case {e.CaseId}: error: {e.Message}";

    private static Func<double> LabelSource(ConformanceCase c, SeededRandom rng) => () => rng.Next(0, c.Shapes["x"][1]);

    private static Tensor ReplaceOtherSamples(Tensor t, Func<double> next)
    {
        var copy = t.Clone();
        int per = t.Length / t.Shape[0];
        for (int i = per; i < copy.Length; i++) copy.Data[i] = next();
        return copy;
    }
}

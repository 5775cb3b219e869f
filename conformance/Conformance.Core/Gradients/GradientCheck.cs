using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Gradients;

/// <summary>
/// Numerical gradient checking for any backend (spec/gradients.md): central differences of the
/// backend's own forward, L(x) = ⟨op(x), v⟩, against its analytic backward with upstream v, and
/// that backward against the reference's. The step and tolerance follow from the precision class.
/// </summary>
public static class GradientCheck
{
    /// <summary>Step for double backends: 2^-20 ≈ 1e-6, where rounding (u/h ≈ 1e-10) and truncation (h² ≈ 1e-12) balance.</summary>
    public const double StepFp64 = 1.0 / (1 << 20);

    /// <summary>
    /// Step for fp32 and narrower: 2^-7. Exact for the dyadic inputs used here, a quarter of their
    /// 1/16 spacing so no kink (relu at 0, a max-pool tie) lies within a step.
    /// </summary>
    public const double StepLowPrecision = 1.0 / (1 << 7);

    /// <summary>
    /// Bound on |∂³L/∂x³| per unit of upstream gradient: zero for the piecewise-linear ops away
    /// from kinks; for softmax cross-entropy the third derivative of ln Σ exp is at most 1/(6√3) &lt; 0.1.
    /// </summary>
    public const double ThirdDerivativeBound = 0.1;

    private static readonly Dictionary<string, string> GradientOf = new() { ["x"] = "dx", ["w"] = "dw", ["b"] = "db" };

    /// <summary>The backward call of <paramref name="forward"/> for upstream gradient <paramref name="dy"/>: the forward inputs but the bias, plus dy.</summary>
    public static OpCall BackwardCall(OpCall forward, Tensor dy)
    {
        string backwardOp = forward.Info.Backward ?? throw new OpArgumentException("op", "an op with a backward", forward.Op);
        var inputs = forward.Inputs.Where(kv => kv.Key != "b").ToDictionary(kv => kv.Key, kv => kv.Value);
        inputs["dy"] = dy;
        return new OpCall(backwardOp, inputs, forward.Attributes);
    }

    /// <summary>Why <paramref name="backend"/> cannot be gradient-checked on <paramref name="forward"/>, or null when it can.</summary>
    public static string? Unsupported(IConformanceBackend backend, OpCall forward)
    {
        var s = backend.Supports(forward);
        if (!s.IsSupported) return s.Reason;
        // dy has the forward output's shape, which the reference gives.
        var y = OpCatalog.Evaluate(forward.Op, forward.Inputs, forward.Attributes)[forward.Info.Outputs[0]];
        s = backend.Supports(BackwardCall(forward, Tensor.Zeros(y.Shape)));
        return s.IsSupported ? null : s.Reason;
    }

    /// <summary>Checks the backward of <paramref name="forward"/>'s op on <paramref name="backend"/>.</summary>
    /// <param name="backend">Must support the forward and backward calls.</param>
    /// <param name="forward">A forward call whose inputs are representable in the backend's input format.</param>
    /// <param name="label">Names the call in reports.</param>
    /// <param name="seed">Seeds the upstream gradient and the sampled elements.</param>
    /// <param name="maxElements">Largest number of elements perturbed per input (a random subset beyond it).</param>
    /// <returns>
    /// The report; when a call exceeds its time limit (<see cref="GuardedCall"/>), one with no
    /// finite differences and <see cref="GradientReport.AgainstReference"/> an error naming the call.
    /// </returns>
    public static GradientReport Check(IConformanceBackend backend, OpCall forward, string label, int seed = 1, int maxElements = 256)
    {
        try
        {
            return CheckCalls(backend, forward, label, seed, maxElements);
        }
        catch (CallTimeoutException e)
        {
            return new GradientReport(backend.Name, forward.Op, label, [],
                new CaseResult(backend.Name, forward.Op, e.CaseId, CaseStatus.Error, e.Message, []));
        }
    }

    private static GradientReport CheckCalls(IConformanceBackend backend, OpCall forward, string label, int seed, int maxElements)
    {
        var info = forward.Info;
        // The forward and the backward op may be declared in different precisions: each is held to its own.
        var p = backend.Capabilities.PrecisionOf(forward.Op);
        var rng = new SeededRandom((ulong)seed);
        string id = $"gradcheck/{label}";
        var y = GuardedCall.Evaluate(backend, forward, id)[info.Outputs[0]];
        var v = y.Map(_ => p.RoundToInput(2 * rng.NextDouble() - 1));
        var backward = BackwardCall(forward, v);
        var analytic = GuardedCall.Evaluate(backend, backward, id + " (backward)");

        // δL: how far the backend's L may be from the exact one, from the forward's error bound.
        var forwardBound = CaseRunner.Expect(forward, p).Bounds[info.Outputs[0]];
        // The dot product ⟨y, v⟩ is itself summed in double: γ_N(2^-53)·Σ|y·v| more.
        double deltaL = 0, dotMagnitude = 0;
        for (int j = 0; j < v.Length; j++)
        {
            deltaL += Math.Abs(v.Data[j]) * forwardBound.Data[j];
            dotMagnitude += Math.Abs(v.Data[j] * y.Data[j]);
        }
        deltaL += ErrorModel.Gamma(v.Length + 1, PrecisionClass.Fp64.AccumulationUnit) * dotMagnitude * 2;
        var pBackward = backend.Capabilities.PrecisionOf(backward.Op);
        var backwardBound = CaseRunner.Expect(backward, pBackward).Bounds;
        double vMax = v.Data.Select(Math.Abs).DefaultIfEmpty(0).Max();

        var reports = new List<TensorGradientReport>();
        foreach (var (input, gradient) in GradientOf)
        {
            if (!forward.Inputs.TryGetValue(input, out var t) || !analytic.ContainsKey(gradient)) continue;
            reports.Add(CheckTensor(backend, forward, id, info.Outputs[0], input, gradient, t, v, analytic[gradient],
                backwardBound[gradient], deltaL, vMax, rng, maxElements));
        }
        CaseResult? against = backend is ReferenceBackend ? null
            : CaseRunner.Run(backend, CaseRunner.Expect(backward, pBackward), id);
        return new GradientReport(backend.Name, forward.Op, label, reports, against);
    }

    private static TensorGradientReport CheckTensor(IConformanceBackend backend, OpCall forward, string id, string output, string input,
        string gradient, Tensor t, Tensor v, Tensor analytic, Tensor backwardBound, double deltaL, double vMax,
        SeededRandom rng, int maxElements)
    {
        var p = backend.Capabilities.PrecisionOf(forward.Op);
        double baseStep = p.InputUnit <= PrecisionClass.Fp64.InputUnit ? StepFp64 : StepLowPrecision;
        var indices = Enumerable.Range(0, t.Length).ToList();
        while (indices.Count > maxElements) indices.RemoveAt(rng.Next(0, indices.Count));
        double maxAbs = 0, maxRel = 0, worstRatio = -1;
        (int Index, double Num, double Ana, double Tol) worst = (0, 0, 0, 0);
        foreach (int i in indices)
        {
            double x0 = t.Data[i];
            double h = Math.Max(baseStep, 4 * p.InputUnit * Math.Abs(x0));
            double xp = p.RoundToInput(x0 + h), xm = p.RoundToInput(x0 - h);
            string perturbed = $"{id} ({input}[{i}] perturbed)";
            double lp = Loss(backend, forward, perturbed, output, input, i, xp, v), lm = Loss(backend, forward, perturbed, output, input, i, xm, v);
            double numeric = (lp - lm) / (xp - xm);
            double ana = analytic.Data[i];
            double truncation = forward.Info.Kind == OpKind.CrossEntropy ? ThirdDerivativeBound * h * h * vMax : 0;
            double tol = 2 * deltaL / (xp - xm) + backwardBound.Data[i] + truncation;
            double err = Math.Abs(numeric - ana);
            maxAbs = Math.Max(maxAbs, err);
            maxRel = Math.Max(maxRel, err / Math.Max(Math.Abs(ana), 1e-30));
            double ratio = Ratio(err, tol);
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = (i, numeric, ana, tol);
            }
        }
        return new TensorGradientReport(input, gradient, indices.Count, maxAbs, maxRel, t.IndexOf(worst.Index),
            worst.Num, worst.Ana, worst.Tol) { MaxRatio = worstRatio };
    }

    /// <summary>
    /// |numeric − analytic| / tolerance, never NaN: a NaN difference (a NaN gradient or loss, or
    /// ∞ − ∞) fails, and where the tolerance is not finite (an infinite forward bound, 0·∞) it
    /// says nothing, so only an exact match passes, as in <see cref="Comparison.Ratio"/>.
    /// </summary>
    private static double Ratio(double err, double tol)
    {
        if (double.IsNaN(err)) return double.PositiveInfinity;
        if (err == 0) return 0;
        if (!double.IsFinite(tol) || !(tol > 0)) return double.PositiveInfinity;
        return err / tol;
    }

    private static double Loss(IConformanceBackend backend, OpCall forward, string id, string output, string input, int index, double value, Tensor v)
    {
        var perturbed = forward.Inputs[input].Clone();
        perturbed.Data[index] = value;
        var inputs = forward.Inputs.ToDictionary(kv => kv.Key, kv => kv.Key == input ? perturbed : kv.Value);
        var y = GuardedCall.Evaluate(backend, forward with { Inputs = inputs }, id)[output];
        double sum = 0;
        for (int j = 0; j < y.Length; j++) sum += y.Data[j] * v.Data[j];
        return sum;
    }
}

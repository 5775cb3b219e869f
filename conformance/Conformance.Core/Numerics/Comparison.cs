using System.Globalization;
using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Numerics;

/// <summary>How one output of one call compared with the reference.</summary>
/// <param name="Output">The output name (y, dx, dw, db, loss).</param>
/// <param name="Passed">True when the shape matches and every element is within its bound.</param>
/// <param name="Problem">Why it failed, in words; empty when it passed.</param>
/// <param name="WorstIndex">The element with the largest error/bound ratio (empty on a shape mismatch).</param>
/// <param name="Expected">The reference value there.</param>
/// <param name="Actual">The backend's value there.</param>
/// <param name="Bound">The allowed error there.</param>
/// <param name="MaxRatio">The largest error/bound over all elements, never NaN: 0 exact, ≤ 1 within bound, ∞ for an error no bound excuses (see <see cref="Comparison.Ratio"/>).</param>
/// <param name="Ulps">The error at the worst element in units in the last place of the backend's format.</param>
public sealed record OutputReport(
    string Output, bool Passed, string Problem, int[] WorstIndex,
    double Expected, double Actual, double Bound, double MaxRatio, double Ulps)
{
    /// <summary>
    /// False when no element could be compared (the output is missing or has the wrong shape).
    /// Not the same as an empty <see cref="WorstIndex"/>: a scalar output (the loss) has index [].
    /// </summary>
    public bool ElementCompared { get; init; } = true;

    /// <summary>One line: output, index, expected, actual, bound, ratio, ULPs.</summary>
    public string Describe() => !ElementCompared
        ? $"{Output}: {Problem}"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Output}{Tensor.Format(WorstIndex)}: expected {Expected:R}, actual {Actual:R}, |error| {Math.Abs(Actual - Expected):G3}, bound {Bound:G3}, error/bound {MaxRatio:G3}, {Ulps:G3} ulp{(Problem.Length > 0 ? " — " + Problem : "")}");
}

/// <summary>Element-wise comparison of a backend's outputs with the reference under the error model.</summary>
public static class Comparison
{
    /// <summary>Compares one output: shape first, then every element against its bound.</summary>
    public static OutputReport Compare(string output, Tensor expected, Tensor? actual, Tensor bound, PrecisionClass p)
    {
        if (actual is null)
            return new OutputReport(output, false, "the backend returned no such output", [], 0, 0, 0, double.PositiveInfinity, 0)
                { ElementCompared = false };
        if (!actual.Shape.SequenceEqual(expected.Shape))
            return new OutputReport(output, false,
                $"shape {Tensor.Format(actual.Shape)} where the reference has {Tensor.Format(expected.Shape)}",
                [], 0, 0, 0, double.PositiveInfinity, 0) { ElementCompared = false };
        int worst = -1;
        double worstRatio = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double ratio = Ratio(expected.Data[i], actual.Data[i], bound.Data[i]);
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worst < 0)
            return new OutputReport(output, true, "", [], 0, 0, 0, 0, 0);
        double ew = expected.Data[worst], aw = actual.Data[worst], bw = bound.Data[worst];
        bool passed = worstRatio <= 1;
        return new OutputReport(output, passed, passed ? "" : Problem(ew, aw, bw),
            expected.IndexOf(worst), ew, aw, bw, worstRatio, Ulps(ew, aw, p));
    }

    /// <summary>
    /// The error/bound ratio of one element under the rules for non-finite values of
    /// spec/numerics.md ("The report"): never NaN, 0 for an exact match, +∞ for a failure no
    /// bound can excuse. A NaN ratio would compare false against everything and so pass silently.
    /// </summary>
    /// <param name="expected">The reference value.</param>
    /// <param name="actual">The backend's value.</param>
    /// <param name="bound">The allowed error (from <see cref="ErrorModel"/>).</param>
    public static double Ratio(double expected, double actual, double bound)
    {
        // NaN and ±∞ are exact results, not approximations: only the same value passes.
        if (!double.IsFinite(expected))
            return SameValue(expected, actual) ? 0 : double.PositiveInfinity;
        if (!double.IsFinite(actual)) return double.PositiveInfinity;
        if (actual == expected) return 0;
        // An infinite or NaN bound means the error model says nothing here (γ_n past n·u ≥ 1,
        // 0·∞): dividing by it would give 0 or NaN and pass anything, so only the exact value passes.
        if (!double.IsFinite(bound)) return double.PositiveInfinity;
        double err = Math.Abs(actual - expected);
        // err may overflow to +∞ (opposite signs near MaxValue): that fails, as it should.
        return bound > 0 ? err / bound : double.PositiveInfinity;
    }

    /// <summary>Why the element (expected, actual, bound) fails, in words for the report.</summary>
    private static string Problem(double expected, double actual, double bound)
    {
        if (double.IsNaN(expected)) return "the reference is NaN here: only NaN passes";
        if (double.IsInfinity(expected))
            return $"the reference is {Name(expected)} here: only exactly {Name(expected)} passes";
        if (!double.IsFinite(actual))
            return $"actual is {Name(actual)} where the reference is finite";
        if (!double.IsFinite(bound))
            return "no finite bound here (the error model is unbounded for this element): only the exact value passes";
        return "error exceeds the bound";
    }

    private static string Name(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+∞" : double.IsNegativeInfinity(v) ? "−∞" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// |actual − expected| in units of the last place of the backend's output (accumulator) format
    /// at the expected value's binade: ulp = 2·u_acc·2^⌊log2 max(|x|, MinNormal)⌋.
    /// </summary>
    public static double Ulps(double expected, double actual, PrecisionClass p)
    {
        if (SameValue(expected, actual)) return 0;
        double err = Math.Abs(actual - expected);
        // A NaN or infinite value is no number of ulps away from a finite one.
        if (!double.IsFinite(err)) return double.PositiveInfinity;
        double ulp = 2 * p.AccumulationUnit * Math.Pow(2, Math.Floor(Math.Log2(Math.Max(Math.Abs(expected), p.MinNormal))));
        return err / ulp;
    }

    private static bool SameValue(double e, double a) =>
        e == a || (double.IsNaN(e) && double.IsNaN(a));
}

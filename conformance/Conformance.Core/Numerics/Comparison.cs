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
/// <param name="MaxRatio">The largest error/bound over all elements: 0 exact, ≤ 1 within bound, ∞ for an error where the bound is 0.</param>
/// <param name="Ulps">The error at the worst element in units in the last place of the backend's format.</param>
public sealed record OutputReport(
    string Output, bool Passed, string Problem, int[] WorstIndex,
    double Expected, double Actual, double Bound, double MaxRatio, double Ulps)
{
    /// <summary>One line: output, index, expected, actual, bound, ratio, ULPs.</summary>
    public string Describe() => Problem.Length > 0 && WorstIndex.Length == 0
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
            return new OutputReport(output, false, "the backend returned no such output", [], 0, 0, 0, double.PositiveInfinity, 0);
        if (!actual.Shape.SequenceEqual(expected.Shape))
            return new OutputReport(output, false,
                $"shape {Tensor.Format(actual.Shape)} where the reference has {Tensor.Format(expected.Shape)}",
                [], 0, 0, 0, double.PositiveInfinity, 0);
        int worst = -1;
        double worstRatio = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected.Data[i], a = actual.Data[i], b = bound.Data[i];
            double err = Math.Abs(a - e);
            double ratio = SameValue(e, a) ? 0 : double.IsNaN(err) ? double.PositiveInfinity : b > 0 ? err / b : err > 0 ? double.PositiveInfinity : 0;
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worst < 0)
            return new OutputReport(output, true, "", [], 0, 0, 0, 0, 0);
        double ew = expected.Data[worst], aw = actual.Data[worst];
        bool passed = worstRatio <= 1;
        return new OutputReport(output, passed, passed ? "" : "error exceeds the bound",
            expected.IndexOf(worst), ew, aw, bound.Data[worst], worstRatio, Ulps(ew, aw, p));
    }

    /// <summary>
    /// |actual − expected| in units of the last place of the backend's output (accumulator) format
    /// at the expected value's binade: ulp = 2·u_acc·2^⌊log2 max(|x|, MinNormal)⌋.
    /// </summary>
    public static double Ulps(double expected, double actual, PrecisionClass p)
    {
        double err = Math.Abs(actual - expected);
        if (err == 0 || double.IsNaN(err)) return err;
        double ulp = 2 * p.AccumulationUnit * Math.Pow(2, Math.Floor(Math.Log2(Math.Max(Math.Abs(expected), p.MinNormal))));
        return err / ulp;
    }

    private static bool SameValue(double e, double a) =>
        e == a || (double.IsNaN(e) && double.IsNaN(a));
}

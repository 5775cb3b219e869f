using System.Globalization;
using Conformance.Core.Harness;
using Conformance.Reference;

namespace Conformance.Core.Gradients;

/// <summary>Finite differences against the analytic gradient for one input tensor.</summary>
/// <param name="Input">The differentiated input (x, w, b).</param>
/// <param name="Gradient">The backward output holding its gradient (dx, dw, db).</param>
/// <param name="Checked">How many elements were perturbed.</param>
/// <param name="MaxAbsError">max |numeric − analytic| over the checked elements.</param>
/// <param name="MaxRelError">max |numeric − analytic| / max(|analytic|, 1e-30).</param>
/// <param name="WorstIndex">The element with the largest error/tolerance ratio.</param>
/// <param name="Numeric">The finite-difference value there.</param>
/// <param name="Analytic">The backward op's value there.</param>
/// <param name="Tolerance">The allowed difference there (spec/numerics.md, gradient checking).</param>
public sealed record TensorGradientReport(string Input, string Gradient, int Checked, double MaxAbsError, double MaxRelError,
    int[] WorstIndex, double Numeric, double Analytic, double Tolerance)
{
    /// <summary>True when every checked element is within its tolerance.</summary>
    public bool Passed => Checked > 0 && MaxRatio <= 1;

    /// <summary>The largest |numeric − analytic| / tolerance.</summary>
    public double MaxRatio { get; init; }

    /// <summary>One line for reports.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Gradient} (d/d{Input}, {Checked} elements): max abs error {MaxAbsError:G3}, max rel error {MaxRelError:G3}, " +
        $"worst {Tensor.Format(WorstIndex)} numeric {Numeric:R} analytic {Analytic:R} tolerance {Tolerance:G3} — {(Passed ? "ok" : "FAILED")}");
}

/// <summary>A gradient check of one op call on one backend.</summary>
/// <param name="Backend">Backend name.</param>
/// <param name="Op">The forward op.</param>
/// <param name="Label">Which call (shapes and attributes).</param>
/// <param name="FiniteDifferences">The backend's backward against finite differences of its own forward, per input.</param>
/// <param name="AgainstReference">The backend's backward against the reference's backward under the error bound; null for the reference itself.</param>
public sealed record GradientReport(string Backend, string Op, string Label, IReadOnlyList<TensorGradientReport> FiniteDifferences,
    CaseResult? AgainstReference)
{
    /// <summary>True when both checks pass.</summary>
    public bool Passed => FiniteDifferences.All(t => t.Passed) &&
                          (AgainstReference is null || AgainstReference.Status == CaseStatus.Passed);
}

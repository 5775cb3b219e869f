using Conformance.Core.Numerics;

namespace Conformance.Core.Harness;

/// <summary>The verdict on one case for one backend.</summary>
public enum CaseStatus
{
    /// <summary>Every output within its bound.</summary>
    Passed,
    /// <summary>Some output outside its bound, of the wrong shape, or missing.</summary>
    Failed,
    /// <summary>The backend declares the op or an attribute unsupported.</summary>
    Unsupported,
    /// <summary>The backend threw on a supported call, exceeded its time limit, or was still busy with one that did.</summary>
    Error,
}

/// <summary>What running one case on one backend gave.</summary>
/// <param name="Backend">Backend name.</param>
/// <param name="Op">Catalogue op.</param>
/// <param name="CaseId">Case id.</param>
/// <param name="Status">The verdict.</param>
/// <param name="Reason">Why unsupported, or the exception or exceeded time limit for an error; empty otherwise.</param>
/// <param name="Outputs">Per-output reports (empty when unsupported or on error).</param>
public sealed record CaseResult(string Backend, string Op, string CaseId, CaseStatus Status, string Reason,
    IReadOnlyList<OutputReport> Outputs)
{
    /// <summary>The precision class the case was judged in (the backend's, per op), e.g. fp32, or "fp32 Winograd F(2×2,3×3)" for a convolution layer (<see cref="Backends.PrecisionClass.LabelFor"/>).</summary>
    public string Precision { get; init; } = "";

    /// <summary>The largest error/bound ratio over all outputs (0 when none were compared).</summary>
    public double MaxRatio => Outputs.Count == 0 ? 0 : Outputs.Max(o => o.MaxRatio);

    /// <summary>
    /// The message a person reads: backend, op and case, then for each output the worst element
    /// with expected, actual, bound, error/bound and ULPs.
    /// </summary>
    public string Describe()
    {
        string head = $"{Backend} {Op} case {CaseId}: {Status.ToString().ToLowerInvariant()}";
        if (Status is CaseStatus.Unsupported or CaseStatus.Error) return $"{head}: {Reason}";
        var lines = Outputs.Where(o => Status == CaseStatus.Passed || !o.Passed).Select(o => "  " + o.Describe());
        return head + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}

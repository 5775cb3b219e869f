using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Backends;

/// <summary>
/// The backend smoke tests' comparison: a backend's outputs against the reference under the
/// suite's own error model (spec/numerics.md), the same bounds and non-finite rules the suite
/// and the CLI apply, so a smoke test is never looser (or stricter) than the suite it precedes.
/// </summary>
internal static class ReferenceAgreement
{
    /// <summary>
    /// Judges <paramref name="actual"/>, the outputs <paramref name="backend"/> gave for
    /// <paramref name="call"/>, against the reference at the backend's precision class.
    /// </summary>
    public static CaseResult Judge(IConformanceBackend backend, OpCall call, IReadOnlyDictionary<string, Tensor> actual)
    {
        var p = backend.Capabilities.Precision;
        // The bounds assume the reference and the backend saw the same numbers.
        foreach (var (name, t) in call.Inputs)
            Assert.True(t.Data.All(v => p.RoundToInput(v).Equals(v)), $"{call}: input {name} is not representable in {p.Name}");
        return CaseRunner.Judge(backend, CaseRunner.Expect(call, p), actual, call.ToString());
    }

    /// <summary>
    /// Runs <paramref name="call"/> on <paramref name="backend"/> and asserts that it is supported,
    /// returns exactly the catalogued outputs, and that every element is within its bound.
    /// </summary>
    /// <returns>The passing result, whose worst ratio and ULPs a test may log.</returns>
    public static CaseResult AssertAgrees(IConformanceBackend backend, OpCall call)
    {
        var support = backend.Supports(call);
        Assert.True(support.IsSupported, $"{call} should be supported: {support.Reason}");
        var actual = backend.Evaluate(call);
        Assert.Equal(call.Info.Outputs.Order(), actual.Keys.Order());
        var result = Judge(backend, call, actual);
        Assert.True(result.Status == CaseStatus.Passed, result.Describe());
        return result;
    }

    /// <summary>The largest error in ULPs over the outputs' worst elements, for test logs.</summary>
    public static double WorstUlps(CaseResult result) => result.Outputs.Select(o => o.Ulps).DefaultIfEmpty(0).Max();
}

using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Xunit;

namespace Conformance.Tests.Mutants;

/// <summary>Every mutant fails the catalogue, with a message that names op, case, index, expected, actual and bound.</summary>
public sealed class MutantTests
{
    /// <summary>Mutant names, for the theory.</summary>
    public static IEnumerable<object[]> Names => Mutants.All.Select(m => new object[] { m.Backend.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public void MutantIsCaught(string name)
    {
        var (mutant, op) = Mutants.All.Single(m => m.Backend.Name == name);
        var cases = CaseCatalog.Select().Where(c => c.Op == op && c.Group is "edge" or "lecture" or "random").ToList();
        Assert.NotEmpty(cases);
        var failure = cases.Select(c => CaseRunner.Run(mutant, c)).FirstOrDefault(r => r.Status == CaseStatus.Failed);
        Assert.True(failure != null, $"mutant {name} passed all {cases.Count} {op} cases");
        string message = failure!.Describe();
        var worst = failure.Outputs.First(o => !o.Passed);
        Assert.Contains(op, message);
        Assert.Contains(failure.CaseId, message);
        if (worst.WorstIndex.Length == 0)
        {
            // A wrong output size is reported as such: there is no element to compare.
            Assert.Contains("shape", message);
            return;
        }
        Assert.Contains("expected", message);
        Assert.Contains("actual", message);
        Assert.Contains("bound", message);
        Assert.Contains(Conformance.Reference.Tensor.Format(worst.WorstIndex), message);
    }

    [Fact]
    public void FlipMutantIsCaughtOnTheLectureExampleWithAFullMessage()
    {
        // The 1D lecture example with reversal: forgetting the flip gives [2,5,8,11,4] instead of [1,4,7,10,8].
        var mutant = new MutantBackend("no-flip", call: c => c with { Attributes = c.Attributes with { Reversal = false } });
        var result = CaseRunner.Run(mutant, CaseCatalog.Get("conv1d/lecture/flip-and-shift-full"));
        Assert.Equal(CaseStatus.Failed, result.Status);
        var y = result.Outputs.Single();
        Assert.Equal([0], y.WorstIndex);
        Assert.Equal(1.0, y.Expected);
        Assert.Equal(2.0, y.Actual);
        Assert.Equal(0.0, y.Bound);
        Assert.Contains("conv1d case conv1d/lecture/flip-and-shift-full", result.Describe());
    }
}

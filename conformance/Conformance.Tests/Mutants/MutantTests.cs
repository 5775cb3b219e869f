using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Core.Mutants;
using Xunit;

namespace Conformance.Tests.Mutants;

/// <summary>
/// Every mutant of the catalogue is killed by the quick catalogue (lecture, edge and special-value cases), so by
/// every mode (each larger mode runs those cases too), with a message that names op, case, index,
/// expected, actual and bound.
/// </summary>
public sealed class MutantTests
{
    /// <summary>Mutant names, for the theory.</summary>
    public static IEnumerable<object[]> Names => MutantCatalog.All.Select(m => new object[] { m.Name });

    [Fact]
    public void TheCatalogueHasAtLeastThirtyDescribedMutantsWithUniqueNames()
    {
        var all = MutantCatalog.All;
        Assert.True(all.Count >= 30, $"{all.Count} mutants");
        Assert.Equal(all.Count, all.Select(m => m.Name).Distinct().Count());
        Assert.All(all, m => Assert.False(string.IsNullOrWhiteSpace(m.Description), m.Name));
        Assert.All(all, m => Assert.NotEmpty(m.Ops));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void QuickModeKillsTheMutant(string name)
    {
        var mutant = MutantCatalog.Get(name);
        var cases = SuiteSettings.Cases(SuiteMode.Quick).Where(c => mutant.Ops.Contains(c.Op)).ToList();
        Assert.NotEmpty(cases);
        var kill = cases.Select(c => CaseRunner.Run(mutant, c)).FirstOrDefault(r => r.Status is CaseStatus.Failed or CaseStatus.Error);
        Assert.True(kill != null, $"mutant {name} passed all {cases.Count} quick cases of {string.Join(", ", mutant.Ops)}");
        string message = kill!.Describe();
        Assert.Contains(kill.Op, message);
        Assert.Contains(kill.CaseId, message);
        if (kill.Status == CaseStatus.Error) return; // the mutant threw: the message is its exception
        var worst = kill.Outputs.First(o => !o.Passed);
        if (!worst.ElementCompared)
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
    public void EveryQuickCaseRunsInDefaultAndThoroughModeSoAQuickKillIsAKillThere()
    {
        // MutantRunner runs every case of the mode; a mutant killed by a quick case is killed by the
        // same case in the larger modes (the default run takes minutes, too long for every test run).
        var quick = SuiteSettings.Cases(SuiteMode.Quick).Select(c => c.Id).ToHashSet();
        Assert.Subset(SuiteSettings.Cases(SuiteMode.Default).Select(c => c.Id).ToHashSet(), quick);
        Assert.Subset(SuiteSettings.Cases(SuiteMode.Thorough).Select(c => c.Id).ToHashSet(), quick);
    }

    [Fact]
    public void FlipMutantIsCaughtOnTheLectureExampleWithAFullMessage()
    {
        // The 1D lecture example with reversal: forgetting the flip gives [2,5,8,11,4] instead of [1,4,7,10,8].
        var mutant = MutantCatalog.Get("forgets-to-flip-the-kernel");
        var result = CaseRunner.Run(mutant, CaseCatalog.Get("conv1d/lecture/flip-and-shift-full"));
        Assert.Equal(CaseStatus.Failed, result.Status);
        var y = result.Outputs.Single();
        Assert.Equal([0], y.WorstIndex);
        Assert.Equal(1.0, y.Expected);
        Assert.Equal(2.0, y.Actual);
        Assert.Equal(0.0, y.Bound);
        Assert.Contains("conv1d case conv1d/lecture/flip-and-shift-full", result.Describe());
    }

    [Fact]
    public void TheTf32MutantIsKilledOnlyWhereTheReductionIsLongAndPassesShortOnes()
    {
        // It must be the precision probe that kills it: on a short reduction it is a correct fp32 backend.
        var mutant = MutantCatalog.Get("rounds-inputs-to-tf32-above-2000-terms");
        Assert.Equal(CaseStatus.Passed, CaseRunner.Run(mutant, CaseCatalog.Get("conv2d_layer/edge/exact-integers-same")).Status);
        var probe = CaseRunner.Run(mutant, CaseCatalog.Get("conv2d_layer/edge/precision-probe-3x3x512-to-8"));
        Assert.Equal(CaseStatus.Failed, probe.Status);
        Assert.Equal(0.0, probe.Outputs.Single().Bound);
    }
}

/// <summary>The ILGPU kernel mutants (a buggy kernel version on the CPU accelerator) are killed by the quick catalogue too.</summary>
public sealed class IlgpuMutantTests
{
    [Fact]
    public void QuickModeKillsEveryKernelMutant()
    {
        var mutants = Conformance.Backends.Ilgpu.Mutants.IlgpuMutantCatalog.Create();
        try
        {
            // Each mutant runs the quick cases of its ops until one kills it (`conformance mutants` runs them
            // all and reports which kill it; here the first kill is the verdict, and it costs far less CI time).
            var report = new MutantReport("quick", mutants.Select(FirstKill).ToList(), []);
            Assert.All(report.Verdicts, v => Assert.True(v.Killed, $"{v.Mutant} survived {v.CasesRun} quick cases"));
            // Two v1 convolution kernels, two v2 ones (forced v2: the GEMM's partial last K stage dropped,
            // split-K's last partial dropped), three v4 Winograd transforms (held to the Winograd bound v4
            // declares) and softmax.
            Assert.Equal(8, report.Verdicts.Count);
            Assert.Contains(report.Verdicts, v => v.Mutant == "ilgpu-winograd-dw-not-flipped-back");
            Assert.Contains(report.Verdicts, v => v.Mutant == "ilgpu-winograd-filter-without-half");
            Assert.Contains(report.Verdicts, v => v.Mutant == "ilgpu-winograd-input-tiles-4-apart");
            Assert.Contains(report.Verdicts, v => v.Mutant == "ilgpu-gemm-drops-the-partial-last-k-stage");
            Assert.Contains(report.Verdicts, v => v.Mutant == "ilgpu-splitk-reduce-drops-the-last-split");
        }
        finally
        {
            foreach (var m in mutants) m.Dispose();
        }
    }

    private static MutantVerdict FirstKill(Conformance.Backends.Ilgpu.Mutants.IlgpuMutant mutant)
    {
        var cases = SuiteSettings.Cases(SuiteMode.Quick).Where(c => mutant.Ops.Contains(c.Op)).ToList();
        var kill = cases.Select(c => CaseRunner.Run(mutant, c)).FirstOrDefault(r => r.Status is CaseStatus.Failed or CaseStatus.Error);
        return new MutantVerdict(mutant.Name, mutant.Description, cases.Count, kill == null ? [] : [kill.CaseId]);
    }
}

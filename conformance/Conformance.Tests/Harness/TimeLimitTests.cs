using System.Diagnostics;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Reference;
using Xunit;
using Conformance.Core.Mutants;

namespace Conformance.Tests.Harness;

/// <summary>
/// A backend that hangs costs one case, not the run (GuardedCall): the case is an error naming the
/// limit, and the backend's later cases run after the abandoned call finishes or after recovery,
/// or are reported at once as not run while it is stuck. Each test holds its backend to a 3 s limit
/// (CallLimits.Use, an AsyncLocal: set in the test body, not the constructor, to reach the calls).
/// </summary>
[Collection(Conformance.Tests.Harness.WallClockCollection.Name)]
public sealed class TimeLimitTests : IDisposable
{
    // 3 s: long enough that a loaded 2-core CI machine never stretches a quick call past it (1 s once
    // did, while the ILGPU simulator's threads filled both cores), short enough to keep the tests fast.
    private static readonly CallLimits Limit = CallLimits.Fixed(3, "set by the test");
    private readonly List<HangingBackend> _backends = [];

    /// <summary>Three small avg_pool2d cases.</summary>
    private static readonly IReadOnlyList<ConformanceCase> Cases =
        SuiteSettings.Cases(SuiteMode.Quick).Where(c => c.Op == "avg_pool2d").Take(3).ToList();

    public void Dispose()
    {
        // Let every hung call return, so no thread outlives the test.
        foreach (var b in _backends) b.Release();
    }

    private static void AssertPassed(CaseResult result) => Assert.True(result.Status == CaseStatus.Passed, result.Describe());

    private T Track<T>(T backend) where T : HangingBackend
    {
        _backends.Add(backend);
        return backend;
    }

    [Fact]
    public void AHungCallIsAnErrorNamingTheCaseAndTheLimitAndAnotherInstancePasses()
    {
        using var limits = CallLimits.Use(Limit);
        Assert.Equal(3, Cases.Count);
        var hung = Track(new HangingBackend("hangs"));
        var watch = Stopwatch.StartNew();
        var r = CaseRunner.Run(hung, Cases[0]);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 5);
        Assert.Equal(CaseStatus.Error, r.Status);
        Assert.Equal("exceeded its time limit of 3 s (set by the test; set CONFORMANCE_CASE_TIMEOUT or --case-timeout to change it)", r.Reason);
        Assert.StartsWith($"hangs avg_pool2d case {Cases[0].Id}: error: exceeded its time limit of 3 s", r.Describe());

        var other = Track(new HangingBackend("hangs", hangOnCall: int.MaxValue));
        Assert.All(Cases.Skip(1), c => AssertPassed(CaseRunner.Run(other, c)));
    }

    [Fact]
    public void AStuckBackendReportsItsLaterCasesAtOnceAsNotRun()
    {
        using var limits = CallLimits.Use(Limit);
        var hung = Track(new HangingBackend("stuck"));
        var watch = Stopwatch.StartNew();
        Assert.Equal(CaseStatus.Error, CaseRunner.Run(hung, Cases[0]).Status);
        // The next case waits up to its own limit for the abandoned call, then gives up.
        var second = CaseRunner.Run(hung, Cases[1]);
        string notRun = $"not run: backend still busy with case {Cases[0].Id}, which exceeded its time limit of 3 s";
        Assert.Equal((CaseStatus.Error, notRun), (second.Status, second.Reason));
        // Every later one fails at once, without waiting.
        var third = Stopwatch.StartNew();
        var r = CaseRunner.Run(hung, Cases[2]);
        Assert.True(third.Elapsed < TimeSpan.FromSeconds(2), $"took {third.Elapsed}");
        Assert.Equal((CaseStatus.Error, notRun), (r.Status, r.Reason));
        Assert.Equal(1, hung.Calls);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void AnAbandonedCallThatFinishesLetsTheNextCasesRun()
    {
        using var limits = CallLimits.Use(Limit);
        var hung = Track(new HangingBackend("slow-once"));
        Assert.Equal(CaseStatus.Error, CaseRunner.Run(hung, Cases[0]).Status);
        hung.Release();
        Assert.All(Cases.Skip(1), c => AssertPassed(CaseRunner.Run(hung, c)));
        Assert.Equal(3, hung.Calls);
    }

    [Fact]
    public void ARecoverableBackendIsRecoveredAndItsLaterCasesPass()
    {
        using var limits = CallLimits.Use(Limit);
        var hung = Track(new RecoverableHangingBackend("recovers"));
        Assert.Equal(CaseStatus.Error, CaseRunner.Run(hung, Cases[0]).Status);
        var watch = Stopwatch.StartNew();
        Assert.All(Cases.Skip(1), c => AssertPassed(CaseRunner.Run(hung, c)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"waited {watch.Elapsed} for the abandoned call");
        var cause = Assert.Single(hung.Causes);
        Assert.Equal($"case {Cases[0].Id}, which exceeded its time limit of 3 s", cause);
    }

    [Fact]
    public void ABackendThatCannotRecoverReportsItsLaterCasesAsNotRun()
    {
        using var limits = CallLimits.Use(Limit);
        var hung = Track(new RecoverableHangingBackend("cannot-recover", canRecover: false));
        Assert.Equal(CaseStatus.Error, CaseRunner.Run(hung, Cases[0]).Status);
        var watch = Stopwatch.StartNew();
        var later = Cases.Skip(1).Select(c => CaseRunner.Run(hung, c)).ToList();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"took {watch.Elapsed}");
        Assert.All(later, r => Assert.Equal(CaseStatus.Error, r.Status));
        Assert.All(later, r => Assert.Equal($"not run: backend still busy with case {Cases[0].Id}, which exceeded its time limit of 3 s, " +
                                            "and recovering failed (InvalidOperationException: the device is gone)", r.Reason));
        Assert.Single(hung.Causes);
    }

    [Fact]
    public void ExceptionsWrongOutputsAndTheCallersAsyncLocalsAreUnchanged()
    {
        using var limits = CallLimits.Use(Limit);
        var throws = new MutantBackend("throws", call: c => throw new InvalidOperationException("no kernel"));
        var r = CaseRunner.Run(throws, Cases[0]);
        Assert.Equal((CaseStatus.Error, "InvalidOperationException: no kernel"), (r.Status, r.Reason));
        var missing = new MutantBackend("no-outputs", outputs: (_, _) => new Dictionary<string, Tensor>());
        Assert.Equal(CaseStatus.Failed, CaseRunner.Run(missing, Cases[0]).Status);

        // The call runs on another thread, yet sees the caller's Parallelism.LimitTo (an AsyncLocal).
        var backend = Track(new HangingBackend("flows", hangOnCall: int.MaxValue));
        using (Parallelism.LimitTo(1)) Assert.Equal(CaseStatus.Passed, CaseRunner.Run(backend, Cases[0]).Status);
        Assert.Equal(1, backend.SeenParallelism);
    }

    [Fact]
    public void MetamorphicChecksAndGradientChecksReportATimeoutAsAMessage()
    {
        using var limits = CallLimits.Use(Limit);
        var c = SuiteSettings.Cases(SuiteMode.Quick).First(x => x.Op == "relu" && Metamorphic.HasBatch(x));
        string? problem = Metamorphic.Repeatability(Track(new HangingBackend("hangs")), c);
        Assert.StartsWith($"hangs relu case {c.Id}: error: exceeded its time limit of 3 s", problem);

        var forward = new OpCall("relu", new Dictionary<string, Tensor> { ["x"] = new([4], [1, -2, 3, -4]) }, OpAttributes.Default);
        var report = Core.Gradients.GradientCheck.Check(Track(new HangingBackend("hangs")), forward, "tiny");
        Assert.False(report.Passed);
        Assert.Equal(CaseStatus.Error, report.AgainstReference!.Status);
        Assert.StartsWith("hangs relu case gradcheck/tiny: error: exceeded its time limit", report.AgainstReference.Describe());
    }
}

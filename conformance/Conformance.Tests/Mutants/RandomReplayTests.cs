using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Reference;
using Conformance.Suite;
using Xunit;
using Xunit.Abstractions;
using Conformance.Core.Mutants;

namespace Conformance.Tests.Mutants;

/// <summary>
/// The suite's FsCheck properties (<see cref="RandomCases.Check"/>, the path ConformanceSuite
/// takes): they catch a mutant, shrink it to a case printed as op, shapes and attributes, draw
/// the same cases from the same seed, and print a replay line that does replay.
/// </summary>
public sealed class RandomReplayTests(ITestOutputHelper output)
{
    private const string Test = "SomeConformance.RandomConvolutions";

    private static MutantBackend Mutant(string name) => MutantCatalog.Get(name);

    private static RandomCaseFailedException Fail(IConformanceBackend backend, RandomFamily family, ulong seed) =>
        Assert.Throws<RandomCaseFailedException>(() => RandomCases.Check(backend, family, 300, seed, Test));

    [Fact]
    public void FlipMutantIsFoundAndShrunkToAReadableCase()
    {
        var e = Fail(Mutant("forgets-to-flip-the-kernel"), RandomCases.Convolutions, RandomSeed.DefaultBase);
        // Only the flip matters, so shrinking keeps reversal and drops everything else it can.
        Assert.True(e.Shrunk.Attributes.Reversal, e.Message);
        Assert.Equal(1, e.Shrunk.Attributes.Groups);
        Assert.StartsWith("conv2d_layer", e.Shrunk.Op);
        Assert.Contains($"  {e.Shrunk.Summary()}\n  id {e.Shrunk.Id}\n", e.Message);
        Assert.Matches(@"conv2d_layer(_backward)? x\[\d+,\d+,\d+,\d+\] w\[\d+,\d+,\d+,\d+\] .*padding=\S+ reversal=true strides=\d+,\d+ dilation=\d+,\d+ groups=1 data=\w+", e.Message);
        Assert.Contains("expected", e.Message);
        Assert.Contains($"replay: CONFORMANCE_SEED=1 dotnet test Conformance.sln -c Release --filter \"FullyQualifiedName~{Test}\"", e.Message);
        Assert.True(e.Shrunk.Id.Split(',').Length <= 22, e.Message);
    }

    [Fact]
    public void TheSameSeedFailsOnTheSameShrunkCaseAndAnotherSeedIsHonoured()
    {
        var mutant = Mutant("splits-same-padding-the-other-way");
        var first = Fail(mutant, RandomCases.Convolutions, 12345);
        var second = Fail(mutant, RandomCases.Convolutions, 12345);
        Assert.Equal(first.Original.Id, second.Original.Id);
        Assert.Equal(first.Shrunk.Id, second.Shrunk.Id);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal("same", first.Shrunk.Attributes.Padding.ToString());
        Assert.Contains("replay: CONFORMANCE_SEED=12345 dotnet test", first.Message);

        var other = Fail(mutant, RandomCases.Convolutions, 54321);
        Assert.Equal(54321UL, other.BaseSeed);
        Assert.Contains("replay: CONFORMANCE_SEED=54321 dotnet test", other.Message);
        // Another seed draws other cases: the first failing one differs (the shrunk one may well coincide).
        Assert.NotEqual(first.Original.Id, other.Original.Id);
        output.WriteLine($"seed 12345: {first.Original.Id} shrunk to {first.Shrunk.Id}; seed 54321: {other.Original.Id} shrunk to {other.Shrunk.Id}");
    }

    [Fact]
    public void APassingRunDrawsTheSameCasesFromTheSameSeed()
    {
        using var reference = new ReferenceBackend();
        var a = RandomCases.Check(reference, RandomCases.Poolings, 40, 7, Test);
        var b = RandomCases.Check(reference, RandomCases.Poolings, 40, 7, Test);
        var c = RandomCases.Check(reference, RandomCases.Poolings, 40, 8, Test);
        Assert.Equal(40, a.CaseIds.Count);
        Assert.Equal(a.CaseIds, b.CaseIds);
        Assert.NotEqual(a.CaseIds, c.CaseIds);
        Assert.Equal(0, a.Discarded);
    }

    [Fact]
    public void ReferencePassesRandomCasesOfTheCurrentSeed()
    {
        // Logs the drawn ids, so two runs of `dotnet test` can be compared (they must print the same).
        using var reference = new ReferenceBackend();
        foreach (var family in new[] { RandomCases.Convolutions, RandomCases.Poolings })
        {
            var run = RandomCases.Check(reference, family, 40, RandomSeed.Base, Test);
            Assert.Equal(40, run.CaseIds.Count);
            Assert.Null(run.Unsupported);
            output.WriteLine($"{family.Property} seed {RandomSeed.For(family.Property, RandomSeed.Base)}: {string.Join(" ", run.CaseIds.Take(5))} ...");
            output.WriteLine($"{family.Property} digest {SeededRandomDigest(run.CaseIds)}");
        }
    }

    [Fact]
    public void ABackwardOnlyBackendStillRunsBackwardPoolingCases()
    {
        // As many cases as the suite's RandomPooling runs in this mode: none may be lost to discards.
        int count = SuiteSettings.RandomCases;
        var backend = new BackwardOnly(new ReferenceBackend());
        var run = RandomCases.Check(backend, RandomCases.Poolings, count, RandomSeed.DefaultBase, Test);
        Assert.Null(run.Unsupported);
        Assert.False(run.Exhausted);
        Assert.Equal(count, run.CaseIds.Count);
        Assert.Equal(["avg_pool2d_backward", "max_pool2d_backward"], run.PerOp.Keys.Order());
        Assert.All(run.PerOp.Values, n => Assert.True(n >= count / 5, $"only {n} cases of one op: {string.Join(", ", run.PerOp)}"));
        Assert.True(run.Discarded > count / 2, $"{run.Discarded} forward draws discarded");
        output.WriteLine($"{string.Join(", ", run.PerOp)}; {run.Discarded} forward draws discarded");
    }

    [Fact]
    public void ABugInABackwardOpOfABackwardOnlyBackendIsCaught()
    {
        var backend = new BackwardOnly(MutantCatalog.Get("avg-pool-backward-counts-padding"));
        var e = Fail(backend, RandomCases.Poolings, RandomSeed.DefaultBase);
        Assert.Equal("avg_pool2d_backward", e.Shrunk.Op);
        // The bug shows only where a window is clipped by padding.
        Assert.NotEqual("valid", e.Shrunk.Attributes.Padding.ToString());
        Assert.Contains("avg_pool2d_backward x[", e.Message);
    }

    [Fact]
    public void ABackendWithNoneOfTheOpsIsReportedUnsupportedWithEveryOp()
    {
        var run = RandomCases.Check(new BackwardOnly(new ReferenceBackend(), none: true), RandomCases.Poolings, 10, 1, Test);
        Assert.Empty(run.CaseIds);
        foreach (string op in RandomCases.Poolings.Ops) Assert.Contains(op + ":", run.Unsupported);
    }

    private static string SeededRandomDigest(IEnumerable<string> ids) =>
        Conformance.Core.Cases.SeededRandom.SeedOf(string.Join("|", ids)).ToString("x16");

    /// <summary>A backend that supports only backward ops (or none), over another.</summary>
    private sealed class BackwardOnly(IConformanceBackend inner, bool none = false) : IConformanceBackend
    {
        public string Name => "backward-only " + inner.Name;

        public BackendCapabilities Capabilities => inner.Capabilities;

        public Support Supports(OpCall call) => !none && call.Info.IsBackward ? inner.Supports(call) : Support.No("backward ops only");

        public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call) => inner.Evaluate(call);

        public void Dispose() => inner.Dispose();
    }
}

using System.Runtime.CompilerServices;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Xunit;

namespace Conformance.Suite;

/// <summary>
/// The conformance suite, written once. A backend opts in with a thin class in any xunit test
/// project: <c>public sealed class MyConformance : ConformanceSuite&lt;MyBackend&gt; { }</c>.
/// Every catalogued case is one test; unsupported calls and missing devices are skips with the
/// reason, never passes or failures. Each backend call has a time limit (<see cref="CallLimits"/>;
/// CONFORMANCE_CASE_TIMEOUT overrides it): a hung call fails its own test, not the whole run.
/// </summary>
/// <typeparam name="TBackend">The backend; one instance is shared by all tests of the class.</typeparam>
public abstract class ConformanceSuite<TBackend> where TBackend : IConformanceBackend, new()
{
    private static readonly Lazy<(TBackend? Backend, string Why)> Shared = new(SuiteBackend.Create<TBackend>, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The catalogued case ids of the current mode (CONFORMANCE_MODE).</summary>
    public static IEnumerable<object[]> Cases => SuiteSettings.Cases().Select(c => new object[] { c.Id });

    /// <summary>Cases with a batch axis of at least two samples, for the batch-independence check.</summary>
    public static IEnumerable<object[]> BatchedCases =>
        SuiteSettings.Cases().Where(c => c.Group is "edge" or "random" && Metamorphic.HasBatch(c)).Select(c => new object[] { c.Id });

    /// <summary>One small case per op, for the repeatability check.</summary>
    public static IEnumerable<object[]> RepeatCases =>
        SuiteSettings.Cases().Where(c => c.Group == "edge").GroupBy(c => c.Op).Select(g => new object[] { g.First().Id });

    /// <summary>The shared backend, or a skip when its device or library is missing.</summary>
    protected static TBackend Backend
    {
        get
        {
            var (backend, why) = Shared.Value;
            Skip.If(backend is null, why);
            return backend!;
        }
    }

    /// <summary>Forward and backward outputs of one catalogued case are within the error bound of spec/numerics.md.</summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Case(string id)
    {
        var result = CaseRunner.Run(Backend, CaseCatalog.Get(id));
        Skip.If(result.Status == CaseStatus.Unsupported, $"{typeof(TBackend).Name} does not support this case: {result.Reason}");
        Assert.True(result.Status == CaseStatus.Passed, result.Describe());
    }

    /// <summary>A sample's outputs do not depend on the other samples of its batch.</summary>
    [SkippableTheory]
    [MemberData(nameof(BatchedCases))]
    public void BatchIndependence(string id)
    {
        var c = CaseCatalog.Get(id);
        SkipUnsupported(c);
        string? problem = Metamorphic.BatchIndependence(Backend, c);
        Assert.True(problem is null, problem);
    }

    /// <summary>Two identical calls agree bitwise unless the backend declares itself nondeterministic.</summary>
    [SkippableTheory]
    [MemberData(nameof(RepeatCases))]
    public void Repeatability(string id)
    {
        var c = CaseCatalog.Get(id);
        SkipUnsupported(c);
        Skip.IfNot(Backend.Capabilities.Deterministic, $"{Backend.Name} declares itself nondeterministic");
        string? problem = Metamorphic.Repeatability(Backend, c);
        Assert.True(problem is null, problem);
    }

    /// <summary>
    /// FsCheck-generated conv2d_layer cases (forward and backward, every padding mode, strides,
    /// dilation, groups, reversal), drawn from a fixed seed (CONFORMANCE_SEED sets another). A
    /// failure is shrunk to the smallest failing case, and the message gives that case's op,
    /// shapes and attributes, its comparison and the line that replays it.
    /// </summary>
    [SkippableFact]
    public void RandomConvolutions() => CheckRandom(RandomCases.Convolutions);

    /// <summary>FsCheck-generated pooling cases, forward and backward, seeded and shrunk as <see cref="RandomConvolutions"/>.</summary>
    [SkippableFact]
    public void RandomPooling() => CheckRandom(RandomCases.Poolings);

    private void CheckRandom(RandomFamily family, [CallerMemberName] string test = "")
    {
        var backend = Backend;
        // Outside this repository there is no Conformance.sln: the replay line then names no project.
        string command = GetType().Assembly.GetName().Name == "Conformance.Tests" ? RandomSeed.RepositoryTestCommand : "dotnet test";
        var run = RandomCases.Check(backend, family, SuiteSettings.RandomCases, RandomSeed.Base, $"{GetType().Name}.{test}", command);
        Skip.If(run.Unsupported != null, $"{backend.Name} supports no op of {family.Property}: {run.Unsupported}");
        Skip.If(run.Exhausted, $"{backend.Name} supports too few of {family.Property}'s draws: {run.CaseIds.Count} cases ran "
            + $"(all passed) and {run.Discarded} were discarded before FsCheck gave up");
    }

    private static void SkipUnsupported(ConformanceCase c)
    {
        var support = Backend.Supports(c.Build(Backend.Capabilities.PrecisionOf(c.Op)));
        Skip.IfNot(support.IsSupported, $"{Backend.Name} does not support {c.Id}: {support.Reason}");
    }
}

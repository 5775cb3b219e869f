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

    /// <summary>The catalogued cases of the current mode (CONFORMANCE_MODE), unsupported ones grouped by reason.</summary>
    public static IEnumerable<object[]> Cases => Rows(SuiteSettings.Cases());

    /// <summary>Cases with a batch axis of at least two samples, for the batch-independence check.</summary>
    public static IEnumerable<object[]> BatchedCases =>
        Rows(SuiteSettings.Cases().Where(c => c.Group is "edge" or "random" && Metamorphic.HasBatch(c)));

    /// <summary>One small case per op, for the repeatability check.</summary>
    public static IEnumerable<object[]> RepeatCases =>
        Rows(SuiteSettings.Cases().Where(c => c.Group == "edge").GroupBy(c => c.Op).Select(g => g.First()));

    /// <summary>
    /// Inputs of at most this many elements (256 MB in double: every case but the full-size fc1)
    /// are built when the tests are listed, to ask the backend whether it supports the case;
    /// larger cases are asked when they run.
    /// </summary>
    public const long DiscoveryProbeElements = 1 << 25;

    /// <summary>
    /// One row per case the backend supports (or may: large cases are asked when run), and one
    /// row per reason for the cases it does not, with their count: `dotnet test` then prints each
    /// skip reason once instead of one bare [SKIP] line per case. A missing backend is one row.
    /// </summary>
    private static IEnumerable<object[]> Rows(IEnumerable<ConformanceCase> cases)
    {
        var list = cases.ToList();
        var (backend, why) = Shared.Value;
        if (backend is null)
        {
            yield return [CaseRow.Skipped(why, list.Count)];
            yield break;
        }
        var skipped = new List<(string Reason, int Count)>();
        foreach (var c in list)
        {
            string? reason = (backend as ISuiteScope)?.LeftOut(c)
                ?? (c.Shapes.Values.Sum(s => s.Aggregate(1L, (a, d) => a * d)) > DiscoveryProbeElements ? null
                    : backend.Supports(c.Build(backend.Capabilities.PrecisionOf(c.Op))) is { IsSupported: false } no ? $"{backend.Name} does not support them: {no.Reason}" : null);
            if (reason is null)
            {
                yield return [CaseRow.Run(c.Id)];
                continue;
            }
            int at = skipped.FindIndex(r => r.Reason == reason);
            if (at < 0) skipped.Add((reason, 1));
            else skipped[at] = (reason, skipped[at].Count + 1);
        }
        foreach (var (reason, count) in skipped) yield return [CaseRow.Skipped(reason, count)];
    }

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
    public void Case(CaseRow row)
    {
        string id = RunnableId(row);
        var result = CaseRunner.Run(Backend, CaseCatalog.Get(id));
        Skip.If(result.Status == CaseStatus.Unsupported, $"{typeof(TBackend).Name} does not support this case: {result.Reason}");
        Assert.True(result.Status == CaseStatus.Passed, result.Describe());
    }

    /// <summary>A sample's outputs do not depend on the other samples of its batch.</summary>
    [SkippableTheory]
    [MemberData(nameof(BatchedCases))]
    public void BatchIndependence(CaseRow row)
    {
        var c = CaseCatalog.Get(RunnableId(row));
        SkipUnsupported(c);
        string? problem = Metamorphic.BatchIndependence(Backend, c);
        Assert.True(problem is null, problem);
    }

    /// <summary>Two identical calls agree bitwise unless the backend declares itself nondeterministic.</summary>
    [SkippableTheory]
    [MemberData(nameof(RepeatCases))]
    public void Repeatability(CaseRow row)
    {
        var c = CaseCatalog.Get(RunnableId(row));
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

    /// <summary>The row's case id, or the skip its row stands for.</summary>
    private static string RunnableId(CaseRow row)
    {
        Skip.If(row.Id is null, row.ToString());
        return row.Id!;
    }

    private static void SkipUnsupported(ConformanceCase c)
    {
        var support = Backend.Supports(c.Build(Backend.Capabilities.PrecisionOf(c.Op)));
        Skip.IfNot(support.IsSupported, $"{Backend.Name} does not support {c.Id}: {support.Reason}");
    }
}

using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Conformance.Suite;

/// <summary>A genome and the case it decodes to: what FsCheck draws, shrinks and prints.</summary>
/// <param name="Genome">The integers FsCheck generates and shrinks.</param>
/// <param name="Case">The decoded case.</param>
public sealed record DrawnCase(int[] Genome, ConformanceCase Case)
{
    /// <summary>Op, shapes and attributes first (what a person reads), then the stable id.</summary>
    public override string ToString() => $"{Case.Summary()} (id {Case.Id})";
}

/// <summary>How a random property went on a backend that did not fail it.</summary>
/// <param name="CaseIds">The supported cases run, in order (the same list on every run with the same seed).</param>
/// <param name="Discarded">Draws of ops the backend does not support (not counted as cases).</param>
/// <param name="Unsupported">Why nothing ran, when the backend supports no op the family can produce.</param>
/// <param name="Exhausted">True when FsCheck gave up before <c>count</c> supported cases: too many draws were discarded.</param>
public sealed record RandomRun(IReadOnlyList<string> CaseIds, int Discarded, string? Unsupported = null, bool Exhausted = false)
{
    /// <summary>Cases run per op.</summary>
    public IReadOnlyDictionary<string, int> PerOp => CaseIds.GroupBy(id => id[..id.IndexOf('/')]).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>A random case failed: the shrunk case, the first failing case and the line that replays both.</summary>
public sealed class RandomCaseFailedException(string message, ConformanceCase shrunk, ConformanceCase original, ulong baseSeed, string replay)
    : Exception(message)
{
    /// <summary>The smallest failing case FsCheck found.</summary>
    public ConformanceCase Shrunk { get; } = shrunk;

    /// <summary>The first failing case drawn, before shrinking.</summary>
    public ConformanceCase Original { get; } = original;

    /// <summary>The base seed of the run (CONFORMANCE_SEED or its default).</summary>
    public ulong BaseSeed { get; } = baseSeed;

    /// <summary>The shell line that reruns the failing test with the same cases.</summary>
    public string Replay { get; } = replay;
}

public static partial class RandomCases
{
    /// <summary>
    /// Runs <paramref name="count"/> supported random cases of <paramref name="family"/> on
    /// <paramref name="backend"/>, drawn from the seed of the family's property under
    /// <paramref name="baseSeed"/>, so the same arguments run the same cases. Draws of ops the
    /// backend does not support are discards (FsCheck draws on), and the run is
    /// <see cref="RandomRun.Unsupported"/> only when the backend supports none of the family's
    /// ops. A failure is shrunk and thrown as a <see cref="RandomCaseFailedException"/> whose
    /// message names the shrunk case (op, shapes, attributes, id), its comparison and
    /// <paramref name="replayTest"/>'s replay line.
    /// </summary>
    /// <param name="backend">The backend under test.</param>
    /// <param name="family">What to draw.</param>
    /// <param name="count">Supported cases to run.</param>
    /// <param name="baseSeed">CONFORMANCE_SEED or its default (<see cref="RandomSeed.Base"/>).</param>
    /// <param name="replayTest">Class.Method of the calling test, for the replay line.</param>
    /// <param name="testCommand">The dotnet test command of the replay line.</param>
    public static RandomRun Check(IConformanceBackend backend, RandomFamily family, int count, ulong baseSeed,
        string replayTest, string testCommand = RandomSeed.RepositoryTestCommand)
    {
        var p = backend.Capabilities.PrecisionOf;
        var probes = family.Probes.Select(family.Decode).Select(c => (c.Op, Support: backend.Supports(c.Build(p(c.Op))))).ToList();
        if (probes.All(o => !o.Support.IsSupported))
            return new RandomRun([], 0, string.Join("; ", probes.Select(o => $"{o.Op}: {o.Support.Reason}")));

        var ran = new List<string>();
        int discarded = 0;
        var arb = ArbMap.Default.ArbFor<int[]>().Convert(g => new DrawnCase(g, family.Decode(g)), d => d.Genome);
        var supportedOps = probes.Where(o => o.Support.IsSupported).Select(o => o.Op).ToHashSet();
        var property = Prop.ForAll(arb, d =>
        {
            // An op whose probe was refused is discarded before its inputs are made: most draws of a
            // backward-only backend are short genomes, which decode to forward ops.
            var call = supportedOps.Contains(d.Case.Op) ? d.Case.Build(p(d.Case.Op)) : null;
            bool supported = call != null && backend.Supports(call).IsSupported;
            if (!supported) discarded++;
            return new Func<bool>(() =>
            {
                ran.Add(d.Case.Id);
                var result = CaseRunner.Run(backend, CaseRunner.Expect(call!, p(d.Case.Op)), d.Case.Id);
                // Throwing (not returning false) carries the comparison into the outcome of the shrunk case.
                if (result.Status != CaseStatus.Passed) throw new InvalidOperationException(result.Describe());
                return true;
            }).When(supported);
        });

        ulong seed = RandomSeed.For(family.Property, baseSeed);
        var runner = new CapturingRunner();
        var config = Config.Quick
            .WithMaxTest(count)
            // Room for a backward-only backend: the op gene is gene 9 (pooling) or 21 (convolution), so
            // short genomes, which are most draws at FsCheck's small sizes, are forward ops.
            .WithMaxRejected(50 * count + 1000)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)))
            .WithRunner(runner);
        FsCheck.Check.One(config, property);

        return runner.Result switch
        {
            TestResult.Failed f => throw Failure(backend, family, f, baseSeed, RandomSeed.ReplayCommand(replayTest, baseSeed, testCommand)),
            TestResult.Exhausted => new RandomRun(ran, discarded, Exhausted: true),
            _ => new RandomRun(ran, discarded),
        };
    }

    private static RandomCaseFailedException Failure(IConformanceBackend backend, RandomFamily family, TestResult.Failed f,
        ulong baseSeed, string replay)
    {
        var original = (DrawnCase)f.Item2.Head;
        var shrunk = (DrawnCase)f.Item3.Head;
        string comparison = f.Item4 is Outcome.Failed { Item: { } e } ? e.Message : "the property returned false";
        string message =
            $"{backend.Name} {family.Property}: a random case failed after {f.Item1.NumberOfTests} cases; "
            + $"shrunk in {f.Item1.NumberOfShrinks} steps to\n"
            + $"  {shrunk.Case.Summary()}\n  id {shrunk.Case.Id}\n"
            + $"{comparison}\n"
            + $"first failing case: {original}\n"
            + $"replay: {replay}\n"
            + $"(base seed {baseSeed}, FsCheck seed ({f.Item5.Seed},{f.Item5.Gamma}) for property {family.Property})";
        return new RandomCaseFailedException(message, shrunk.Case, original.Case, baseSeed, replay);
    }

    /// <summary>Keeps FsCheck's result instead of printing it, so the failure can be told in the suite's words.</summary>
    private sealed class CapturingRunner : IRunner
    {
        public TestResult? Result { get; private set; }

        public void OnStartFixture(Type t) { }

        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) { }

        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) { }

        public void OnFinished(string name, TestResult testResult) => Result = testResult;
    }
}

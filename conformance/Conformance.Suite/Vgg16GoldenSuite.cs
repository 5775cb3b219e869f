using System.Collections.Concurrent;
using Conformance.Core.Backends;
using Conformance.Core.Networks;
using Xunit;

namespace Conformance.Suite;

/// <summary>
/// VGG16 end to end against the goldens (spec/vgg16.md, spec/numerics.md "Networks"), written
/// once: <c>public sealed class MyVgg16 : Vgg16GoldenSuite&lt;MyBackend&gt; { }</c>. Each golden
/// image's forward pass and the training step's gradients run on the backend, op by op, and every
/// step is judged against the goldens under the network tolerance and against the reference on
/// the backend's own inputs (the chained check); the top-5 classes must be the golden's. A
/// missing device, missing goldens or an op the backend lacks is a skip with the reason.
/// </summary>
/// <typeparam name="TBackend">The backend; one instance is shared by the tests of the class.</typeparam>
public abstract class Vgg16GoldenSuite<TBackend> where TBackend : IConformanceBackend, new()
{
    private static readonly Lazy<(TBackend? Backend, string Why)> Shared = new(SuiteBackend.Create<TBackend>, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ConcurrentDictionary<int, Lazy<IReadOnlyList<StepResult>>> Forwards = new();

    /// <summary>
    /// Why this backend's VGG16 runs are left out of the default run, or null. A slow backend (a
    /// simulator) says so here; its tests then run only with CONFORMANCE_SLOW=1.
    /// </summary>
    protected virtual string? SlowBecause => null;

    /// <summary>The golden images, by index.</summary>
    public static IEnumerable<object[]> Images => Vgg16Images.Names.Select((_, i) => new object[] { i });

    /// <summary>The forward pass of one golden image: every step within the tolerances, identical top-5.</summary>
    [SkippableTheory]
    [MemberData(nameof(Images))]
    public void Forward(int image)
    {
        var (backend, goldens) = Setup();
        var verdict = GoldenJudge.Forward(backend.Name, goldens.Manifest, goldens.Files, image, Run(backend, image),
            backend.Capabilities.PrecisionOf);
        Assert.True(verdict.Passed, verdict.Describe());
    }

    /// <summary>The training step's gradients (cross-entropy loss, the golden label) on the backend's own forward pass.</summary>
    [SkippableFact]
    public void TrainingStep()
    {
        var (backend, goldens) = Setup();
        var forward = Run(backend, Vgg16Golden.TrainingImage);
        IReadOnlyList<StepResult> training;
        try
        {
            training = new Vgg16Runner(backend, SharedGoldens.Weights).TrainingStep(forward, Vgg16Golden.TrainingLabel);
        }
        catch (StepNotSupportedException e)
        {
            throw new SkipException($"{backend.Name} cannot run the training step: {e.Message}");
        }
        var verdict = GoldenJudge.Training(backend.Name, goldens.Manifest, goldens.Files, forward, training, backend.Capabilities.PrecisionOf);
        Assert.True(verdict.Passed, verdict.Describe());
    }

    private (TBackend Backend, SharedGoldens.Set Goldens) Setup()
    {
        Skip.If(SlowBecause != null && Environment.GetEnvironmentVariable("CONFORMANCE_SLOW") != "1",
            $"{SlowBecause}; set CONFORMANCE_SLOW=1 to run it");
        var (backend, why) = Shared.Value;
        Skip.If(backend is null, why);
        var goldens = SharedGoldens.Load.Value;
        Skip.If(goldens.Problem != null, goldens.Problem);
        return (backend!, goldens);
    }

    /// <summary>The backend's forward steps of an image, computed once per class (the training step reuses image 0's).</summary>
    private static IReadOnlyList<StepResult> Run(TBackend backend, int image)
    {
        try
        {
            return Forwards.GetOrAdd(image, i => new Lazy<IReadOnlyList<StepResult>>(
                () => new Vgg16Runner(backend, SharedGoldens.Weights).Forward(Vgg16Images.Input(i)))).Value;
        }
        catch (StepNotSupportedException e)
        {
            throw new SkipException($"{backend.Name} cannot run VGG16 forward: {e.Message}");
        }
    }
}

/// <summary>The goldens and the synthetic weights, loaded once per test process for every backend.</summary>
public static class SharedGoldens
{
    /// <summary>The golden folder's manifest and files, or why they could not be read.</summary>
    public sealed record Set(GoldenManifest Manifest, IReadOnlyDictionary<string, Conformance.Reference.Tensor> Files, string? Problem);

    /// <summary>The goldens of <see cref="GoldenStore.DefaultRoot"/>, SHA-256 checked.</summary>
    public static readonly Lazy<Set> Load = new(() =>
    {
        string root = GoldenStore.DefaultRoot();
        if (!GoldenStore.Exists(root))
            return new Set(null!, new Dictionary<string, Conformance.Reference.Tensor>(),
                $"no goldens at {root} (set CONFORMANCE_GOLDEN_DIR, or run 'conformance golden regenerate')");
        var manifest = GoldenStore.ReadManifest(root);
        return new Set(manifest, GoldenStore.Read(root, manifest), null);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<Vgg16Weights> LazyWeights = new(() => Vgg16Weights.Synthetic(Load.Value.Manifest?.WeightSeed ?? Vgg16Weights.DefaultSeed));

    /// <summary>The goldens' synthetic weights (1.1 GB of doubles, made once).</summary>
    public static Vgg16Weights Weights => LazyWeights.Value;
}

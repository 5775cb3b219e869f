using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Conformance.Core.Networks;
using Conformance.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Options of every golden verb: where the golden folder is.</summary>
public class GoldenSettings : BackendSettings
{
    /// <summary>The golden folder; default <see cref="GoldenStore.DefaultRoot"/>.</summary>
    [CommandOption("--golden-dir <DIR>")]
    [Description("The golden folder (default: CONFORMANCE_GOLDEN_DIR, else golden/ at the root of this checkout).")]
    public string? GoldenDir { get; init; }

    /// <summary>Print every step's comparison (golden check).</summary>
    [CommandOption("--steps")]
    [Description("golden check: print every step's largest error/tolerance against the goldens and in the chained check.")]
    public bool Steps { get; init; }

    /// <summary>The golden folder: --golden-dir, else golden/ beside the Conformance.sln above the current folder.</summary>
    public string Root => GoldenDir ?? GoldenStore.DefaultRoot();
}

/// <summary>Options of <c>golden regenerate</c>.</summary>
public sealed class RegenerateSettings : GoldenSettings
{
    /// <summary>Replace goldens whose values changed.</summary>
    [CommandOption("--force")]
    [Description("Replace goldens whose values changed (without it, changed values are listed and nothing is written).")]
    public bool Force { get; init; }
}

/// <summary>Shared parts of the golden verbs: the checkout's root and the reference run with progress.</summary>
internal static class Golden
{
    /// <summary>Runs the reference over every golden with a progress bar (a line per layer when not on a terminal).</summary>
    public static GoldenRun Generate(CliContext context, Vgg16Weights weights)
    {
        double total = Vgg16Golden.TotalCost;
        var clock = Stopwatch.StartNew();
        if (context.Console.Profile.Capabilities.Interactive)
        {
            GoldenRun? run = null;
            context.Console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("reference VGG16", maxValue: total);
                    run = Vgg16Golden.Generate(weights, (step, done) =>
                    {
                        task.Description = step.Name;
                        task.Value = done;
                    });
                });
            return run!;
        }
        return Vgg16Golden.Generate(weights, (step, done) =>
        {
            if (step.Call.Op is not ("conv2d_layer" or "dense" or "conv2d_layer_backward" or "dense_backward") || step.Output is "dw" or "db") return;
            double left = Math.Max(0, clock.Elapsed.TotalSeconds * (total - done) / done);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {done / total,4:P0}  {step.Name,-40} {clock.Elapsed.TotalSeconds,6:F1} s, about {left:F0} s left"));
        });
    }

    /// <summary>The manifest for freshly generated files.</summary>
    public static GoldenManifest Manifest(GoldenRun run) => new(
        "vgg16", Vgg16Golden.GeneratorVersion, "synthetic (spec/vgg16.md)", Vgg16Weights.DefaultSeed, SamplePositions.Seed,
        Vgg16Images.Names.ToArray(), Vgg16Images.Names[Vgg16Golden.TrainingImage], Vgg16Golden.TrainingLabel,
        GoldenStore.ReferenceCommit(GoldenStore.RepositoryRoot() ?? Directory.GetCurrentDirectory()), run.ForwardSteps.ToArray(), run.TrainingSteps.ToArray(),
        run.Files.Select(f => GoldenStore.Entry(f, GoldenStore.Bytes(f))).ToArray());
}

/// <summary>
/// <c>conformance golden regenerate [--force]</c>: runs the reference over the VGG16 goldens and
/// writes them all or nothing. When goldens exist and any value changed, it lists what changed and
/// by how much and writes nothing, unless --force.
/// </summary>
public sealed class GoldenRegenerateCommand(CliContext context) : Command<RegenerateSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, RegenerateSettings settings, CancellationToken cancellationToken)
    {
        string root = settings.Root;
        var clock = Stopwatch.StartNew();
        var weights = Vgg16Weights.Synthetic();
        var run = Golden.Generate(context, weights);
        var files = run.Files;
        if (GoldenStore.Exists(root))
        {
            var changes = Changes(root, files);
            foreach (var (path, max) in changes)
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"changed: {path} ({(double.IsPositiveInfinity(max) ? "new, removed, reshaped or unreadable" : $"largest |new − old| {max:G3}")})"));
            if (changes.Count > 0 && !settings.Force)
                throw new OpArgumentException("--force",
                    "--force to replace goldens whose values changed", $"{changes.Count} changed file(s) listed above; nothing was written");
        }
        GoldenStore.Write(root, Golden.Manifest(run), files);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {files.Count} golden files to {root} in {clock.Elapsed.TotalSeconds:F1} s"));
        return ExitCodes.Success;
    }

    /// <summary>
    /// The files whose values differ from the goldens in <paramref name="root"/>, with the largest
    /// change. An unreadable manifest or file counts as changed (∞), so --force can replace it.
    /// </summary>
    private static List<(string Path, double MaxDiff)> Changes(string root, IReadOnlyList<GoldenFile> files)
    {
        GoldenManifest manifest;
        try { manifest = GoldenStore.ReadManifest(root); }
        catch (OpArgumentException) { return [(GoldenStore.ManifestName, double.PositiveInfinity)]; }
        var old = new Dictionary<string, Tensor>();
        foreach (var entry in manifest.Files)
        {
            try { old[entry.Path] = Core.Io.Npy.Read(Path.Combine(root, entry.Path), allowIntegers: true, argument: entry.Path); }
            catch (Exception e) when (e is OpArgumentException or IOException) { }
        }
        return GoldenStore.Diff(files, old).Where(d => d.Changed).Select(d => (d.Path, d.MaxDiff)).ToList();
    }
}

/// <summary>
/// <c>conformance golden verify</c>: checks every golden file's SHA-256 against the manifest, then
/// recomputes them with the reference and requires every value to be bitwise the same.
/// </summary>
public sealed class GoldenVerifyCommand(CliContext context) : Command<GoldenSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, GoldenSettings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var manifest = GoldenStore.ReadManifest(settings.Root);
        var stored = GoldenStore.Read(settings.Root, manifest);
        context.Out.WriteLine($"{manifest.Files.Length} golden files match their SHA-256 in the manifest; recomputing with the reference…");
        var files = Golden.Generate(context, Vgg16Weights.Synthetic(manifest.WeightSeed)).Files;
        var changes = GoldenStore.Diff(files, stored).Where(d => d.Changed).ToList();
        foreach (var (path, _, max) in changes)
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"DIFFERS: {path} (largest |recomputed − golden| {max:G3})"));
        context.Out.WriteLine(changes.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"golden verify: all {files.Count} files reproduced bit for bit in {clock.Elapsed.TotalSeconds:F1} s")
            : $"golden verify: FAILED, {changes.Count} of {files.Count} files differ from the reference");
        return changes.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }
}

/// <summary>
/// <c>conformance golden check --backend NAME</c>: runs VGG16 forward on every golden image and
/// the training step on a backend, and judges each step against the goldens (network tolerance)
/// and against the reference on the backend's own inputs (chained check). Exit 1 on any failure,
/// 3 when the backend computes none of it.
/// </summary>
public sealed class GoldenCheckCommand(CliContext context) : Command<GoldenSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, GoldenSettings settings, CancellationToken cancellationToken)
    {
        var manifest = GoldenStore.ReadManifest(settings.Root);
        var files = GoldenStore.Read(settings.Root, manifest);
        using var backend = settings.CreateRegistry(context).Create(settings.Backend);
        var weights = Vgg16Weights.Synthetic(manifest.WeightSeed);
        var runner = new Vgg16Runner(backend, weights);
        var p = backend.Capabilities.PrecisionOf;
        var verdicts = new List<NetworkVerdict>();
        int unsupported = 0;
        for (int image = 0; image < Vgg16Images.Names.Count; image++)
        {
            IReadOnlyList<StepResult> forward;
            try { forward = runner.Forward(Vgg16Images.Input(image)); }
            catch (StepNotSupportedException e)
            {
                context.Out.WriteLine($"{backend.Name}, {Vgg16Images.Names[image]} forward: not run: {e.Message}");
                unsupported++;
                continue;
            }
            verdicts.Add(GoldenJudge.Forward(backend.Name, manifest, files, image, forward, p));
            Print(verdicts[^1], settings.Steps);
            if (image != Vgg16Golden.TrainingImage) continue;
            try
            {
                var training = runner.TrainingStep(forward, Vgg16Golden.TrainingLabel);
                verdicts.Add(GoldenJudge.Training(backend.Name, manifest, files, forward, training, p));
                Print(verdicts[^1], settings.Steps);
            }
            catch (StepNotSupportedException e)
            {
                context.Out.WriteLine($"{backend.Name}, training step: not run: {e.Message}");
                unsupported++;
            }
        }
        if (verdicts.Count == 0) return ExitCodes.Unsupported;
        return verdicts.All(v => v.Passed) ? ExitCodes.Success : ExitCodes.Failed;
    }

    private void Print(NetworkVerdict verdict, bool steps)
    {
        context.Out.WriteLine(verdict.Describe());
        if (!steps) return;
        for (int i = 0; i < verdict.Golden.Count; i++)
        {
            var (g, c) = (verdict.Golden[i], verdict.Chained[i]);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {g.Step,-42} golden {g.MaxRatio,9:G3}  chained {c.MaxRatio,9:G3}  worst against the golden: {g.Detail}"));
        }
    }
}

using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Conformance.Core.Backends;
using Conformance.Core.Io;
using Conformance.Core.Networks;
using Conformance.Perf;
using Conformance.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Options of <c>conformance bench</c>.</summary>
public sealed class BenchSettings : CommandSettings
{
    /// <summary>Comma-separated backends; default every backend available here.</summary>
    [CommandOption("--backends <LIST>")]
    [Description("Comma-separated backends to measure (default: every available one: reference, torchsharp, onnxruntime, ilgpu-cpu, ilgpu-cuda).")]
    public string? Backends { get; init; }

    /// <summary>The quick profile.</summary>
    [CommandOption("--quick")]
    [Description("Quick profile: VGG16 layers at a quarter of the image side, small training batches (minutes on 2 cores).")]
    public bool Quick { get; init; }

    /// <summary>Compare with the baseline and fail on a regression.</summary>
    [CommandOption("--compare")]
    [Description("Compare with perf/baselines/<machine-class>.json (or --baseline): exit 1 when a workload is more than 10% slower relative to libtorch.")]
    public bool Compare { get; init; }

    /// <summary>The baseline file for --compare and --write-baseline.</summary>
    [CommandOption("--baseline <FILE>")]
    [Description("Baseline file (default perf/baselines/<machine-class>-<profile>.json).")]
    public string? Baseline { get; init; }

    /// <summary>Write this run as the baseline.</summary>
    [CommandOption("--write-baseline")]
    [Description("Write this run's JSON as the baseline of this machine class and profile.")]
    public bool WriteBaseline { get; init; }

    /// <summary>Results measured elsewhere in the same session (perf/gpu/torch_bench.py), merged into the report.</summary>
    [CommandOption("--include <FILE>")]
    [Description("JSON results of the same workloads measured in the same session by another tool (perf/gpu/torch_bench.py), shown beside ours. Repeatable.")]
    public string[] Include { get; init; } = [];

    /// <summary>The per-pass kernel benchmark instead of the workloads above.</summary>
    [CommandOption("--conv-passes")]
    [Description("Instead: VGG16's 13 convolutions per pass (forward, backward data, backward weights) on an ILGPU backend (default ilgpu-cuda), each kernel version timed on device memory; with --quick at a quarter of the image side. Writes <machine-class>-<date>-conv-passes-b<batch>.md and .json.")]
    public bool ConvPasses { get; init; }

    /// <summary>The batch of --conv-passes.</summary>
    [CommandOption("--batch <N>")]
    [Description("Batch size for --conv-passes (default 64).")]
    public int Batch { get; init; } = 64;

    /// <summary>The kernel versions of --conv-passes.</summary>
    [CommandOption("--versions <LIST>")]
    [Description("Comma-separated kernel versions for --conv-passes: v1, v2, v3, v4 (default v1,v2; v4 is Winograd where it applies; v3 on the CPU accelerator needs --backends ilgpu-cpu-v3, whose simulator has 256-thread groups).")]
    public string Versions { get; init; } = "v1,v2";

    /// <summary>The per-run budget of --conv-passes.</summary>
    [CommandOption("--pass-budget <SECONDS>")]
    [Description("--conv-passes: a pass predicted (from batch 1) to take longer than this per run is not measured (default 20).")]
    public double PassBudget { get; init; } = 20;

    /// <summary>Where the report goes.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Folder for the report (default perf/reports): <machine-class>-<date>-<profile>.md, .json and PNG charts.")]
    public string? Out { get; init; }
}

/// <summary>
/// <c>conformance bench</c>: measures the machine's peak, then every workload (VGG16's layers,
/// VGG16 forward, AlexNet and VGG16 training steps) on every chosen backend, and writes the report
/// (Markdown, JSON, PNG charts) with the lecture's CPU-vs-GPU table. Timings never decide a test.
/// </summary>
public sealed class BenchCommand(CliContext context) : Command<BenchSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, BenchSettings settings, CancellationToken cancellationToken)
    {
        string root = GoldenStore.RepositoryRoot() ?? Directory.GetCurrentDirectory();
        string outDir = settings.Out ?? Path.Combine(root, "perf", "reports");
        if (!Directory.Exists(outDir)) throw new OpArgumentException("--out", "an existing folder", $"'{outDir}'");
        var registry = context.Backends();
        if (settings.ConvPasses) return RunPasses(settings, registry, outDir);
        var names = settings.Backends?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? ["reference", "torchsharp", "onnxruntime", "ilgpu-cpu", "ilgpu-cuda"];
        foreach (string name in names) registry.CheckName(name);
        var backends = new List<IConformanceBackend>();
        try
        {
            foreach (string name in names)
            {
                try { backends.Add(registry.Create(name)); }
                catch (BackendUnavailableException e) when (settings.Backends == null)
                {
                    context.Out.WriteLine($"{name}: not available here ({e.Message}); left out");
                }
            }
            string gpu = backends.FirstOrDefault(b => b.Name == "ilgpu-cuda")?.Capabilities.Device ?? "";
            var machine = MachineInfo.Current(gpu);
            string profile = settings.Quick ? "quick" : "full";
            string baseline = settings.Baseline ?? Path.Combine(root, "perf", "baselines", $"{machine.Class}-{profile}.json");
            if (settings.Compare && !File.Exists(baseline))
                throw new OpArgumentException("--baseline", "an existing baseline for this machine class and profile (write one with --write-baseline)", $"no file at '{baseline}'");
            var included = settings.Include.SelectMany(ReadIncluded).ToList();
            var report = Run(backends, settings.Quick, machine);
            report = report with { Results = [.. report.Results, .. included] };
            string stem = Path.Combine(outDir, $"{machine.Class}-{machine.DateUtc:yyyy-MM-dd}-{profile}");
            var charts = Charts.Write(report, stem);
            string? cpu = new[] { "torchsharp", "onnxruntime", "reference" }.FirstOrDefault(n => backends.Any(b => b.Name == n));
            string? gpuName = gpu.Length > 0 ? "ilgpu-cuda" : null;
            var pairs = new List<(string?, string?)> { (cpu, gpuName) };
            if (report.Results.Any(x => x.Backend == "pytorch-cpu"))
                foreach (string torchGpu in new[] { "pytorch-cuda-fp32", "pytorch-cuda-tf32" }.Where(g => report.Results.Any(x => x.Backend == g)))
                    pairs.Add(("pytorch-cpu", torchGpu));
            string markdown = Report.ToMarkdown(report, pairs, charts);
            int code = ExitCodes.Success;
            if (settings.Compare)
            {
                var comparisons = Baseline.Compare(report, Report.FromJson(File.ReadAllText(baseline)));
                string table = Baseline.ToMarkdown(comparisons, Path.GetRelativePath(root, baseline));
                markdown += "\n" + table;
                context.Out.WriteLine(table);
                int regressions = comparisons.Count(c => c.Regression);
                context.Out.WriteLine(regressions == 0
                    ? $"bench --compare: no regression in {comparisons.Count} comparisons"
                    : $"bench --compare: {regressions} of {comparisons.Count} workloads regressed by more than {Perf.Baseline.Threshold:P0}");
                if (regressions > 0) code = ExitCodes.Failed;
            }
            AtomicFile.WriteAllTexts([(stem + ".md", markdown), (stem + ".json", Report.ToJson(report))]);
            if (settings.WriteBaseline)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(baseline)!);
                AtomicFile.WriteAllText(baseline, Report.ToJson(report));
                context.Out.WriteLine($"wrote the baseline {baseline}");
            }
            foreach (var x in Report.OverPeak(report))
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"warning: {x.Backend}, {x.Workload}: {x.Gflops:F1} GFLOP/s is over the measured peak {report.PeakGflops:F1}; the peak or the flop count is wrong"));
            context.Out.WriteLine(Report.LectureTable(report, cpu, gpuName));
            context.Out.WriteLine($"wrote {stem}.md, .json and {charts.Count} charts");
            return code;
        }
        finally
        {
            foreach (var b in backends) b.Dispose();
        }
    }

    /// <summary>
    /// <c>bench --conv-passes</c>: the per-pass kernel table (<see cref="ConvPassBench"/>) with any
    /// included cuDNN results of the same workloads, printed and written as Markdown and JSON.
    /// </summary>
    private int RunPasses(BenchSettings settings, BackendRegistry registry, string outDir)
    {
        if (settings.Batch < 1) throw new OpArgumentException("--batch", "a positive batch size", settings.Batch.ToString(CultureInfo.InvariantCulture));
        var versions = settings.Versions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => Enum.TryParse<Conformance.Backends.Ilgpu.KernelVersion>(v, ignoreCase: true, out var k) && k is not (Conformance.Backends.Ilgpu.KernelVersion.Auto or Conformance.Backends.Ilgpu.KernelVersion.AutoDirect)
                ? k : throw new OpArgumentException("--versions", "a comma-separated list of v1, v2, v3 and v4", $"'{settings.Versions}'"))
            .Distinct().ToList();
        var names = settings.Backends?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? ["ilgpu-cuda"];
        foreach (string name in names) registry.CheckName(name);
        var included = settings.Include.SelectMany(ReadIncluded).ToList();
        var backends = new List<Conformance.Backends.Ilgpu.IlgpuBackend>();
        try
        {
            foreach (string name in names)
            {
                var backend = registry.Create(name);
                if (backend is not Conformance.Backends.Ilgpu.IlgpuBackend ilgpu)
                {
                    backend.Dispose();
                    throw new OpArgumentException("--backends", "ILGPU backends for --conv-passes (ilgpu-cuda, ilgpu-cpu)", $"'{name}'");
                }
                backends.Add(ilgpu);
            }
            string gpu = backends.FirstOrDefault(b => b.Capabilities.Device.StartsWith("cuda", StringComparison.Ordinal))?.Capabilities.Device ?? "";
            var machine = MachineInfo.Current(gpu);
            var bench = new ConvPassBench(backends, settings.Batch, settings.Quick, versions,
                what => context.Out.WriteLine($"  {what}")) { BudgetSeconds = settings.PassBudget };
            var results = bench.Run();
            string profile = $"conv-passes-b{settings.Batch}{(settings.Quick ? "-quick" : "")}";
            var report = new BenchReport(machine, 0, 0, profile, [.. results, .. included.Where(x => x.Group == ConvPassBench.Group)]);
            var auto = backends.Select(b => ConvPassBench.Label(b, Conformance.Backends.Ilgpu.KernelVersion.V1)[..^3]).ToList();
            string markdown = PassReport.ToMarkdown(report, settings.Batch, settings.Quick, auto);
            string stem = Path.Combine(outDir, $"{machine.Class}-{machine.DateUtc:yyyy-MM-dd}-{profile}");
            AtomicFile.WriteAllTexts([(stem + ".md", markdown), (stem + ".json", Report.ToJson(report))]);
            context.Out.WriteLine(markdown);
            context.Out.WriteLine($"wrote {stem}.md and .json");
            return ExitCodes.Success;
        }
        finally
        {
            foreach (var b in backends) b.Dispose();
        }
    }

    /// <summary>The results of a torch_bench.py JSON file ({"results": [...]}, the report's own result fields).</summary>
    private static IEnumerable<BenchResult> ReadIncluded(string path)
    {
        if (!File.Exists(path)) throw new OpArgumentException("--include", "an existing JSON file of results", $"no file at '{path}'");
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty("results").Deserialize<List<BenchResult>>(Report.Json) ?? [];
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new OpArgumentException("--include", "a JSON object with a \"results\" list (perf/gpu/torch_bench.py)", $"'{path}': {e.Message}");
        }
    }

    private BenchReport Run(List<IConformanceBackend> backends, bool quick, MachineInfo machine)
    {
        if (!context.Console.Profile.Capabilities.Interactive)
        {
            var runner = new BenchRunner(backends, quick, (what, done, total) =>
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{done}/{total}] {what}")));
            return runner.Run(machine);
        }
        BenchReport? report = null;
        context.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("bench");
                report = new BenchRunner(backends, quick, (what, done, total) =>
                {
                    task.Description = Markup.Escape(what);
                    task.MaxValue = total;
                    task.Value = done;
                }).Run(machine);
            });
        return report!;
    }
}

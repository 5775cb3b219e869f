using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Conformance.Perf;

/// <summary>
/// Writes a <see cref="BenchReport"/> as Markdown (for people and the README) and JSON (for
/// baselines and scripts). Every speed is given as time, GFLOP/s and % of the measured peak;
/// speed-ups only between figures of the same run.
/// </summary>
public static class Report
{
    /// <summary>Results faster than the measured peak: impossible, so a wrong peak or flop count.</summary>
    public static IReadOnlyList<BenchResult> OverPeak(BenchReport r) => r.Results.Where(x => x.Time != null && x.Gflops > r.PeakGflops).ToList();

    /// <summary>The JSON options of reports and baselines.</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The report as JSON.</summary>
    public static string ToJson(BenchReport report) => JsonSerializer.Serialize(report, Json) + "\n";

    /// <summary>Reads a report or baseline.</summary>
    public static BenchReport FromJson(string json) =>
        JsonSerializer.Deserialize<BenchReport>(json, Json) ?? throw new JsonException("empty report");

    /// <summary>The report as Markdown: machine, limits, one table per group, the lecture's CPU-vs-GPU table.</summary>
    public static string ToMarkdown(BenchReport r, string? cpuBackend, string? gpuBackend, IEnumerable<string>? charts = null)
        => ToMarkdown(r, [(cpuBackend, gpuBackend)], charts);

    /// <summary>The report with one lecture table per (CPU backend, GPU backend) pair, e.g. ours and PyTorch's.</summary>
    public static string ToMarkdown(BenchReport r, IReadOnlyList<(string? Cpu, string? Gpu)> pairs, IEnumerable<string>? charts = null)
    {
        var m = r.Machine;
        var md = new StringBuilder();
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        md.AppendLine(F($"# Performance report: {m.Class}, {m.DateUtc:yyyy-MM-dd}"));
        md.AppendLine();
        md.AppendLine(F($"- Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryGiB:F1} GiB; GPU: {(m.Gpu.Length == 0 ? "none" : m.Gpu)}"));
        md.AppendLine(F($"- Software: {m.Runtime}, {m.Os}; commit {m.Commit}; {m.DateUtc:yyyy-MM-dd HH:mm} UTC; profile {r.Profile}"));
        md.AppendLine(F($"- Measured limits: fp32 FMA peak {r.PeakGflops:F1} GFLOP/s (all cores), memory bandwidth {r.BandwidthGBs:F1} GB/s (triad)"));
        md.AppendLine("- Times: median of the timed runs after a warm-up (min–max in brackets); GFLOP/s at the median; % of the measured peak.");
        md.AppendLine();
        foreach (string chart in charts ?? []) md.AppendLine($"![{Path.GetFileNameWithoutExtension(chart)}]({Path.GetFileName(chart)})").AppendLine();
        string[] backends = r.Results.Select(x => x.Backend).Distinct().ToArray();
        foreach (var group in r.Results.GroupBy(x => x.Group))
        {
            md.AppendLine($"## {Title(group.Key)}").AppendLine();
            md.AppendLine("| workload | " + string.Join(" | ", backends) + " |");
            md.AppendLine("|---|" + string.Concat(backends.Select(_ => "---|")));
            foreach (var row in group.GroupBy(x => x.Workload))
            {
                var reference = row.FirstOrDefault(x => x.Backend == "reference" && x.Time != null);
                md.Append("| ").Append(row.Key).Append(' ');
                foreach (string b in backends)
                {
                    var x = row.FirstOrDefault(y => y.Backend == b);
                    md.Append("| ").Append(Cell(x, r.PeakGflops, reference)).Append(' ');
                }
                md.AppendLine("|");
            }
            md.AppendLine();
        }
        var skipped = r.Results.Where(x => x.Skipped != null).ToList();
        if (skipped.Count > 0)
        {
            md.AppendLine("Not measured:").AppendLine();
            foreach (var x in skipped) md.AppendLine($"- {x.Backend}, {x.Workload}: {x.Skipped}");
            md.AppendLine();
        }
        foreach (var (cpu, gpu) in pairs) md.AppendLine(LectureTable(r, cpu, gpu));
        return md.ToString();
    }

    /// <summary>
    /// The lecture's table, "batch | CPU time | GPU time | GPU speed-up", per network, from the
    /// training steps of this run; the speed-up only where both were measured here.
    /// </summary>
    public static string LectureTable(BenchReport r, string? cpu, string? gpu)
    {
        var md = new StringBuilder();
        md.AppendLine("## The lecture's table: a training step, CPU against GPU").AppendLine();
        md.AppendLine($"CPU backend: {cpu ?? "none"}; GPU backend: {gpu ?? "none (no GPU on this machine)"}.").AppendLine();
        md.AppendLine("| network, training step (SGD) | CPU time | GPU time | GPU speed-up |");
        md.AppendLine("|---|---|---|---|");
        foreach (var w in r.Results.Where(x => x.Group == "training").Select(x => x.Workload).Distinct())
        {
            var c = r.Results.FirstOrDefault(x => x.Workload == w && x.Backend == cpu && x.Time != null);
            var g = r.Results.FirstOrDefault(x => x.Workload == w && x.Backend == gpu && x.Time != null);
            string speedup = c != null && g != null ? (c.Time!.Median / g.Time!.Median).ToString("F1", CultureInfo.InvariantCulture) + "×" : "–";
            md.AppendLine($"| {w.Replace(" training step", "")} | {Seconds(c?.Time)} | {Seconds(g?.Time)} | {speedup} |");
        }
        return md.ToString();
    }

    private static string Title(string group) => group switch
    {
        "layer" => "VGG16 convolution layers (batch 1)",
        "network" => "VGG16 forward",
        _ => "Training steps",
    };

    private static string Cell(BenchResult? x, double peak, BenchResult? reference)
    {
        if (x == null) return "";
        if (x.Time == null) return "not measured";
        string speedup = reference != null && x.Backend != "reference"
            ? string.Create(CultureInfo.InvariantCulture, $", {reference.Time!.Median / x.Time.Median:F1}× ref") : "";
        // Above the measured peak means the peak or the flop count is wrong: say so rather than print it plainly.
        string over = x.Gflops > peak ? " (over the measured peak: a measurement error)" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Seconds(x.Time)} ({Seconds(x.Time.Min)}–{Seconds(x.Time.Max)}), {x.Gflops:F1} GFLOP/s, {100 * x.Gflops / peak:F1}%{over}{speedup}");
    }

    private static string Seconds(Timing? t) => t == null ? "–" : Seconds(t.Median);

    private static string Seconds(double s) => s >= 1
        ? s.ToString("F2", CultureInfo.InvariantCulture) + " s"
        : (s * 1000).ToString(s >= 0.01 ? "F1" : "F2", CultureInfo.InvariantCulture) + " ms";
}

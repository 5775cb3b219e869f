using System.Globalization;

namespace Conformance.Perf;

/// <summary>One workload's comparison with its baseline.</summary>
/// <param name="Workload">The workload.</param>
/// <param name="Backend">The backend.</param>
/// <param name="Now">This run's time relative to the anchor (or in seconds when no anchor was measured in both).</param>
/// <param name="Then">The baseline's, in the same unit.</param>
/// <param name="Change">Now / Then − 1: positive is slower.</param>
/// <param name="Regression">True when slower by more than the threshold.</param>
public sealed record Comparison(string Workload, string Backend, double Now, double Then, double Change, bool Regression);

/// <summary>
/// Judges a run against a committed baseline (perf/baselines/&lt;machine-class&gt;.json). A time is
/// compared as a ratio to the anchor backend's time for the same workload in the same run (libtorch
/// by default), so a slower or busier machine, which slows the anchor too, does not read as a
/// regression; the anchor itself is normalised by the FMA peak measured in the same run. A
/// workload more than <see cref="Threshold"/> slower is a regression.
/// </summary>
public static class Baseline
{
    /// <summary>10%: the issue's threshold, above the run-to-run spread of medians measured here (see perf/README.md).</summary>
    public const double Threshold = 0.10;

    /// <summary>The default anchor: libtorch, the most stable fast CPU backend here.</summary>
    public const string DefaultAnchor = "torchsharp";

    /// <summary>Every workload and backend measured in both runs, anchored where the anchor was measured in both.</summary>
    public static IReadOnlyList<Comparison> Compare(BenchReport now, BenchReport then, string anchor = DefaultAnchor)
    {
        var result = new List<Comparison>();
        foreach (var x in now.Results.Where(r => r.Time != null))
        {
            var old = then.Results.FirstOrDefault(r => r.Workload == x.Workload && r.Backend == x.Backend && r.Time != null);
            if (old == null) continue;
            var anchorNow = now.Results.FirstOrDefault(r => r.Workload == x.Workload && r.Backend == anchor && r.Time != null);
            var anchorThen = then.Results.FirstOrDefault(r => r.Workload == x.Workload && r.Backend == anchor && r.Time != null);
            // The anchor itself, and everything when the anchor is missing, is normalised by the
            // FMA peak measured in the same run instead: time × peak is machine-speed free too.
            bool anchored = anchorNow != null && anchorThen != null && x.Backend != anchor;
            double a = anchored ? x.Time!.Median / anchorNow!.Time!.Median : x.Time!.Median * now.PeakGflops;
            double b = anchored ? old.Time!.Median / anchorThen!.Time!.Median : old.Time!.Median * then.PeakGflops;
            double change = a / b - 1;
            result.Add(new Comparison(x.Workload, x.Backend + (anchored ? $" (÷ {anchor})" : " (× peak)"), a, b, change, change > Threshold));
        }
        return result;
    }

    /// <summary>The comparison as a Markdown table, regressions marked.</summary>
    public static string ToMarkdown(IReadOnlyList<Comparison> comparisons, string baselinePath)
    {
        var lines = new List<string>
        {
            $"## Against the baseline {baselinePath}", "",
            $"Regression: more than {Threshold:P0} slower, as a ratio to the anchor measured in the same run.", "",
            "| workload | backend | now | baseline | change | |", "|---|---|---|---|---|---|",
        };
        foreach (var c in comparisons)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Workload} | {c.Backend} | {c.Now:G4} | {c.Then:G4} | {c.Change:+0.0%;-0.0%} | {(c.Regression ? "REGRESSION" : "")} |"));
        return string.Join("\n", lines) + "\n";
    }
}

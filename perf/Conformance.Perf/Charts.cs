using ScottPlot;

namespace Conformance.Perf;

/// <summary>The report's PNG charts (ScottPlot): GFLOP/s per layer and backend against the peak, and speed-up over the reference.</summary>
public static class Charts
{
    /// <summary>Writes the charts of <paramref name="report"/> beside <paramref name="basePath"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(BenchReport report, string basePath)
    {
        var layers = report.Results.Where(r => r.Group == "layer").ToList();
        var workloads = layers.Select(r => r.Workload).Distinct().ToList();
        var backends = layers.Select(r => r.Backend).Distinct().ToList();
        string gflops = basePath + "-gflops.png", speedup = basePath + "-speedup.png";
        Bars(workloads, backends, (w, b) => layers.FirstOrDefault(r => r.Workload == w && r.Backend == b && r.Time != null)?.Gflops,
            $"VGG16 layers, batch 1 ({report.Profile} profile): GFLOP/s, measured peak {report.PeakGflops:F0}", "GFLOP/s",
            report.PeakGflops, gflops);
        var others = backends.Where(b => b != "reference").ToList();
        Bars(workloads, others, (w, b) =>
        {
            var reference = layers.FirstOrDefault(r => r.Workload == w && r.Backend == "reference" && r.Time != null);
            var x = layers.FirstOrDefault(r => r.Workload == w && r.Backend == b && r.Time != null);
            return reference == null || x == null ? null : reference.Time!.Median / x.Time!.Median;
        }, "Speed-up over the reference (same run)", "× reference", null, speedup);
        return [gflops, speedup];
    }

    private static void Bars(List<string> groups, List<string> series, Func<string, string, double?> value, string title,
        string yLabel, double? line, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        double width = 0.8 / Math.Max(1, series.Count);
        for (int s = 0; s < series.Count; s++)
        {
            var color = palette.GetColor(s);
            for (int g = 0; g < groups.Count; g++)
                if (value(groups[g], series[s]) is double v)
                    bars.Add(new Bar { Position = g + (s - (series.Count - 1) / 2.0) * width, Value = v, Size = width, FillColor = color });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s], FillColor = color });
        }
        plot.Add.Bars(bars);
        if (line is double peak)
        {
            var l = plot.Add.HorizontalLine(peak);
            l.LinePattern = LinePattern.Dashed;
            l.LegendText = "measured peak";
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, groups.Count).Select(i => (double)i).ToArray(), groups.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        // Room for the rotated layer names.
        plot.Axes.Bottom.MinimumSize = 170;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.SavePng(path, 1200, 700);
    }
}

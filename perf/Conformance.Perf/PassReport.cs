using System.Globalization;
using System.Text;
using Conformance.Backends.Ilgpu;
using Conformance.Reference;

namespace Conformance.Perf;

/// <summary>
/// The per-pass table of <see cref="ConvPassBench"/>: for each pass, VGG16's 13 layers with every
/// backend's time and TFLOP/s side by side (ours per kernel version, what Auto picks, and any
/// included cuDNN figures from perf/gpu/torch_bench.py --conv-passes), the 13-layer sums, and each
/// column's speed relative to cuDNN fp32, which issue 11 asks to be at least 0.5.
/// </summary>
public static class PassReport
{
    /// <summary>The cuDNN backend names torch_bench.py writes: TF32 off, then on.</summary>
    public static readonly string[] Cudnn = ["pytorch-cuda-fp32", "pytorch-cuda-tf32"];

    /// <summary>
    /// The report as Markdown; of the ILGPU backends in <paramref name="autoOf"/>, each whose Auto choice
    /// was measured on every layer and pass (the versions it picks are all in the run) gets an "auto" column.
    /// </summary>
    public static string ToMarkdown(BenchReport r, int batch, bool quick, IReadOnlyList<string> autoOf)
    {
        var results = r.Results.Where(x => x.Group == ConvPassBench.Group).ToList();
        autoOf = autoOf.Where(a => ConvPassBench.Passes.All(p => ConvPassBench.Vgg16.All(l => AutoResult(results, a, l, p.Name, batch, quick) != null))).ToList();
        var columns = results.Select(x => x.Backend).Distinct().ToList();
        var ours = columns.Where(c => !Cudnn.Contains(c)).ToList();
        var md = new StringBuilder();
        var m = r.Machine;
        md.AppendLine(F($"# VGG16 convolutions per pass: batch {batch}{(quick ? ", image sides ÷4" : "")}, {m.DateUtc:yyyy-MM-dd}")).AppendLine();
        md.AppendLine(F($"- Machine: {m.Cpu}, {m.Cores} cores; GPU: {(m.Gpu.Length == 0 ? "none" : m.Gpu)}; commit {m.Commit}"));
        md.AppendLine("- 3×3 convolutions, padding same, stride 1, no bias, fp32 NHWC/HWIO; each pass timed alone on device memory, synchronised; "
            + "median of the runs after a warm-up (one run for passes over 0.5 s). FLOPs: 2·B·H·W·Cout·9·Cin per pass.");
        md.AppendLine("- block3_conv3, block4_conv3, block5_conv2 and block5_conv3 repeat a shape and reuse its times (marked =).");
        if (columns.Any(Cudnn.Contains))
            md.AppendLine("- cuDNN: PyTorch in the same session, channels-last, cudnn.benchmark on, TF32 off (fp32) and on (tf32); perf/gpu/torch_bench.py --conv-passes.");
        md.AppendLine();
        foreach (var (pass, _) in ConvPassBench.Passes)
        {
            md.AppendLine($"## {pass}").AppendLine();
            var header = columns.Concat(autoOf.Select(a => $"{a} auto")).ToList();
            md.AppendLine("| layer | " + string.Join(" | ", header) + " |");
            md.AppendLine("|---|" + string.Concat(header.Select(_ => "---:|")));
            foreach (var layer in ConvPassBench.Vgg16)
            {
                var cells = columns.Select(c => Cell(Find(results, layer, pass, c)));
                var autos = autoOf.Select(a => AutoCell(results, a, layer, pass, batch, quick));
                md.AppendLine($"| {layer.Name}{(layer.SameAs == null ? "" : " =")} | " + string.Join(" | ", cells.Concat(autos)) + " |");
            }
            var sums = columns.Select(c => SumCell(ConvPassBench.Vgg16.Select(l => Find(results, l, pass, c)).ToList()));
            var autoSums = autoOf.Select(a => SumCell(ConvPassBench.Vgg16.Select(l => AutoResult(results, a, l, pass, batch, quick)).ToList()));
            md.AppendLine("| **13 layers** | " + string.Join(" | ", sums.Concat(autoSums)) + " |").AppendLine();
        }
        md.AppendLine("## Against cuDNN fp32 (issue 11: at least 0.5 on every pass)").AppendLine();
        if (!columns.Contains(Cudnn[0]))
        {
            md.AppendLine("No cuDNN figures in this run (run perf/gpu/torch_bench.py --conv-passes in the same session and pass its JSON with --include).");
            return md.ToString();
        }
        md.AppendLine("Speed relative to cuDNN fp32 (its time ÷ ours) over the 13 layers:").AppendLine();
        var speeds = ours.Concat(autoOf.Select(a => $"{a} auto")).ToList();
        md.AppendLine("| pass | " + string.Join(" | ", speeds) + " |");
        md.AppendLine("|---|" + string.Concat(speeds.Select(_ => "---:|")));
        foreach (var (pass, _) in ConvPassBench.Passes)
        {
            double? Total(Func<PassLayer, BenchResult?> of) => ConvPassBench.Vgg16.Select(of).ToList() is var all && all.All(x => x?.Time != null)
                ? all.Sum(x => x!.Time!.Median) : null;
            double? cudnn = Total(l => Find(results, l, pass, Cudnn[0]));
            var cells = ours.Select(o => Total(l => Find(results, l, pass, o)))
                .Concat(autoOf.Select(a => Total(l => AutoResult(results, a, l, pass, batch, quick))))
                .Select(t => t == null || cudnn == null ? "–" : F($"{cudnn / t:F2}"));
            md.AppendLine($"| {pass} | " + string.Join(" | ", cells) + " |");
        }
        return md.ToString();
    }

    private static BenchResult? Find(List<BenchResult> results, PassLayer layer, string pass, string backend) =>
        results.FirstOrDefault(x => x.Backend == backend && x.Workload == $"{layer.SameAs ?? layer.Name} {pass}");

    /// <summary>The result of the version Auto picks for this layer and pass (the dispatcher of the backend, asked for the same shape).</summary>
    private static BenchResult? AutoResult(List<BenchResult> results, string backend, PassLayer layer, string pass, int batch, bool quick)
    {
        int n = quick ? Math.Max(2, layer.Size / 4) : layer.Size;
        var p = DeviceGeometry.Layer([batch, n, n, layer.Cin], [3, 3, layer.Cin, layer.Cout], false, OpAttributes.Default with { Padding = Padding.Same });
        // ilgpu-cuda's groups hold 1,024 threads, so its Auto may pick v3 or v4; ilgpu-cpu's simulator holds 64.
        bool wide = backend.StartsWith("ilgpu-cuda", StringComparison.Ordinal);
        var chosen = ConvGemmPlan.Dispatch(KernelVersion.Auto, ConvPassBench.Passes.First(x => x.Name == pass).Pass, p, wide);
        return Find(results, layer, pass, $"{backend}-{chosen.ToString().ToLowerInvariant()}");
    }

    private static string AutoCell(List<BenchResult> results, string backend, PassLayer layer, string pass, int batch, bool quick)
    {
        var x = AutoResult(results, backend, layer, pass, batch, quick);
        return x == null ? "–" : $"{Cell(x)} ({x.Backend[^2..]})";
    }

    private static string Cell(BenchResult? x) => x == null ? "–" : x.Time == null ? "not measured" : F($"{Ms(x.Time.Median)}, {Tflops(x)}");

    private static string SumCell(List<BenchResult?> layers)
    {
        int timed = layers.Count(x => x?.Time != null);
        if (timed < layers.Count) return $"{timed} of {layers.Count} timed";
        double seconds = layers.Sum(x => x!.Time!.Median), flops = layers.Sum(x => x!.Flops);
        return F($"**{Ms(seconds)}, {Rate(flops / seconds)}**");
    }

    private static string Tflops(BenchResult x) => Rate(x.Flops / x.Time!.Median);

    /// <summary>TFLOP/s, or GFLOP/s below 0.1 TFLOP/s (the CPU simulator).</summary>
    private static string Rate(double flopsPerSecond) =>
        flopsPerSecond >= 1e11 ? F($"{flopsPerSecond / 1e12:F2} TFLOP/s") : F($"{flopsPerSecond / 1e9:F2} GFLOP/s");

    private static string Ms(double seconds) => F($"{seconds * 1e3:F2} ms");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

using Conformance.Backends.Ilgpu;
using Conformance.Perf;
using Xunit;

namespace Conformance.Tests.Perf;

/// <summary>The per-pass kernel benchmark (bench --conv-passes): it runs on the simulator, and its table adds up (timings never decide a test).</summary>
public sealed class ConvPassBenchTests
{
    private static readonly MachineInfo Machine = new("Test CPU", 2, 24, "cuda NVIDIA H100", "Linux", ".NET", "abc", new DateTime(2026, 11, 26));

    [Fact]
    public void EveryPassOfEveryVersionIsTimedOnDeviceMemory()
    {
        using var backend = new IlgpuCpuBackend();
        var bench = new ConvPassBench([backend], batch: 2, quick: false, [KernelVersion.V1, KernelVersion.V2])
        {
            Layers = [new("tiny", 6, 8, 12)],
        };
        var results = bench.Run();
        Assert.Equal(6, results.Count);
        Assert.All(results, r => Assert.True(r.Time is { Median: > 0 }, $"{r.Backend} {r.Workload}: {r.Skipped}"));
        Assert.Equal(["ilgpu-cpu-v1", "ilgpu-cpu-v2"], results.Select(r => r.Backend).Distinct());
        Assert.Contains(results, r => r.Workload == "tiny backward-weights");
        Assert.All(results, r => Assert.Equal(2.0 * 2 * 6 * 6 * 12 * 9 * 8, r.Flops));
    }

    [Fact]
    public void ThePassTableSumsThirteenLayersAndComparesEachVersionAndAutoWithCudnn()
    {
        // Every distinct shape 1 ms on v1, 0.5 ms on v2, 0.3125 ms on v3, 0.42 ms on v4 and 0.25 ms on cuDNN fp32; tf32 left out.
        var results = Results(("ilgpu-cuda-v1", 1.0), ("ilgpu-cuda-v2", 0.5), ("ilgpu-cuda-v3", 0.3125), ("ilgpu-cuda-v4", 0.42), ("pytorch-cuda-fp32", 0.25));
        var report = new BenchReport(Machine, 0, 0, "conv-passes-b64", results);
        string md = PassReport.ToMarkdown(report, 64, quick: false, ["ilgpu-cuda"]);
        // ilgpu-cuda's Auto (ConvGemmPlan.Dispatch) takes Winograd (v4) for every pass of every layer but block1_conv1's
        // forward and weights (3 input channels), which stay on v2.
        Assert.Contains("| block5_conv3 = | 1.00 ms, 1.00 TFLOP/s | 0.50 ms, 2.00 TFLOP/s | 0.31 ms, 3.20 TFLOP/s | 0.42 ms, 2.38 TFLOP/s | 0.25 ms, 4.00 TFLOP/s | 0.42 ms, 2.38 TFLOP/s (v4) |", md);
        Assert.Contains("| block1_conv1 | 1.00 ms, 1.00 TFLOP/s | 0.50 ms, 2.00 TFLOP/s | 0.31 ms, 3.20 TFLOP/s | 0.42 ms, 2.38 TFLOP/s | 0.25 ms, 4.00 TFLOP/s | 0.50 ms, 2.00 TFLOP/s (v2) |", md);
        // 13 layers, each of 1 GFLOP: 13 ms at 1 TFLOP/s on v1; Auto 0.5 + 12·0.42 = 5.54 ms forward and for dw, 13·0.42 = 5.46 ms for dx.
        Assert.Contains("| **13 layers** | **13.00 ms, 1.00 TFLOP/s** | **6.50 ms, 2.00 TFLOP/s** | **4.06 ms, 3.20 TFLOP/s** | **5.46 ms, 2.38 TFLOP/s** | **3.25 ms, 4.00 TFLOP/s** | **5.54 ms, 2.35 TFLOP/s** |", md);
        Assert.Contains("| **13 layers** | **13.00 ms, 1.00 TFLOP/s** | **6.50 ms, 2.00 TFLOP/s** | **4.06 ms, 3.20 TFLOP/s** | **5.46 ms, 2.38 TFLOP/s** | **3.25 ms, 4.00 TFLOP/s** | **5.46 ms, 2.38 TFLOP/s** |", md);
        // Speed relative to cuDNN fp32 (3.25 ms): 0.25 for v1, 0.5 for v2, 0.8 for v3, 0.60 for v4; Auto 0.59, 0.60 and 0.59.
        Assert.Contains("| forward | 0.25 | 0.50 | 0.80 | 0.60 | 0.59 |", md);
        Assert.Contains("| backward-data | 0.25 | 0.50 | 0.80 | 0.60 | 0.60 |", md);
        Assert.Contains("| backward-weights | 0.25 | 0.50 | 0.80 | 0.60 | 0.59 |", md);
    }

    [Fact]
    public void AutoGetsAColumnOnlyWhenEveryVersionItNamesWasMeasured()
    {
        // Without v4, ilgpu-cuda's Auto cannot be composed on VGG16 (it names v4 for 37 of the 39 passes).
        var results = Results(("ilgpu-cuda-v1", 1.0), ("ilgpu-cuda-v2", 0.5), ("ilgpu-cuda-v3", 0.3125), ("pytorch-cuda-fp32", 0.25));
        string md = PassReport.ToMarkdown(new BenchReport(Machine, 0, 0, "conv-passes-b64", results), 64, quick: false, ["ilgpu-cuda"]);
        Assert.DoesNotContain("auto", md);
        Assert.Contains("| forward | 0.25 | 0.50 | 0.80 |", md);
    }

    /// <summary>One result per distinct VGG16 shape and pass for each (backend, ms), 1 GFLOP each.</summary>
    private static List<BenchResult> Results(params (string Backend, double Ms)[] backends)
    {
        var results = new List<BenchResult>();
        foreach (var layer in ConvPassBench.Vgg16.Where(l => l.SameAs == null))
            foreach (var (pass, _) in ConvPassBench.Passes)
                foreach (var (backend, ms) in backends)
                    results.Add(new($"{layer.Name} {pass}", ConvPassBench.Group, backend, 1e9, new Timing(ms / 1e3, ms / 1e3, ms / 1e3, 3), null));
        return results;
    }
}

using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Conformance.Benchmarks;

/// <summary>
/// Entry point: BenchmarkDotNet's switcher over every benchmark class here, with three options of
/// our own taken out of the arguments before BenchmarkDotNet sees them:
/// <list type="bullet">
/// <item><c>--quick</c>: one launch, 3 warm-up and 5 measured iterations of about 250 ms each, so the
/// whole set runs in a few minutes on 2 cores (the default job takes about 4× longer).</item>
/// <item><c>--full-size</c>: the VGG16 layers at their real image side (224…14) instead of a quarter of it.</item>
/// <item><c>--both-sizes</c>: both.</item>
/// <item><c>--threads=N</c>: N intra-op threads for both libraries on both sides of every
/// comparison (libtorch's <c>set_num_threads</c>; the raw ONNX Runtime session and
/// <c>new OnnxRuntimeBackend(N)</c>). Without it each library runs as the adapters run it:
/// libtorch's own default, ONNX Runtime with the adapter's 2 threads. On a shared, loaded
/// machine, 1 avoids waits for a descheduled worker thread that swamp the small layers.</item>
/// <item><c>--checksums</c>: no benchmark; prints a hash of every forward catalogue result of both
/// adapters (see <see cref="Checksums"/>), to show an adapter change keeps the results.</item>
/// </list>
/// Every job runs in process (BenchmarkDotNet's in-process emit toolchain): the generated
/// out-of-process project would receive an unpatched libLibTorchSharp.so (see
/// backends/TorchSharp/build/PatchLibTorchSharp.targets), and skipping its build saves minutes.
/// </summary>
public static class Program
{
    /// <summary>Runs the switcher; see the class summary for the extra options.</summary>
    public static int Main(string[] args)
    {
        bool quick = false;
        var rest = new List<string>();
        foreach (string arg in args)
        {
            switch (arg)
            {
                case "--quick": quick = true; break;
                case "--checksums": Checksums.Print(); return 0;
                case var t when t.StartsWith("--threads=", StringComparison.Ordinal):
                    BenchmarkSettings.Threads = int.Parse(t["--threads=".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--full-size": BenchmarkSettings.Scales = [1]; break;
                case "--both-sizes": BenchmarkSettings.Scales = [BenchmarkSettings.DefaultScale, 1]; break;
                default: rest.Add(arg); break;
            }
        }
        if (BenchmarkSettings.Threads is int n) TorchSharp.torch.set_num_threads(n);
        var job = quick
            ? new Job("Quick").WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(5)
                .WithIterationTime(TimeInterval.FromMilliseconds(250))
            : new Job("Default");
        job = job.WithToolchain(InProcessEmitToolchain.Instance).AsDefault();
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}

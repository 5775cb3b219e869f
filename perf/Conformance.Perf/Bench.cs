using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Networks;
using Conformance.Reference;

namespace Conformance.Perf;

/// <summary>One workload on one backend: its time, or why it was not measured.</summary>
/// <param name="Workload">e.g. "block3_conv2 forward", "vgg16 forward", "alexnet 224×224 batch 64 training step".</param>
/// <param name="Group">layer, network or training.</param>
/// <param name="Backend">The backend's name.</param>
/// <param name="Flops">Floating-point operations of one run (2 per multiply-add of convolutions and dense layers).</param>
/// <param name="Time">Median, min and max seconds, or null when skipped.</param>
/// <param name="Skipped">Why it was not measured, or null.</param>
public sealed record BenchResult(string Workload, string Group, string Backend, double Flops, Timing? Time, string? Skipped)
{
    /// <summary>GFLOP/s at the median time (0 when skipped).</summary>
    public double Gflops => Time == null ? 0 : Flops / Time.Median / 1e9;
}

/// <summary>A whole run: where, against which limits, which profile, and every result.</summary>
public sealed record BenchReport(MachineInfo Machine, double PeakGflops, double BandwidthGBs, string Profile, IReadOnlyList<BenchResult> Results);

/// <summary>A workload: a name, its group, its flops and how to run it on a backend.</summary>
public sealed record Workload(string Name, string Group, double Flops, Func<IConformanceBackend, Action> Prepare);

/// <summary>
/// Runs every workload on every backend with <see cref="Timing.Measure"/>. The quick profile uses
/// VGG16's layers at a quarter of the image side and small training batches, so a whole report
/// takes minutes on 2 cores; the full profile uses the real sizes and the lecture's batches 64,
/// 128 and 256. A run predicted to take longer than the profile's budget (from the backend's own
/// measured layer speed) is skipped with the prediction, not left running for an hour.
/// </summary>
public sealed class BenchRunner(IReadOnlyList<IConformanceBackend> backends, bool quick, Action<string, int, int>? progress = null)
{
    /// <summary>The longest a single workload may be predicted to take: 40 s quick, 10 minutes full.</summary>
    public double BudgetSeconds { get; init; } = quick ? 40 : 600;

    /// <summary>The workloads of this profile, in report order.</summary>
    public IReadOnlyList<Workload> Workloads() => [.. LayerWorkloads(), .. NetworkWorkloads(), .. TrainingWorkloads()];

    /// <summary>Measures the machine, then every workload on every backend.</summary>
    public BenchReport Run(MachineInfo machine)
    {
        progress?.Invoke("measuring the machine's peak", 0, 1);
        double peak = MachineLimits.PeakGflops(), bandwidth = MachineLimits.MemoryBandwidthGBs();
        var workloads = Workloads();
        var results = new List<BenchResult>();
        int done = 0, total = workloads.Count * backends.Count;
        foreach (var backend in backends)
        {
            foreach (var w in workloads)
            {
                progress?.Invoke($"{backend.Name}: {w.Name}", done++, total);
                results.Add(Measure(backend, w, results));
            }
        }
        progress?.Invoke("done", total, total);
        return new BenchReport(machine, peak, bandwidth, quick ? "quick" : "full", results);
    }

    private BenchResult Measure(IConformanceBackend backend, Workload w, List<BenchResult> sofar)
    {
        // Predict from this backend's slowest measured layer (small calls are where per-call costs
        // show, and networks are made of them); layers themselves always run.
        var layers = sofar.Where(r => r.Backend == backend.Name && r.Group == "layer" && r.Time != null).ToList();
        if (w.Group != "layer" && layers.Count > 0)
        {
            double rate = layers.Min(r => r.Gflops) * 1e9, predicted = w.Flops / rate;
            if (predicted > BudgetSeconds)
                return new(w.Name, w.Group, backend.Name, w.Flops, null,
                    $"predicted {predicted:F0} s at this backend's slowest layer speed, over the {BudgetSeconds:F0} s budget of the {(quick ? "quick" : "full")} profile");
        }
        try
        {
            var run = w.Prepare(backend);
            // Layers repeat at least 5 times and for a second; networks and training steps 3 times.
            var time = w.Group == "layer" ? Timing.Measure(run, warmups: 1, repeats: 5, minSeconds: 1) : Timing.Measure(run, warmups: 1, repeats: 3, minSeconds: 0);
            return new(w.Name, w.Group, backend.Name, w.Flops, time, null);
        }
        catch (Exception e) when (e is StepNotSupportedException or NotSupportedException
                                   or BackendUnavailableException or InsufficientMemoryException)
        {
            return new(w.Name, w.Group, backend.Name, w.Flops, null, e.Message);
        }
    }

    private IEnumerable<Workload> LayerWorkloads()
    {
        var same = OpAttributes.Default with { Padding = Padding.Same };
        int stream = 0;
        foreach (var (name, size, cin, cout) in CaseCatalog.Vgg16Convs)
        {
            int n = quick ? Math.Max(2, size / 4) : size;
            var x = SequentialNet.Fill([1, n, n, cin], stream++, 1);
            var w = SequentialNet.Fill([3, 3, cin, cout], stream++, Math.Sqrt(6.0 / (9 * cin)));
            var b = SequentialNet.Fill([cout], stream++, 0.05);
            var dy = SequentialNet.Fill([1, n, n, cout], stream++, 1);
            double flops = 2.0 * n * n * cout * 9 * cin;
            var forward = new OpCall("conv2d_layer", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w, ["b"] = b }, same);
            var backward = new OpCall("conv2d_layer_backward", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w, ["dy"] = dy }, same);
            yield return new($"{name} forward", "layer", flops, be => Runner(be, forward));
            yield return new($"{name} backward", "layer", 2 * flops, be => Runner(be, backward));
        }
    }

    private static Action Runner(IConformanceBackend backend, OpCall call)
    {
        var support = backend.Supports(call);
        if (!support.IsSupported) throw new NotSupportedException(support.Reason);
        return () => backend.Evaluate(call);
    }

    private static IEnumerable<Workload> NetworkWorkloads()
    {
        var weights = new Lazy<Vgg16Weights>(() => Vgg16Weights.Synthetic());
        double flops = 2 * Vgg16Golden.ForwardCost;
        yield return new("vgg16 forward, 1 image 224×224", "network", flops, be =>
        {
            var runner = new Vgg16Runner(be, weights.Value);
            var image = Vgg16Images.Input(0);
            return () => runner.Forward(image);
        });
    }

    private IEnumerable<Workload> TrainingWorkloads()
    {
        var nets = quick
            ? new[] { SequentialNet.AlexNet(2, 127), SequentialNet.Vgg16(2, 32) }
            : new[] { 64, 128, 256 }.SelectMany(b => new[] { SequentialNet.AlexNet(b, 224), SequentialNet.Vgg16(b, 224) }).ToArray();
        foreach (var net in nets)
        {
            yield return new($"{net.Name} training step", "training", 6 * net.ForwardMacs, be =>
            {
                var (input, labels) = net.Data();
                double bytes = net.ActivationBytes(input);
                double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
                if (bytes > 0.5 * available)
                    throw new InsufficientMemoryException(
                        $"its activations need about {bytes / (1L << 30):F0} GiB as the contract's double tensors, over half of this machine's {available / (1L << 30):F0} GiB");
                return () => net.TrainingStep(be, input, labels);
            });
        }
    }
}

using System.Globalization;
using Conformance.Backends.Ilgpu;
using Conformance.Backends.Ilgpu.Kernels;
using Conformance.Reference;
using ILGPU;
using ILGPU.Runtime;

namespace Conformance.Perf;

/// <summary>A convolution of VGG16 in the per-pass benchmark; <paramref name="SameAs"/> names the layer of the same shape whose times it shares.</summary>
public sealed record PassLayer(string Name, int Size, int Cin, int Cout, string? SameAs = null);

/// <summary>
/// The kernel benchmark of issue 11: VGG16's 13 convolutions (3×3, same, stride 1, no bias) at
/// one batch, each pass (forward, backward data, backward weights) timed on its own on device
/// memory, for every kernel version, on an ILGPU backend. Inputs are uploaded once per layer
/// (seeded random values, never zeros) and nothing is copied back, so the times are the kernels'
/// (with v2's small helper kernels and temporaries, which are part of its pass), synchronised
/// before the clock is read. perf/gpu/torch_bench.py --conv-passes times cuDNN on the same
/// workloads (same names); <see cref="PassReport"/> tables both.
/// </summary>
public sealed class ConvPassBench(IReadOnlyList<IlgpuBackend> backends, int batch, bool quick, IReadOnlyList<KernelVersion> versions,
    Action<string>? progress = null)
{
    /// <summary>The passes, as the workload names spell them.</summary>
    public static readonly IReadOnlyList<(string Name, ConvPass Pass)> Passes =
        [("forward", ConvPass.Forward), ("backward-data", ConvPass.BackwardData), ("backward-weights", ConvPass.BackwardWeights)];

    /// <summary>VGG16's 13 convolutions; the 4 that repeat a shape are timed once, as the layer they repeat.</summary>
    public static readonly IReadOnlyList<PassLayer> Vgg16 =
    [
        new("block1_conv1", 224, 3, 64), new("block1_conv2", 224, 64, 64),
        new("block2_conv1", 112, 64, 128), new("block2_conv2", 112, 128, 128),
        new("block3_conv1", 56, 128, 256), new("block3_conv2", 56, 256, 256), new("block3_conv3", 56, 256, 256, "block3_conv2"),
        new("block4_conv1", 28, 256, 512), new("block4_conv2", 28, 512, 512), new("block4_conv3", 28, 512, 512, "block4_conv2"),
        new("block5_conv1", 14, 512, 512), new("block5_conv2", 14, 512, 512, "block5_conv1"), new("block5_conv3", 14, 512, 512, "block5_conv1"),
    ];

    /// <summary>The result group of these workloads.</summary>
    public const string Group = "conv-pass";

    /// <summary>The layers to time (default <see cref="Vgg16"/>); those with SameAs set are not timed again.</summary>
    public IReadOnlyList<PassLayer> Layers { get; init; } = Vgg16;

    /// <summary>A pass predicted (from one run at batch 1, times the batch) to take longer than this per run is not measured.</summary>
    public double BudgetSeconds { get; init; } = 20;

    /// <summary>The image side of a layer in this run: the real one, or a quarter of it (at least 2) with --quick.</summary>
    public int Side(PassLayer layer) => quick ? Math.Max(2, layer.Size / 4) : layer.Size;

    /// <summary>Multiply-adds ×2 of one pass of <paramref name="layer"/> (the same for all three passes).</summary>
    public double Flops(PassLayer layer) => 2.0 * batch * Side(layer) * Side(layer) * layer.Cout * 9 * layer.Cin;

    /// <summary>The result's backend name: the backend with the version, e.g. ilgpu-cuda-v2.</summary>
    public static string Label(IlgpuBackend backend, KernelVersion version)
    {
        string name = backend.Name is [.., '-', 'v', >= '1' and <= '3'] ? backend.Name[..^3] : backend.Name;
        return $"{name}-{version.ToString().ToLowerInvariant()}";
    }

    /// <summary>Times every pass of every distinct layer shape on every backend and version.</summary>
    public IReadOnlyList<BenchResult> Run()
    {
        var results = new List<BenchResult>();
        foreach (var backend in backends)
            foreach (var layer in Layers.Where(l => l.SameAs == null))
                results.AddRange(backend.OnDevice(s => Layer(s, backend, layer)));
        return results;
    }

    private List<BenchResult> Layer(DeviceState s, IlgpuBackend backend, PassLayer layer)
    {
        int n = Side(layer);
        var same = OpAttributes.Default with { Padding = Padding.Same };
        var p = DeviceGeometry.Layer([batch, n, n, layer.Cin], [3, 3, layer.Cin, layer.Cout], false, same);
        var probe = p;
        probe.Batch = 1;
        using var x = Filled(s, p.InputLength, 1);
        using var w = Filled(s, p.WeightLength, 2);
        using var dy = Filled(s, p.OutputLength, 3);
        using var y = s.Allocate(p.OutputLength);
        using var dx = s.Allocate(p.InputLength);
        using var dw = s.Allocate(p.WeightLength);
        var results = new List<BenchResult>();
        foreach (var version in versions)
        {
            foreach (var (passName, pass) in Passes)
            {
                string label = Label(backend, version), workload = $"{layer.Name} {passName}";
                progress?.Invoke($"{label}: {workload}, batch {batch}, {n}×{n}");
                void RunPass(ConvShape shape)
                {
                    switch (pass)
                    {
                        case ConvPass.Forward: ConvPasses.Forward(s, version, x.View, w.View, y.View, y.View, shape); break;
                        case ConvPass.BackwardData: ConvPasses.BackwardData(s, version, w.View, dy.View, dx.View, shape); break;
                        default: ConvPasses.BackwardWeights(s, version, x.View, dy.View, dw.View, shape); break;
                    }
                }
                results.Add(Measure(s, label, workload, Flops(layer), RunPass, p, probe));
            }
        }
        return results;
    }

    private BenchResult Measure(DeviceState s, string label, string workload, double flops, Action<ConvShape> run, ConvShape p, ConvShape probe)
    {
        // One sample first (its kernels are loaded already; this warms caches and the driver), then one timed.
        run(probe);
        s.Accelerator.Synchronize();
        var one = Timing.Measure(() => run(probe), warmups: 0, repeats: 1, minSeconds: 0, synchronize: s.Accelerator.Synchronize);
        double predicted = one.Median * p.Batch;
        if (predicted > BudgetSeconds)
            return new(workload, Group, label, flops, null, string.Create(CultureInfo.InvariantCulture,
                $"predicted {predicted:F0} s per run ({one.Median * 1e3:F1} ms at batch 1, times {p.Batch}), over the {BudgetSeconds:F0} s budget"));
        // Long passes are timed once (the batch-1 runs were the warm-up); short ones as the layer benchmark times them.
        var time = predicted > 0.5
            ? Timing.Measure(() => run(p), warmups: 0, repeats: 1, minSeconds: 0, synchronize: s.Accelerator.Synchronize)
            : Timing.Measure(() => run(p), warmups: 1, repeats: 5, minSeconds: 1, synchronize: s.Accelerator.Synchronize);
        return new(workload, Group, label, flops, time, null);
    }

    /// <summary>A device buffer of seeded uniform values in [−1, 1) (a 1 MiB pattern repeated: the values do not change the timing, only zeros might).</summary>
    private static MemoryBuffer1D<float, Stride1D.Dense> Filled(DeviceState s, int length, int seed)
    {
        var random = new Random(seed);
        var pattern = new float[Math.Min(length, 1 << 18)];
        for (int i = 0; i < pattern.Length; i++) pattern[i] = (float)(2 * random.NextDouble() - 1);
        var buffer = s.Allocate(length);
        for (long at = 0; at < length; at += pattern.Length)
        {
            int count = (int)Math.Min(pattern.Length, length - at);
            buffer.View.SubView(at, count).CopyFromCPU(count == pattern.Length ? pattern : pattern[..count]);
        }
        return buffer;
    }
}

namespace Conformance.Benchmarks;

/// <summary>Settings the command line sets before the switcher runs (every job runs in process).</summary>
public static class BenchmarkSettings
{
    /// <summary>The default divisor of the image side: a quarter, as the suite's default "vgg16" group.</summary>
    public const int DefaultScale = 4;

    /// <summary>The divisors of the image side to measure (1 is the real network).</summary>
    public static int[] Scales { get; set; } = [DefaultScale];

    /// <summary>Intra-op threads for both libraries on both sides (null: as the adapters run them).</summary>
    public static int? Threads { get; set; }

    /// <summary>ONNX Runtime's intra-op threads: <see cref="Threads"/>, else the adapter's default of 2.</summary>
    public static int OnnxThreads => Threads ?? 2;
}

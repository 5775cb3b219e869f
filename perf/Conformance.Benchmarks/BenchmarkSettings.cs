namespace Conformance.Benchmarks;

/// <summary>Settings the command line sets before the switcher runs (every job runs in process).</summary>
public static class BenchmarkSettings
{
    /// <summary>The default divisor of the image side: a quarter, as the suite's default "vgg16" group.</summary>
    public const int DefaultScale = 4;

    /// <summary>The divisors of the image side to measure (1 is the real network).</summary>
    public static int[] Scales { get; set; } = [DefaultScale];
}

using System.Diagnostics;

namespace Conformance.Perf;

/// <summary>Repeated wall-clock times of one workload, in seconds: median with min and max.</summary>
public sealed record Timing(double Median, double Min, double Max, int Runs)
{
    /// <summary>
    /// Times <paramref name="run"/>: <paramref name="warmups"/> untimed runs first (kernel
    /// compilation, session creation, caches, the JIT), then at least <paramref name="repeats"/>
    /// timed runs and until <paramref name="minSeconds"/> have passed (capped at 50 runs).
    /// <paramref name="synchronize"/> runs inside the timed region after each run, so GPU work
    /// is finished before the clock is read.
    /// </summary>
    public static Timing Measure(Action run, int warmups = 1, int repeats = 3, double minSeconds = 0.5, Action? synchronize = null)
    {
        for (int i = 0; i < warmups; i++)
        {
            run();
            synchronize?.Invoke();
        }
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < repeats || (total.Elapsed.TotalSeconds < minSeconds && times.Count < 50))
        {
            var clock = Stopwatch.StartNew();
            run();
            synchronize?.Invoke();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        return new Timing(median, times[0], times[^1], times.Count);
    }
}

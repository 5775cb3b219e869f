using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Conformance.Perf;

/// <summary>
/// The machine's limits, measured rather than looked up: the fp32 FMA peak of all cores and the
/// memory bandwidth of a streaming triad. Every result is reported against these, so no figure
/// can claim more than the machine did under the same clock.
/// </summary>
public static class MachineLimits
{
    /// <summary>Independent accumulators per thread: enough to hide the FMA latency (4 cycles) on two FMA ports.</summary>
    private const int Chains = 10;

    /// <summary>
    /// fp32 GFLOP/s of a multiply-add loop on every core (2 flops per lane per FMA; 512-bit FMA
    /// where the CPU has AVX-512 and 256-bit FMA, the better of the two; else the widest
    /// Vector&lt;float&gt;). The best of three runs after a warm-up.
    /// </summary>
    public static double PeakGflops(double seconds = 0.3)
    {
        // Both widths where both exist: some CPUs run 512-bit FMA at a lower clock or on one port only.
        var variants = new List<(Func<double, long> Loop, int Lanes)>();
        if (Avx512F.IsSupported) variants.Add((Fma512Loop, Vector512<float>.Count));
        if (Fma.IsSupported) variants.Add((FmaLoop, Vector256<float>.Count));
        if (variants.Count == 0) variants.Add((VectorLoop, System.Numerics.Vector<float>.Count));
        double best = 0;
        // Two rounds: on the machine this was written on, the first second of 512-bit work runs
        // about 30% slower (clock and power-state transitions) and would understate the peak.
        foreach (var (loop, lanes) in variants.Concat(variants))
            // Trial 0 is a warm-up (thread pool start, clock ramp-up) and is not counted.
            for (int trial = 0; trial < 4; trial++)
            {
                long iterations = 0;
                var clock = Stopwatch.StartNew();
                Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    _ => Interlocked.Add(ref iterations, loop(seconds)));
                if (trial > 0) best = Math.Max(best, iterations * (double)Chains * lanes * 2 / clock.Elapsed.TotalSeconds / 1e9);
            }
        return best;
    }

    /// <summary>FMA bursts until <paramref name="seconds"/> pass; returns the number of burst iterations.</summary>
    private static long FmaLoop(double seconds) => Repeat(seconds, n => Burst256(n).GetElement(0));

    private static long Fma512Loop(double seconds) => Repeat(seconds, n => Burst512(n).GetElement(0));

    private static long Repeat(double seconds, Func<int, float> burst)
    {
        const int n = 1 << 16;
        long done = 0;
        float sink = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            sink += burst(n);
            done += n;
        }
        // Keep the results alive so the loops are not removed.
        if (sink == 12345f) Console.Write("");
        return done;
    }

    // The accumulators live only in this call-free method, so the JIT keeps them in registers (a
    // loop with a call inside spills every vector local to the stack and measures store latency).
    // Fully optimised from the first call: tier-0 code would also keep them on the stack.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static Vector256<float> Burst256(int iterations)
    {
        var a = Vector256.Create(1.0000001f);
        var b = Vector256.Create(0.9999999f);
        Vector256<float> a0 = Vector256.Create(0f), a1 = Vector256.Create(0.1f), a2 = Vector256.Create(0.2f), a3 = Vector256.Create(0.3f),
            a4 = Vector256.Create(0.4f), a5 = Vector256.Create(0.5f), a6 = Vector256.Create(0.6f), a7 = Vector256.Create(0.7f),
            a8 = Vector256.Create(0.8f), a9 = Vector256.Create(0.9f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, a, b); a1 = Fma.MultiplyAdd(a1, a, b); a2 = Fma.MultiplyAdd(a2, a, b);
            a3 = Fma.MultiplyAdd(a3, a, b); a4 = Fma.MultiplyAdd(a4, a, b); a5 = Fma.MultiplyAdd(a5, a, b);
            a6 = Fma.MultiplyAdd(a6, a, b); a7 = Fma.MultiplyAdd(a7, a, b); a8 = Fma.MultiplyAdd(a8, a, b);
            a9 = Fma.MultiplyAdd(a9, a, b);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static Vector512<float> Burst512(int iterations)
    {
        var a = Vector512.Create(1.0000001f);
        var b = Vector512.Create(0.9999999f);
        Vector512<float> a0 = Vector512.Create(0f), a1 = Vector512.Create(0.1f), a2 = Vector512.Create(0.2f), a3 = Vector512.Create(0.3f),
            a4 = Vector512.Create(0.4f), a5 = Vector512.Create(0.5f), a6 = Vector512.Create(0.6f), a7 = Vector512.Create(0.7f),
            a8 = Vector512.Create(0.8f), a9 = Vector512.Create(0.9f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, a, b); a1 = Avx512F.FusedMultiplyAdd(a1, a, b); a2 = Avx512F.FusedMultiplyAdd(a2, a, b);
            a3 = Avx512F.FusedMultiplyAdd(a3, a, b); a4 = Avx512F.FusedMultiplyAdd(a4, a, b); a5 = Avx512F.FusedMultiplyAdd(a5, a, b);
            a6 = Avx512F.FusedMultiplyAdd(a6, a, b); a7 = Avx512F.FusedMultiplyAdd(a7, a, b); a8 = Avx512F.FusedMultiplyAdd(a8, a, b);
            a9 = Avx512F.FusedMultiplyAdd(a9, a, b);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
    }

    // Fully optimised from the first call: tier-0 code would keep the accumulators on the stack.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long VectorLoop(double seconds)
    {
        var a = new System.Numerics.Vector<float>(1.0000001f);
        var b = new System.Numerics.Vector<float>(0.9999999f);
        var acc = new System.Numerics.Vector<float>[Chains];
        long n = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 1000; i++)
                for (int c = 0; c < Chains; c++) acc[c] = acc[c] * a + b;
            n += 1000;
        }
        if (acc[0][0] == 12345f) Console.Write("");
        return n;
    }

    /// <summary>
    /// GB/s of the triad a[i] = b[i] + s·c[i] over three 64 MB float arrays on every core (12
    /// bytes moved per element; write-allocate traffic not counted, as STREAM does). Best of three.
    /// </summary>
    public static double MemoryBandwidthGBs(int elements = 16 << 20)
    {
        var a = new float[elements];
        var b = new float[elements];
        var c = new float[elements];
        Array.Fill(b, 1f);
        Array.Fill(c, 2f);
        int threads = Environment.ProcessorCount, chunk = (elements + threads - 1) / threads;
        double best = 0;
        for (int trial = 0; trial < 4; trial++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int start = t * chunk, end = Math.Min(elements, start + chunk);
                var s = new System.Numerics.Vector<float>(3f);
                int width = System.Numerics.Vector<float>.Count, i = start;
                for (; i + width <= end; i += width)
                    (new System.Numerics.Vector<float>(b, i) + s * new System.Numerics.Vector<float>(c, i)).CopyTo(a, i);
                for (; i < end; i++) a[i] = b[i] + 3f * c[i];
            });
            if (trial > 0) best = Math.Max(best, 12.0 * elements / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}

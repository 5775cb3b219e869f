namespace Conformance.Core.Networks;

/// <summary>
/// The counter-based generator of spec/vgg16.md: a value is a pure function of (seed, stream,
/// index), so any element of any weight tensor can be recomputed alone, in any order, by any
/// language with 64-bit unsigned arithmetic (the spec gives a short numpy version).
/// </summary>
public static class CounterRandom
{
    /// <summary>The SplitMix64 increment (2^64 / golden ratio), which spreads consecutive counters.</summary>
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>Streams are 2^40 indices apart, more than the largest tensor (fc1's 102,760,448 elements).</summary>
    public const int StreamShift = 40;

    /// <summary>u ∈ [0, 1), a multiple of 2^−53: the top 53 bits of SplitMix64's finaliser applied to seed + (counter + 1)·γ.</summary>
    public static double Uniform(ulong seed, int stream, long index)
    {
        ulong counter = ((ulong)stream << StreamShift) + (ulong)index;
        ulong z = unchecked(seed + (counter + 1) * Golden);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>fp32((2u − 1)·limit): uniform on (−limit, limit), rounded to the nearest float so every backend gets the value exactly.</summary>
    public static double Symmetric(ulong seed, int stream, long index, double limit) =>
        (float)((2 * Uniform(seed, stream, index) - 1) * limit);
}

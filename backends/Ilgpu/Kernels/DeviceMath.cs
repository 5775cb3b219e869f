using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

/// <summary>
/// exp and log in single precision, written out so that the very same arithmetic runs on ILGPU's
/// CPU accelerator and on CUDA. ILGPU 1.5.3's core maps float exp/log only on the CPU
/// (<c>IntrinsicMath.CPUOnly</c>); its GPU mapping lives in a separate package and, like CUDA's
/// fast intrinsics, may have an error that grows with |x|, which the error model of
/// spec/numerics.md does not allow (it assumes k_f = 4 ulps). These are plain C#: the tests call
/// them on the host and measure their error against double precision over the whole range.
/// </summary>
public static class DeviceMath
{
    /// <summary>1/ln 2 rounded to float.</summary>
    private const float Log2E = 1.44269502f;

    /// <summary>ln 2 rounded down to 12 significant bits, so n·Ln2Hi is exact for |n| &lt; 2^12.</summary>
    private const float Ln2Hi = 0.693115234375f;

    /// <summary>ln 2 − Ln2Hi rounded to float (Ln2Hi + Ln2Lo is ln 2 to about 1.6e-12).</summary>
    private const float Ln2Lo = 3.19461833e-05f;

    /// <summary>Above this, e^x overflows float (ln of float.MaxValue is 88.7228...).</summary>
    private const float ExpOverflow = 88.7228394f;

    /// <summary>Below this, e^x is under half the smallest subnormal (2^-150) and rounds to 0.</summary>
    private const float ExpUnderflow = -103.972084f;

    /// <summary>
    /// e^x to within about 2 ulps: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite reduction with a
    /// two-part ln 2), e^r by its Taylor polynomial of degree 7 (truncation below 6e-9 relative on
    /// that interval), then an exact scaling by 2^n. NaN gives NaN, −∞ gives 0, +∞ gives +∞.
    /// </summary>
    public static float Exp(float x)
    {
        if (IsNaN(x)) return x;
        if (x > ExpOverflow) return float.PositiveInfinity;
        if (x < ExpUnderflow) return 0f;
        float t = x * Log2E;
        int n = (int)(t + (t >= 0f ? 0.5f : -0.5f));
        float fn = n;
        float r = (x - fn * Ln2Hi) - fn * Ln2Lo;
        float p = 1f / 5040f;
        p = p * r + 1f / 720f;
        p = p * r + 1f / 120f;
        p = p * r + 1f / 24f;
        p = p * r + 1f / 6f;
        p = p * r + 0.5f;
        p = p * r + 1f;
        p = p * r + 1f;
        // 2^n as a float built from its exponent bits; below the normal range scale in two steps.
        if (n < -125) return p * PowerOfTwo(n + 100) * PowerOfTwo(-100);
        if (n > 127) return p * PowerOfTwo(n - 1) * 2f;
        return p * PowerOfTwo(n);
    }

    /// <summary>
    /// ln x to within about 2 ulps for positive normal x: x = 2^e·f with f in [√½, √2),
    /// ln f = 2·atanh(s), s = (f − 1)/(f + 1), |s| ≤ 0.172, by its odd series to s^11 (truncation
    /// below 2e-10 relative), and e·ln 2 added as the exact e·Ln2Hi plus e·Ln2Lo.
    /// Subnormal or non-positive x: ln 0 = −∞, negative or NaN gives NaN, +∞ gives +∞.
    /// </summary>
    public static float Log(float x)
    {
        if (!(x > 0f)) return x == 0f ? float.NegativeInfinity : float.NaN;
        if (x == float.PositiveInfinity) return x;
        int e = 0;
        if (x < 1.17549435e-38f)
        {
            x *= 16777216f; // 2^24: brings a subnormal into the normal range
            e = -24;
        }
        int bits = (int)Interop.FloatAsInt(x);
        e += ((bits >> 23) & 0xFF) - 127;
        float f = Interop.IntAsFloat((uint)((bits & 0x007FFFFF) | 0x3F800000)); // f in [1, 2)
        if (f > 1.41421354f)
        {
            f *= 0.5f;
            e += 1;
        }
        float s = (f - 1f) / (f + 1f);
        float s2 = s * s;
        float q = 1f / 11f;
        q = q * s2 + 1f / 9f;
        q = q * s2 + 1f / 7f;
        q = q * s2 + 1f / 5f;
        q = q * s2 + 1f / 3f;
        float lnF = 2f * s + 2f * s * (s2 * q);
        float fe = e;
        return fe * Ln2Hi + (lnF + fe * Ln2Lo);
    }

    /// <summary>
    /// True for NaN: the one value not ordered against +∞. Written as a comparison rather than
    /// float.IsNaN so that it compiles to one ordered compare on every ILGPU backend.
    /// </summary>
    public static bool IsNaN(float v) => !(v <= float.PositiveInfinity);

    private static float PowerOfTwo(int n) => Interop.IntAsFloat((uint)((n + 127) << 23));
}

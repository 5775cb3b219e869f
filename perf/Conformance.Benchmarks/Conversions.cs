using Conformance.Reference;

namespace Conformance.Benchmarks;

/// <summary>
/// The least conversion work any adapter honouring the contract must do around a float32 NCHW
/// library: one pass per input (round to float and move NHWC/HWIO to NCHW/OIHW) and one pass for
/// the output (widen and move NCHW back to NHWC). The "contract floor" benchmarks use these.
/// </summary>
public static class Conversions
{
    /// <summary>NHWC double → NCHW float, one pass.</summary>
    public static float[] NhwcToNchwFloat(Tensor x)
    {
        int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape[3];
        var src = x.Data;
        var dst = new float[src.Length];
        for (int b = 0; b < n; b++)
        for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
        {
            int s = ((b * h + i) * w + j) * c;
            int d = b * c * h * w + i * w + j;
            for (int k = 0; k < c; k++) dst[d + k * h * w] = (float)src[s + k];
        }
        return dst;
    }

    /// <summary>HWIO double → OIHW float, one pass.</summary>
    public static float[] HwioToOihwFloat(Tensor wt)
    {
        int kh = wt.Shape[0], kw = wt.Shape[1], ci = wt.Shape[2], co = wt.Shape[3];
        var src = wt.Data;
        var dst = new float[src.Length];
        int s = 0;
        for (int i = 0; i < kh; i++)
        for (int j = 0; j < kw; j++)
        for (int c = 0; c < ci; c++)
        for (int o = 0; o < co; o++)
            dst[((o * ci + c) * kh + i) * kw + j] = (float)src[s++];
        return dst;
    }

    /// <summary>Rounds every element to float.</summary>
    public static float[] ToFloat(Tensor t)
    {
        var dst = new float[t.Length];
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)t.Data[i];
        return dst;
    }

    /// <summary>NCHW float → NHWC double tensor, one pass.</summary>
    public static Tensor NchwFloatToNhwc(ReadOnlySpan<float> y, int n, int c, int h, int w)
    {
        var dst = new double[y.Length];
        for (int b = 0; b < n; b++)
        for (int k = 0; k < c; k++)
        {
            int s = (b * c + k) * h * w;
            int d = b * h * w * c + k;
            for (int p = 0; p < h * w; p++) dst[d + p * c] = y[s + p];
        }
        return new Tensor([n, h, w, c], dst);
    }
}

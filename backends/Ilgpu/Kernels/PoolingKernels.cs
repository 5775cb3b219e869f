using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// Pooling kernels (max_pool2d, avg_pool2d and their gradients) on NHWC tensors, fp32.
//
// Versions:
//   v1  MaxV1, AvgV1, MaxBackwardV1, AvgBackwardV1: one thread per output element. The backward
//       kernels gather: each dx element visits the windows that contain it in row-major order and
//       adds their share, so no atomics are needed and the sum order is fixed.
//
// Padded positions never count: max skips them and avg divides by the real samples of a window.

/// <summary>The fp32 pooling kernels; see the version list at the top of the file.</summary>
public static class PoolingKernels
{
    /// <summary>v1 max: the first maximal real element of each window in row-major order (strictly greater replaces; a NaN beats every number).</summary>
    public static void MaxV1(Index1D index, ArrayView<float> x, ArrayView<float> y, PoolShape p)
    {
        int i = index;
        var at = Position4.Of(i, p.M1, p.M2, p.Channels);
        int b = at.A, i1 = at.B, i2 = at.C, ch = at.D;
        y[i] = x[ArgMax(x, p, b, i1, i2, ch)];
    }

    /// <summary>v1 average: the sum of the real samples of each window divided by their number.</summary>
    public static void AvgV1(Index1D index, ArrayView<float> x, ArrayView<float> y, PoolShape p)
    {
        int i = index;
        var at = Position4.Of(i, p.M1, p.M2, p.Channels);
        int b = at.A, i1 = at.B, i2 = at.C, ch = at.D;
        float sum = 0f;
        int count = 0;
        for (int k1 = 0; k1 < p.P1; k1++)
        {
            int r = i1 * p.S1 + k1 - p.Pad1;
            if (r < 0 || r >= p.N1) continue;
            for (int k2 = 0; k2 < p.P2; k2++)
            {
                int q = i2 * p.S2 + k2 - p.Pad2;
                if (q < 0 || q >= p.N2) continue;
                sum += x[((b * p.N1 + r) * p.N2 + q) * p.Channels + ch];
                count++;
            }
        }
        y[i] = sum / count;
    }

    /// <summary>v1 max backward: dx[b,r,q,c] = Σ dy[b,i1,i2,c] over the windows whose first maximum is (r, q).</summary>
    public static void MaxBackwardV1(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx, PoolShape p)
    {
        int i = index;
        var at = Position4.Of(i, p.N1, p.N2, p.Channels);
        int b = at.A, r = at.B, q = at.C, ch = at.D;
        float sum = 0f;
        for (int i1 = FirstWindow(r, p.Pad1, p.P1, p.S1); i1 <= LastWindow(r, p.Pad1, p.S1, p.M1); i1++)
            for (int i2 = FirstWindow(q, p.Pad2, p.P2, p.S2); i2 <= LastWindow(q, p.Pad2, p.S2, p.M2); i2++)
                if (ArgMax(x, p, b, i1, i2, ch) == i)
                    sum += dy[((b * p.M1 + i1) * p.M2 + i2) * p.Channels + ch];
        dx[i] = sum;
    }

    /// <summary>v1 average backward: dx[b,r,q,c] = Σ dy[b,i1,i2,c] / (real samples of window (i1, i2)) over the windows holding (r, q).</summary>
    public static void AvgBackwardV1(Index1D index, ArrayView<float> dy, ArrayView<float> dx, PoolShape p)
    {
        int i = index;
        var at = Position4.Of(i, p.N1, p.N2, p.Channels);
        int b = at.A, r = at.B, q = at.C, ch = at.D;
        float sum = 0f;
        for (int i1 = FirstWindow(r, p.Pad1, p.P1, p.S1); i1 <= LastWindow(r, p.Pad1, p.S1, p.M1); i1++)
        {
            int rows = RealSamples(i1, p.S1, p.Pad1, p.P1, p.N1);
            for (int i2 = FirstWindow(q, p.Pad2, p.P2, p.S2); i2 <= LastWindow(q, p.Pad2, p.S2, p.M2); i2++)
            {
                int count = rows * RealSamples(i2, p.S2, p.Pad2, p.P2, p.N2);
                sum += dy[((b * p.M1 + i1) * p.M2 + i2) * p.Channels + ch] / count;
            }
        }
        dx[i] = sum;
    }

    /// <summary>The flat index of the first maximal real element of window (i1, i2); the first NaN when it holds one.</summary>
    private static int ArgMax(ArrayView<float> x, PoolShape p, int b, int i1, int i2, int ch)
    {
        int best = -1;
        float max = 0f;
        for (int k1 = 0; k1 < p.P1; k1++)
        {
            int r = i1 * p.S1 + k1 - p.Pad1;
            if (r < 0 || r >= p.N1) continue;
            for (int k2 = 0; k2 < p.P2; k2++)
            {
                int q = i2 * p.S2 + k2 - p.Pad2;
                if (q < 0 || q >= p.N2) continue;
                int at = ((b * p.N1 + r) * p.N2 + q) * p.Channels + ch;
                float v = x[at];
                // A NaN ranks above every number, so the first NaN is the window's maximum (as in the reference).
                if (best < 0 || v > max || (DeviceMath.IsNaN(v) && !DeviceMath.IsNaN(max)))
                {
                    best = at;
                    max = v;
                }
            }
        }
        return best;
    }

    /// <summary>The first window on an axis whose span [i·s − pad, i·s − pad + P − 1] reaches position r.</summary>
    private static int FirstWindow(int r, int pad, int window, int stride)
    {
        int lowest = r + pad - window + 1; // i·s ≥ lowest
        return lowest <= 0 ? 0 : (lowest + stride - 1) / stride;
    }

    /// <summary>The last window on an axis that starts at or before position r (i·s − pad ≤ r), clipped to the output.</summary>
    private static int LastWindow(int r, int pad, int stride, int outputs)
    {
        int last = (r + pad) / stride;
        return last < outputs - 1 ? last : outputs - 1;
    }

    /// <summary>How many positions of window i on an axis lie inside the input [0, n).</summary>
    private static int RealSamples(int i, int stride, int pad, int window, int n)
    {
        int start = i * stride - pad, end = start + window;
        if (start < 0) start = 0;
        if (end > n) end = n;
        return end - start;
    }
}

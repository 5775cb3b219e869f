using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// Convolution kernels (conv1d, conv2d, conv2d_layer, dense and their gradients), fp32.
//
// Versions:
//   v1  ForwardV1, BackwardDataV1, BackwardWeightsV1, BackwardBiasV1: one thread per output
//       element, summing its terms in a plain loop straight from global memory. The readable
//       baseline every faster version is checked against; no shared memory, no atomics, so every
//       element is summed in one fixed order and results are deterministic.
//   v2  the implicit-GEMM versions of the forward, backward-data and backward-weights passes (and db):
//       ConvGemmKernels.cs. ConvGemmPlan.Choose picks v1 or v2 per pass and shape.
//
// Layouts as in the catalogue: x NHWC, w HWIO (K1, K2, Cin/G, Cout), y and dy NHWC. With
// Reversal the kernel is read flipped, w[K1−1−k1, K2−1−k2]: the correlation with the flipped
// kernel, which is what spec/convolution.md defines.

/// <summary>The fp32 convolution kernels; see the version list at the top of the file.</summary>
public static class ConvolutionKernels
{
    /// <summary>
    /// v1 forward: y[b,i1,i2,m] = Σ_k1 Σ_k2 Σ_n w'[k1,k2,n,m]·x[b, i1·s1 + k1·d1 − pad1, i2·s2 + k2·d2 − pad2, g·Cin/G + n] (+ bias[m]),
    /// one thread per output element, positions outside the input skipped (zero padding).
    /// </summary>
    public static void ForwardV1(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> y, ConvShape p)
    {
        var at = Position4.Of(index, p.M1, p.M2, p.Cout);
        y[index] = OutputSum(x, w, bias, p, at.A, at.B, at.C, at.D);
    }

    /// <summary>Output element y[b,i1,i2,m] of the forward pass, summed in the order (k1, k2, n), bias last.</summary>
    internal static float OutputSum(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ConvShape p, int b, int i1, int i2, int m)
    {
        int firstChannel = (m / p.CoutPerGroup) * p.CinPerGroup;
        float sum = 0f;
        for (int k1 = 0; k1 < p.K1; k1++)
        {
            int r = i1 * p.S1 + k1 * p.D1 - p.Pad1;
            if (r < 0 || r >= p.N1) continue;
            int w1 = p.Reversal != 0 ? p.K1 - 1 - k1 : k1;
            for (int k2 = 0; k2 < p.K2; k2++)
            {
                int c = i2 * p.S2 + k2 * p.D2 - p.Pad2;
                if (c < 0 || c >= p.N2) continue;
                int w2 = p.Reversal != 0 ? p.K2 - 1 - k2 : k2;
                int xBase = ((b * p.N1 + r) * p.N2 + c) * p.Cin + firstChannel;
                int wBase = (w1 * p.K2 + w2) * p.CinPerGroup * p.Cout + m;
                for (int n = 0; n < p.CinPerGroup; n++)
                    sum += w[wBase + n * p.Cout] * x[xBase + n];
            }
        }
        if (p.HasBias != 0) sum += bias[m];
        return sum;
    }

    /// <summary>
    /// v1 backward data: dx[b,r,c,g·Cin/G + n] = Σ_{m in group g} Σ_k1 Σ_k2 w'[k1,k2,n,m]·dy[b,i1,i2,m] over the
    /// (i1, i2) whose window reads (r, c): i1·s1 + k1·d1 − pad1 = r (stride holes have no i1). One thread per dx element.
    /// </summary>
    public static void BackwardDataV1(Index1D index, ArrayView<float> w, ArrayView<float> dy, ArrayView<float> dx, ConvShape p)
    {
        int i = index;
        var at = Position4.Of(i, p.N1, p.N2, p.Cin);
        int b = at.A, r = at.B, c = at.C, ch = at.D;
        int group = ch / p.CinPerGroup, n = ch % p.CinPerGroup;
        int firstOut = group * p.CoutPerGroup;
        float sum = 0f;
        for (int k1 = 0; k1 < p.K1; k1++)
        {
            int t1 = r + p.Pad1 - k1 * p.D1;
            if (t1 < 0 || t1 % p.S1 != 0) continue;
            int i1 = t1 / p.S1;
            if (i1 >= p.M1) continue;
            int w1 = p.Reversal != 0 ? p.K1 - 1 - k1 : k1;
            for (int k2 = 0; k2 < p.K2; k2++)
            {
                int t2 = c + p.Pad2 - k2 * p.D2;
                if (t2 < 0 || t2 % p.S2 != 0) continue;
                int i2 = t2 / p.S2;
                if (i2 >= p.M2) continue;
                int w2 = p.Reversal != 0 ? p.K2 - 1 - k2 : k2;
                int wBase = ((w1 * p.K2 + w2) * p.CinPerGroup + n) * p.Cout;
                int dyBase = ((b * p.M1 + i1) * p.M2 + i2) * p.Cout;
                for (int m = firstOut; m < firstOut + p.CoutPerGroup; m++)
                    sum += w[wBase + m] * dy[dyBase + m];
            }
        }
        dx[i] = sum;
    }

    /// <summary>
    /// v1 backward weights: dw[q1,q2,n,m] = Σ_b Σ_i1 Σ_i2 dy[b,i1,i2,m]·x[b, i1·s1 + k1·d1 − pad1, i2·s2 + k2·d2 − pad2, g·Cin/G + n],
    /// where (k1, k2) is the position of w[q1,q2] in the kernel the forward pass used (flipped back with Reversal).
    /// One thread per dw element.
    /// </summary>
    public static void BackwardWeightsV1(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ConvShape p)
    {
        var at = Position4.Of(index, p.K2, p.CinPerGroup, p.Cout);
        dw[index] = WeightSum(x, dy, p, at.A, at.B, at.C, at.D, p.Batch);
    }

    /// <summary>dw[q1,q2,n,m] summed over the first <paramref name="batches"/> samples in the order (b, i1, i2).</summary>
    internal static float WeightSum(ArrayView<float> x, ArrayView<float> dy, ConvShape p, int q1, int q2, int n, int m, int batches)
    {
        int k1 = p.Reversal != 0 ? p.K1 - 1 - q1 : q1;
        int k2 = p.Reversal != 0 ? p.K2 - 1 - q2 : q2;
        int ch = (m / p.CoutPerGroup) * p.CinPerGroup + n;
        float sum = 0f;
        for (int b = 0; b < batches; b++)
            for (int i1 = 0; i1 < p.M1; i1++)
            {
                int r = i1 * p.S1 + k1 * p.D1 - p.Pad1;
                if (r < 0 || r >= p.N1) continue;
                for (int i2 = 0; i2 < p.M2; i2++)
                {
                    int c = i2 * p.S2 + k2 * p.D2 - p.Pad2;
                    if (c < 0 || c >= p.N2) continue;
                    sum += dy[((b * p.M1 + i1) * p.M2 + i2) * p.Cout + m] * x[((b * p.N1 + r) * p.N2 + c) * p.Cin + ch];
                }
            }
        return sum;
    }

    /// <summary>v1 backward bias: db[m] = Σ_b Σ_i1 Σ_i2 dy[b,i1,i2,m]. One thread per output channel.</summary>
    public static void BackwardBiasV1(Index1D index, ArrayView<float> dy, ArrayView<float> db, ConvShape p)
    {
        int m = index;
        int positions = p.Batch * p.M1 * p.M2;
        float sum = 0f;
        for (int j = 0; j < positions; j++) sum += dy[j * p.Cout + m];
        db[m] = sum;
    }
}

using Conformance.Backends.Ilgpu.Kernels;
using ILGPU;

namespace Conformance.Backends.Ilgpu.Mutants;

/// <summary>
/// Kernel versions with one bug each, for the ILGPU kernel mutants (<see cref="IlgpuMutantCatalog"/>).
/// Each is its correct twin in Kernels/ with the bug marked BUG; none reads or writes out of bounds
/// (the CPU accelerator would crash the process rather than report a wrong value).
/// </summary>
public static class MutantKernels
{
    /// <summary>ConvolutionKernels.ForwardV1 with the thread's output column taken modulo M1 instead of M2.</summary>
    public static void ForwardColumnsByRows(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> y, ConvShape p)
    {
        int i = index;
        int m = i % p.Cout;
        int t = i / p.Cout;
        int i2 = t % p.M1; // BUG: should be t % p.M2 (rows and columns confused in the thread index)
        t /= p.M2;
        int i1 = t % p.M1;
        int b = t / p.M1;
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
        y[i] = sum;
    }

    /// <summary>ConvolutionKernels.BackwardWeightsV1 reducing over the first sample of the batch only.</summary>
    public static void WeightsFirstSampleOnly(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ConvShape p)
    {
        int i = index;
        int m = i % p.Cout;
        int t = i / p.Cout;
        int n = t % p.CinPerGroup;
        t /= p.CinPerGroup;
        int q2 = t % p.K2;
        int q1 = t / p.K2;
        int k1 = p.Reversal != 0 ? p.K1 - 1 - q1 : q1;
        int k2 = p.Reversal != 0 ? p.K2 - 1 - q2 : q2;
        int ch = (m / p.CoutPerGroup) * p.CinPerGroup + n;
        float sum = 0f;
        for (int b = 0; b < 1; b++) // BUG: should be b < p.Batch
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
        dw[i] = sum;
    }

    /// <summary>SoftmaxKernels.SoftmaxV1 without the max shift: exp overflows to ∞ once a logit passes 88.7.</summary>
    public static void SoftmaxUnshifted(Index1D row, ArrayView<float> x, ArrayView<float> y, RowShape p)
    {
        int first = row * p.Classes;
        float sum = 0f;
        for (int j = 0; j < p.Classes; j++) sum += DeviceMath.Exp(x[first + j]); // BUG: x − max
        for (int j = 0; j < p.Classes; j++) y[first + j] = DeviceMath.Exp(x[first + j]) / sum;
    }
}

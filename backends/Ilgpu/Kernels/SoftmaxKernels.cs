using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// Softmax and cross-entropy kernels, fp32, with DeviceMath's exp and log.
//
// Versions:
//   v1  SoftmaxV1, CrossEntropyRowsV1, MeanV1, CrossEntropyBackwardV1: one thread per row of
//       logits (MeanV1: one thread in all), each row shifted by its maximum first, the
//       max-shifted algorithm spec/numerics.md bounds.

/// <summary>The softmax and cross-entropy kernels; see the version list at the top of the file.</summary>
public static class SoftmaxKernels
{
    /// <summary>v1 softmax: y[row, j] = exp(x_j − m) / Σ_k exp(x_k − m), m the row maximum. One thread per row.</summary>
    public static void SoftmaxV1(Index1D row, ArrayView<float> x, ArrayView<float> y, RowShape p)
    {
        int first = row * p.Classes;
        float m = RowMax(x, first, p.Classes);
        float sum = ExpSum(x, first, p.Classes, m);
        for (int j = 0; j < p.Classes; j++) y[first + j] = DeviceMath.Exp(x[first + j] - m) / sum;
    }

    /// <summary>v1 per-sample loss: loss[b] = m + ln Σ_k exp(x_k − m) − x[label]. One thread per sample.</summary>
    public static void CrossEntropyRowsV1(Index1D row, ArrayView<float> x, ArrayView<int> labels, ArrayView<float> loss, RowShape p)
    {
        int first = row * p.Classes;
        float m = RowMax(x, first, p.Classes);
        float sum = ExpSum(x, first, p.Classes, m);
        loss[row] = m + DeviceMath.Log(sum) - x[first + labels[row]];
    }

    /// <summary>v1 mean: total[0] = Σ values / count, summed in order by a single thread.</summary>
    public static void MeanV1(Index1D index, ArrayView<float> values, ArrayView<float> total, RowShape p)
    {
        float sum = 0f;
        for (int j = 0; j < p.Rows; j++) sum += values[j];
        total[index] = sum / p.Rows;
    }

    /// <summary>v1 cross-entropy backward: dx[b, j] = dy·(softmax(x)[b, j] − [j = label b]) / B. One thread per sample.</summary>
    public static void CrossEntropyBackwardV1(Index1D row, ArrayView<float> x, ArrayView<int> labels, ArrayView<float> dx, RowShape p)
    {
        int first = row * p.Classes;
        float m = RowMax(x, first, p.Classes);
        float sum = ExpSum(x, first, p.Classes, m);
        for (int j = 0; j < p.Classes; j++)
        {
            float y = DeviceMath.Exp(x[first + j] - m) / sum;
            float target = j == labels[row] ? 1f : 0f;
            dx[first + j] = p.Upstream * (y - target) / p.Rows;
        }
    }

    /// <summary>Σ_j exp(x_j − m) over one row, in order.</summary>
    private static float ExpSum(ArrayView<float> x, int first, int length, float m)
    {
        float sum = 0f;
        for (int j = 0; j < length; j++) sum += DeviceMath.Exp(x[first + j] - m);
        return sum;
    }

    /// <summary>The row maximum; a NaN anywhere makes it NaN (as Math.Max does in the reference), so the row's outputs are NaN.</summary>
    private static float RowMax(ArrayView<float> x, int first, int length)
    {
        float m = x[first];
        for (int j = 1; j < length; j++)
        {
            float v = x[first + j];
            if (v > m || DeviceMath.IsNaN(v)) m = v;
            if (DeviceMath.IsNaN(m)) break;
        }
        return m;
    }
}

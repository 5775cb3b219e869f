using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// Element-wise kernels (relu, relu_backward, flatten), fp32.
//
// Versions:
//   v1  ReluV1, ReluBackwardV1, CopyV1: one thread per element. They only select or copy, so
//       their results are exact (bound 0 in spec/numerics.md).

/// <summary>The element-wise kernels; see the version list at the top of the file.</summary>
public static class ElementwiseKernels
{
    /// <summary>v1 relu: y = x when x &gt; 0 or x is NaN, else 0 (NaN propagates: spec/special-values.md).</summary>
    public static void ReluV1(Index1D i, ArrayView<float> x, ArrayView<float> y) =>
        y[i] = x[i] > 0f || DeviceMath.IsNaN(x[i]) ? x[i] : 0f;

    /// <summary>v1 relu backward: dx = dy where x &gt; 0, else 0 (relu'(0) = 0).</summary>
    public static void ReluBackwardV1(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx) =>
        dx[i] = x[i] > 0f ? dy[i] : 0f;

    /// <summary>v1 copy: flatten keeps the row-major (NHWC) order, so it is a copy into the [B, rest] shape.</summary>
    public static void CopyV1(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i];
}

using Conformance.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Conformance.Backends.Ilgpu;

/// <summary>
/// Every kernel of the backend, compiled and loaded once for one accelerator when the backend
/// starts, so no call ever compiles. Each property is a launcher: the first argument is the number
/// of threads (one per output element or row), then the kernel's arguments. A kernel mutant
/// replaces one launcher (with <c>with</c>-style init) by a buggy kernel version.
/// </summary>
public sealed record KernelSet
{
    /// <summary>Loads every kernel on <paramref name="accelerator"/>.</summary>
    public KernelSet(Accelerator accelerator)
    {
        ConvForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ConvShape>(ConvolutionKernels.ForwardV1);
        ConvBackwardData = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ConvShape>(ConvolutionKernels.BackwardDataV1);
        ConvBackwardWeights = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ConvShape>(ConvolutionKernels.BackwardWeightsV1);
        ConvBackwardBias = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvShape>(
            ConvolutionKernels.BackwardBiasV1);
        MaxPool = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolShape>(PoolingKernels.MaxV1);
        AvgPool = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolShape>(PoolingKernels.AvgV1);
        MaxPoolBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            PoolShape>(PoolingKernels.MaxBackwardV1);
        AvgPoolBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolShape>(
            PoolingKernels.AvgBackwardV1);
        Relu = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ReluV1);
        ReluBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            ElementwiseKernels.ReluBackwardV1);
        Copy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.CopyV1);
        Softmax = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, RowShape>(SoftmaxKernels.SoftmaxV1);
        CrossEntropyRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>,
            RowShape>(SoftmaxKernels.CrossEntropyRowsV1);
        Mean = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, RowShape>(SoftmaxKernels.MeanV1);
        CrossEntropyBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>,
            RowShape>(SoftmaxKernels.CrossEntropyBackwardV1);
    }

    /// <summary>ConvolutionKernels.ForwardV1 (x, w, bias, y).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape> ConvForward { get; init; }
    /// <summary>ConvolutionKernels.BackwardDataV1 (w, dy, dx).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape> ConvBackwardData { get; init; }
    /// <summary>ConvolutionKernels.BackwardWeightsV1 (x, dy, dw).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape> ConvBackwardWeights { get; init; }
    /// <summary>ConvolutionKernels.BackwardBiasV1 (dy, db).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ConvShape> ConvBackwardBias { get; init; }
    /// <summary>PoolingKernels.MaxV1 (x, y).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, PoolShape> MaxPool { get; init; }
    /// <summary>PoolingKernels.AvgV1 (x, y).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, PoolShape> AvgPool { get; init; }
    /// <summary>PoolingKernels.MaxBackwardV1 (x, dy, dx).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolShape> MaxPoolBackward { get; init; }
    /// <summary>PoolingKernels.AvgBackwardV1 (dy, dx).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, PoolShape> AvgPoolBackward { get; init; }
    /// <summary>ElementwiseKernels.ReluV1 (x, y).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>> Relu { get; init; }
    /// <summary>ElementwiseKernels.ReluBackwardV1 (x, dy, dx).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> ReluBackward { get; init; }
    /// <summary>ElementwiseKernels.CopyV1 (x, y).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>> Copy { get; init; }
    /// <summary>SoftmaxKernels.SoftmaxV1 (x, y).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, RowShape> Softmax { get; init; }
    /// <summary>SoftmaxKernels.CrossEntropyRowsV1 (x, labels, per-sample loss).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, RowShape> CrossEntropyRows { get; init; }
    /// <summary>SoftmaxKernels.MeanV1 (values, total).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, RowShape> Mean { get; init; }
    /// <summary>SoftmaxKernels.CrossEntropyBackwardV1 (x, labels, dx).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, RowShape> CrossEntropyBackward { get; init; }
}

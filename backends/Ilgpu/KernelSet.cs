using Conformance.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Conformance.Backends.Ilgpu;

/// <summary>
/// Every kernel of the backend, compiled and loaded once for one accelerator when the backend
/// starts, so no call ever compiles. Each property is a launcher: the first argument is the number
/// of threads (one per output element or row), or for the explicitly grouped v2 GEMM kernels the
/// launch configuration (v2's and v3's), then the kernel's arguments. A kernel mutant
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
        GemmForward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
            ConvGemmKernels.ForwardV2);
        GemmBackwardWeights = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
            ConvGemmKernels.BackwardWeightsV2);
        GemmForwardV3 = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
            ConvGemmKernelsV3.ForwardV3);
        GemmBackwardWeightsV3 = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
            ConvGemmKernelsV3.BackwardWeightsV3);
        WeightsAsGemm = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WeightLayout>(
            ConvGemmKernels.WeightsAsGemmV2);
        ReduceSplits = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ReduceShape>(
            ConvGemmKernels.ReduceSplitsV2);
        BiasPartials = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ReduceShape>(
            ConvGemmKernels.BiasPartialsV2);
        WinogradFilter = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape>(
            WinogradKernels.FilterTransformV4);
        WinogradInput = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape>(
            WinogradKernels.InputTransformV4);
        WinogradOutput = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            WinogradShape>(WinogradKernels.OutputTransformV4);
        WinogradGradient = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape>(
            WinogradKernels.GradientTransformV4);
        WinogradWeights = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape>(
            WinogradKernels.WeightsFromTransformV4);
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
    /// <summary>ConvGemmKernels.ForwardV2 (A's tensor, B, bias, C) for forward and backward data; the launch configuration from <see cref="ConvGemmPlan"/>.</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> GemmForward { get; init; }
    /// <summary>ConvGemmKernels.BackwardWeightsV2 (x, dy, split partials).</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> GemmBackwardWeights { get; init; }
    /// <summary>ConvGemmKernelsV3.ForwardV3, the same arguments as <see cref="GemmForward"/>.</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> GemmForwardV3 { get; init; }
    /// <summary>ConvGemmKernelsV3.BackwardWeightsV3, the same arguments as <see cref="GemmBackwardWeights"/>.</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> GemmBackwardWeightsV3 { get; init; }
    /// <summary>ConvGemmKernels.WeightsAsGemmV2 (w, B).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, WeightLayout> WeightsAsGemm { get; init; }
    /// <summary>ConvGemmKernels.ReduceSplitsV2 (partials, output).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ReduceShape> ReduceSplits { get; init; }
    /// <summary>ConvGemmKernels.BiasPartialsV2 (dy, partials).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ReduceShape> BiasPartials { get; init; }
    /// <summary>WinogradKernels.FilterTransformV4 (w, U).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape> WinogradFilter { get; init; }
    /// <summary>WinogradKernels.InputTransformV4 (x or dy, V).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape> WinogradInput { get; init; }
    /// <summary>WinogradKernels.OutputTransformV4 (M, bias, y or dx).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WinogradShape> WinogradOutput { get; init; }
    /// <summary>WinogradKernels.GradientTransformV4 (dy, Ŷ).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape> WinogradGradient { get; init; }
    /// <summary>WinogradKernels.WeightsFromTransformV4 (the reduced sums, dw).</summary>
    public Action<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape> WinogradWeights { get; init; }
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

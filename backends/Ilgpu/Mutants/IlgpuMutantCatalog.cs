using Conformance.Backends.Ilgpu.Kernels;
using Conformance.Core.Mutants;
using ILGPU;
using ILGPU.Runtime;

namespace Conformance.Backends.Ilgpu.Mutants;

/// <summary>
/// The ILGPU backend on the CPU accelerator with one kernel replaced by a buggy version
/// (<see cref="MutantKernels"/>): mutants of our own GPU code, run by <c>conformance mutants</c>
/// beside the reference's mutants. A mutant of a convolution kernel forces that kernel's version
/// (<paramref name="version"/>), so that every convolution runs the mutated kernel whatever the dispatcher would pick. Each holds an ILGPU context: dispose it.
/// </summary>
public sealed class IlgpuMutant(string name, string description, string[] ops, Func<Accelerator, KernelSet, KernelSet> replace,
    KernelVersion version = KernelVersion.Auto)
    : IlgpuCpuBackend, IMutant
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion { get; } = version;

    private readonly Func<Accelerator, KernelSet, KernelSet> _replace = replace;
    private readonly string _name = name;

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    public string Description { get; } = description;

    /// <inheritdoc />
    public IReadOnlyList<string> Ops { get; } = ops;

    /// <inheritdoc />
    protected override KernelSet LoadKernels(Accelerator accelerator) => _replace(accelerator, base.LoadKernels(accelerator));
}

/// <summary>The ILGPU kernel mutants.</summary>
public static class IlgpuMutantCatalog
{
    /// <summary>Every ILGPU kernel mutant, freshly started (each owns a CPU-accelerator context).</summary>
    public static IReadOnlyList<IlgpuMutant> Create() =>
    [
        new("ilgpu-conv-columns-indexed-by-rows", "a convolution thread takes its output column modulo the row count (M1 for M2)",
            ["conv2d", "conv2d_layer"], (a, k) => k with
            {
                ConvForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                    ArrayView<float>, ConvShape>(MutantKernels.ForwardColumnsByRows),
            }, KernelVersion.V1),
        new("ilgpu-dw-reduces-the-first-sample-only", "the weight-gradient kernel's batch loop stops after sample 0",
            ["conv2d_layer_backward", "dense_backward"], (a, k) => k with
            {
                ConvBackwardWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                    ConvShape>(MutantKernels.WeightsFirstSampleOnly),
            }, KernelVersion.V1),
        new("ilgpu-gemm-drops-the-partial-last-k-stage",
            "the v2 forward GEMM runs ⌊K/16⌋ stages of the reduction instead of ⌈K/16⌉, dropping the last taps when 16 does not divide K",
            ["conv2d_layer", "dense"], (a, k) => k with
            {
                GemmForward = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
                    MutantKernels.GemmDropsPartialStage),
            }, KernelVersion.V2),
        new("ilgpu-splitk-reduce-drops-the-last-split",
            "v2's split-K reduction leaves the last split's partial out of dw and db when there are several (positions at the end of the batch lost)",
            ["conv2d_layer_backward", "dense_backward"], (a, k) => k with
            {
                ReduceSplits = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ReduceShape>(
                    MutantKernels.ReduceDropsLastSplit),
            }, KernelVersion.V2),
        new("ilgpu-winograd-filter-without-half", "v4's Winograd filter transform uses G without its ½ (the middle rows of U 2× to 4× too large)",
            ["conv2d_layer", "conv2d_layer_backward"], (a, k) => k with
            {
                WinogradFilter = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape>(
                    MutantKernels.WinogradFilterWithoutHalf),
            }, KernelVersion.V4),
        new("ilgpu-winograd-input-tiles-4-apart", "v4's Winograd input transform places 4×4 input tiles 4 apart instead of 2 (tiles must overlap)",
            ["conv2d_layer", "conv2d_layer_backward"], (a, k) => k with
            {
                WinogradInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape>(
                    MutantKernels.WinogradInputTilesApart),
            }, KernelVersion.V4),
        new("ilgpu-winograd-dw-not-flipped-back", "v4's Winograd weight gradient keeps the correlation's taps under reversal (dw rotated by 180°)",
            ["conv2d_layer_backward"], (a, k) => k with
            {
                WinogradWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WinogradShape>(
                    MutantKernels.WinogradWeightsNotFlipped),
            }, KernelVersion.V4),
        new("ilgpu-softmax-without-max-shift", "the softmax kernel exponentiates the raw logits (overflow past 88.7)",
            ["softmax"], (a, k) => k with
            {
                Softmax = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, RowShape>(MutantKernels.SoftmaxUnshifted),
            }),
    ];
}

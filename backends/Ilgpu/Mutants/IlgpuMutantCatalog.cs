using Conformance.Backends.Ilgpu.Kernels;
using Conformance.Core.Mutants;
using ILGPU;
using ILGPU.Runtime;

namespace Conformance.Backends.Ilgpu.Mutants;

/// <summary>
/// The ILGPU backend on the CPU accelerator with one kernel replaced by a buggy version
/// (<see cref="MutantKernels"/>): mutants of our own GPU code, run by <c>conformance mutants</c>
/// beside the reference's mutants. Each holds an ILGPU context: dispose it.
/// </summary>
public sealed class IlgpuMutant(string name, string description, string[] ops, Func<Accelerator, KernelSet, KernelSet> replace)
    : IlgpuCpuBackend, IMutant
{
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
            }),
        new("ilgpu-dw-reduces-the-first-sample-only", "the weight-gradient kernel's batch loop stops after sample 0",
            ["conv2d_layer_backward", "dense_backward"], (a, k) => k with
            {
                ConvBackwardWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                    ConvShape>(MutantKernels.WeightsFirstSampleOnly),
            }),
        new("ilgpu-softmax-without-max-shift", "the softmax kernel exponentiates the raw logits (overflow past 88.7)",
            ["softmax"], (a, k) => k with
            {
                Softmax = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, RowShape>(MutantKernels.SoftmaxUnshifted),
            }),
    ];
}

using Conformance.Backends.Ilgpu.Kernels;
using ILGPU;

namespace Conformance.Backends.Ilgpu.Mutants;

/// <summary>
/// Kernel versions with one bug each, for the ILGPU kernel mutants (<see cref="IlgpuMutantCatalog"/>).
/// Each reuses its correct twin's arithmetic in Kernels/ and changes one thing, marked BUG; none reads or writes out of bounds
/// (the CPU accelerator would crash the process rather than report a wrong value).
/// </summary>
public static class MutantKernels
{
    /// <summary>ConvolutionKernels.ForwardV1 with the thread's output column taken modulo M1 instead of M2.</summary>
    public static void ForwardColumnsByRows(Index1D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> y, ConvShape p)
    {
        var at = Position4.Of(index, p.M1, p.M2, p.Cout);
        int column = index / p.Cout % p.M1; // BUG: should be % p.M2 (rows and columns confused in the thread index)
        y[index] = ConvolutionKernels.OutputSum(x, w, bias, p, at.A, at.B, column, at.D);
    }

    /// <summary>ConvolutionKernels.BackwardWeightsV1 reducing over the first sample of the batch only.</summary>
    public static void WeightsFirstSampleOnly(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ConvShape p)
    {
        var at = Position4.Of(index, p.K2, p.CinPerGroup, p.Cout);
        dw[index] = ConvolutionKernels.WeightSum(x, dy, p, at.A, at.B, at.C, at.D, 1); // BUG: should be p.Batch
    }

    /// <summary>ConvGemmKernels.ForwardV2 with the reduction's stage count rounded down: a partial last 16-deep stage of K is never added.</summary>
    public static void GemmDropsPartialStage(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, GemmShape p) =>
        ConvGemmKernels.Forward(a, b, bias, c, p, p.K / ConvGemmKernels.TileK); // BUG: should be (p.K + TileK − 1) / TileK

    /// <summary>ConvGemmKernels.ReduceSplitsV2 leaving the last split-K partial out of dw and db where there are several (an off-by-one that one split hides).</summary>
    public static void ReduceDropsLastSplit(Index1D index, ArrayView<float> partials, ArrayView<float> output, ReduceShape r) =>
        output[index] = ConvGemmKernels.SplitSum(index, partials, r, Math.Max(1, r.Splits - 1)); // BUG: should be r.Splits

    /// <summary>SoftmaxKernels.SoftmaxV1 without the max shift: exp overflows to ∞ once a logit passes 88.7.</summary>
    public static void SoftmaxUnshifted(Index1D row, ArrayView<float> x, ArrayView<float> y, RowShape p)
    {
        int first = row * p.Classes;
        float sum = 0f;
        for (int j = 0; j < p.Classes; j++) sum += DeviceMath.Exp(x[first + j]); // BUG: x − max
        for (int j = 0; j < p.Classes; j++) y[first + j] = DeviceMath.Exp(x[first + j]) / sum;
    }

    /// <summary>WinogradKernels.FilterTransformV4 without the ½ of G's middle rows (G as the integer matrix), so U's middle rows and columns come out 2× and 4× too large.</summary>
    public static void WinogradFilterWithoutHalf(Index1D index, ArrayView<float> w, ArrayView<float> u, WinogradShape p) =>
        WinogradKernels.FilterTransform(index, w, u, p, 1f); // BUG: should be 0.5f

    /// <summary>WinogradKernels.InputTransformV4 placing input tiles 4 apart (the input tile's size) instead of 2 (the output tile's): tiles must overlap by 2.</summary>
    public static void WinogradInputTilesApart(Index1D index, ArrayView<float> t, ArrayView<float> v, WinogradShape p) =>
        WinogradKernels.InputTransform(index, t, v, p, 4); // BUG: should be 2

    /// <summary>WinogradKernels.WeightsFromTransformV4 that never flips dw's taps back, so a reversed kernel's gradient comes out rotated by 180°.</summary>
    public static void WinogradWeightsNotFlipped(Index1D index, ArrayView<float> s, ArrayView<float> dw, WinogradShape p) =>
        WinogradKernels.WeightsFromTransform(index, s, dw, p, 0); // BUG: should be p.Reversal
}

using Conformance.Core.Backends;
using Conformance.Reference;
using static Conformance.Core.Mutants.Bugs;

namespace Conformance.Core.Mutants;

/// <summary>
/// The wrong backends every run of the suite must kill: each is the reference with one bug that
/// real implementations have had, named and described. <c>conformance mutants</c> runs the case
/// catalogue against each and prints which cases kill which; a test asserts that quick mode
/// already kills every one. A mutant that survives shows a kind of case the suite lacks.
/// </summary>
public static class MutantCatalog
{
    private static readonly string[] Convolutions = ["conv1d", "conv2d", "conv2d_layer", "conv2d_layer_backward"];
    private static readonly string[] Layer = ["conv2d_layer", "conv2d_layer_backward"];
    private static readonly string[] Linear = ["conv1d", "conv2d", "conv2d_layer", "conv2d_layer_backward", "dense", "dense_backward"];

    /// <summary>Every mutant, each a fresh instance.</summary>
    public static IReadOnlyList<MutantBackend> All => Build();

    /// <summary>The mutant named <paramref name="name"/>, or an error listing the names.</summary>
    public static MutantBackend Get(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? throw new OpArgumentException("mutant", "one of " + string.Join(", ", All.Select(m => m.Name)), $"'{name}'");

    private static MutantBackend M(string name, string description, string[] ops, Func<OpCall, OpCall>? call = null,
        Func<OpCall, IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>>? outputs = null) =>
        new(name, call, outputs) { Description = description, Ops = ops };

    private static List<MutantBackend> Build() =>
    [
        // Conventions of convolution.
        M("forgets-to-flip-the-kernel", "reversal=true computed as cross-correlation (a Keras layer used for a signal-processing convolution)",
            Convolutions, call: c => WithAttributes(c, a => a with { Reversal = false })),
        M("flips-the-kernel-for-correlation", "every convolution flips the kernel, as scipy's convolve2d does, where Keras's layers do not",
            Convolutions, call: c => WithAttributes(c, a => a with { Reversal = true })),
        M("splits-same-padding-the-other-way", "same puts the odd extra zero first (ONNX SAME_LOWER where SAME_UPPER was meant)",
            Convolutions, call: c => WithAttributes(c, a => a.Padding.Mode == PaddingMode.Same ? a with { Padding = Padding.SameLower } : a)),
        M("explicit-padding-off-by-one", "explicit pads read one row late: one zero more on top, one fewer at the bottom",
            Convolutions, call: c => WithAttributes(c, a => a.Padding.Mode == PaddingMode.Explicit
                ? a with { Padding = Padding.Explicit(a.Padding.Top + 1, Math.Max(a.Padding.Bottom - 1, 0), a.Padding.Left, a.Padding.Right) } : a)),
        M("stride-on-rows-only", "the row stride used for the columns too (one stride read for both axes)",
            Convolutions, call: c => WithAttributes(c, a => a.Strides is Pair s ? a with { Strides = Pair.Of(s.Rows) } : a)),
        M("ignores-dilation", "dilation dropped: the kernel taps are contiguous",
            Convolutions, call: c => WithAttributes(c, a => a with { Dilation = Pair.Of(1) })),
        M("groups-read-the-next-groups-channels", "group g reads the input channels of group g + 1 (an off-by-one group offset)",
            ["conv2d_layer"], call: c => WithInput(c, "x", x => RotateChannelGroups(x, c.Attributes.Groups))),
        M("reads-hwio-weights-as-hwoi", "the kernel's last two axes read in the wrong order (HWOI, as some libraries store it)",
            ["conv2d_layer"], call: c => WithInput(c, "w", SwapLastAxesOfStorage)),
        M("transposes-the-kernel", "kernel rows and columns swapped (a kernel stored column-major)",
            ["conv2d", "conv2d_layer"], call: c => WithInput(c, "w", TransposeSpatialStorage)),
        M("weight-gradient-not-flipped-back", "with reversal, dW returned for the flipped kernel instead of the kernel given",
            ["conv2d_layer_backward"], outputs: (c, r) => c.Attributes.Reversal ? WithOutput(r, "dw", Convolution.Flip) : r),
        M("dx-ignores-stride-holes", "dX gathers dY with a floor division, so positions between strides take a neighbour's gradient",
            ["conv2d_layer_backward"], outputs: (c, r) => WithOutput(r, "dx", _ => DxIgnoringStrideHoles(c))),
        M("transposes-dw", "dW written with its last two axes in the wrong order",
            ["conv2d_layer_backward", "dense_backward"], outputs: (_, r) => WithOutput(r, "dw", SwapLastAxesOfStorage)),

        // Bias.
        M("drops-the-bias", "the bias input ignored", ["conv2d_layer", "dense"],
            call: c => c with { Inputs = c.Inputs.Where(kv => kv.Key != "b").ToDictionary() }),
        M("adds-the-bias-twice", "the bias added in the kernel and again by the caller", ["conv2d_layer", "dense"],
            call: c => WithInput(c, "b", b => b.Map(v => 2 * v))),

        // Batches and gradients.
        M("every-sample-reads-sample-0", "the batch offset left out of the input index", ["conv2d_layer", "dense"],
            call: c => WithInput(c, "x", FirstSampleEverywhere)),
        M("gradients-divided-by-the-batch-size", "the backward pass averages over the batch (a mean loss applied twice)",
            ["conv2d_layer_backward", "dense_backward"], outputs: (c, r) => r.ToDictionary(kv => kv.Key, kv => kv.Value.Map(v => v / c.Inputs["x"].Shape[0]))),
        M("loses-one-weight-gradient-contribution", "a race in the dW reduction drops the contribution of the first output position",
            ["conv2d_layer_backward", "dense_backward"], outputs: (c, r) => WithOutput(r, "dw", _ => DwWithoutFirstPosition(c))),

        // GPU kernel bugs.
        M("leaves-the-last-partial-tile-unwritten", "outputs past the last full tile of 16 never written (sizes not a multiple of 16)",
            ["conv2d_layer", "dense"], outputs: (_, r) => WithOutput(r, "y", ZeroLastPartialTile)),
        M("reads-a-stale-tile", "a missing barrier: the first row of each 8-row tile still holds the previous tile's row",
            ["conv2d_layer"], outputs: (_, r) => WithOutput(r, "y", StaleFirstRowOfTiles)),

        // Precision.
        M("half-precision-outputs", "results stored in fp16 while fp32 is declared",
            ["conv2d_layer"], outputs: (_, r) => r.ToDictionary(kv => kv.Key, kv => kv.Value.Map(v => (double)(Half)v))),
        M("accumulates-dense-in-fp16", "the dot products accumulated in an fp16 register", ["dense"],
            outputs: (c, r) => WithOutput(r, "y", _ => DenseAccumulatedInHalf(c))),
        M("rounds-inputs-to-tf32-above-2000-terms", "operands rounded to TF32 on reductions over 2,000 terms while fp32 is declared (GPU libraries' default for long reductions)",
            Linear, call: c => RoundLongReductions(c, PrecisionClass.Tf32, 2000)),
        M("rounds-inputs-to-bf16", "operands rounded to bf16 while fp32 is declared", Linear, call: c => RoundLongReductions(c, PrecisionClass.Bf16, 0)),

        // Pooling.
        M("avg-pool-counts-padding", "average pooling divides by the whole window, padded zeros included (count_include_pad=True)",
            ["avg_pool2d"], outputs: (c, _) => new Dictionary<string, Tensor> { ["y"] = AvgCountingPads(c) }),
        M("avg-pool-backward-counts-padding", "the average-pooling gradient spread over the whole window, padding included",
            ["avg_pool2d_backward"], outputs: (c, _) => new Dictionary<string, Tensor> { ["dx"] = AvgBackwardCountingPads(c) }),
        M("max-pool-pads-with-zeros", "max pooling pads with 0 instead of skipping padding, so a window of negatives returns 0",
            ["max_pool2d"], outputs: (c, _) => new Dictionary<string, Tensor> { ["y"] = MaxWithZeroPadding(c) }),
        M("max-pool-ties-to-the-last-maximum", "max-pool backward routes dY to the last maximal element of a window (>= instead of >)",
            ["max_pool2d_backward"], outputs: (c, _) => new Dictionary<string, Tensor> { ["dx"] = MaxBackwardToLastMaximum(c) }),
        M("max-pool-skips-nan", "max pooling whose comparison skips NaN (ONNX Runtime's MaxPool mostly does), so a window's NaN is lost and dY goes elsewhere",
            ["max_pool2d", "max_pool2d_backward"], call: c => WithInput(c, "x", x => x.Map(v => double.IsNaN(v) ? double.NegativeInfinity : v))),

        // Activations, flatten, softmax and loss.
        M("relu-turns-nan-into-zero", "relu written as x > 0 ? x : 0, which gives 0 for NaN where the libraries propagate it", ["relu"],
            outputs: (c, r) => WithOutput(r, "y", y => y.Map((i, v) => double.IsNaN(c.Inputs["x"].Data[i]) ? 0 : v))),
        M("relu-derivative-one-at-zero", "relu'(0) = 1 (x >= 0 instead of x > 0)", ["relu_backward"],
            outputs: (c, r) => WithOutput(r, "dx", dx => dx.Map((i, v) => c.Inputs["x"].Data[i] == 0 ? c.Inputs["dy"].Data[i] : v))),
        M("flatten-in-nchw-order", "flatten of an NHWC tensor in channels-first order (PyTorch's layout)", ["flatten"],
            outputs: (c, r) => WithOutput(r, "y", y => FlattenChannelsFirst(c.Inputs["x"], y))),
        M("softmax-without-max-subtraction", "exp of the raw logits in fp32: overflows to ∞ (then NaN) once a logit passes 88.7",
            ["softmax"], outputs: (c, _) => new Dictionary<string, Tensor> { ["y"] = SoftmaxWithoutShift(c.Inputs["x"]) }),
        M("softmax-with-a-fast-approximate-exp", "an exp approximation about 1e-4 relative off (fast-math intrinsics)", ["softmax"],
            outputs: (_, r) => WithOutput(r, "y", y => y.Map(v => (float)v * (1 + 1e-4)))),
        M("cross-entropy-averaged-over-classes", "the loss divided by the number of classes instead of the batch size",
            ["softmax_cross_entropy", "softmax_cross_entropy_backward"],
            outputs: (c, r) => r.ToDictionary(kv => kv.Key, kv => kv.Value.Map(v => v * c.Inputs["x"].Shape[0] / c.Inputs["x"].Shape[1]))),
    ];
}

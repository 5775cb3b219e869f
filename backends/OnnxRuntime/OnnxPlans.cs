using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Backends.OnnxRuntime;

/// <summary>
/// The ONNX node that computes each forward op of the catalogue, with the layout changes around it.
/// Inputs are validated with the reference's own checks first, so bad input gives the same
/// OpArgumentException as the reference. Padding is ONNX's own wherever ONNX has the mode
/// (auto_pad VALID, SAME_UPPER for same, SAME_LOWER for same_lower), so the suite checks our
/// conventions against ONNX Runtime rather than against the reference's helper; only full and
/// explicit padding, which ONNX lacks as modes, are translated into pads (see <see cref="SetPadding"/>).
/// </summary>
internal static class OnnxPlans
{
    /// <summary>The plan for a forward op; <paramref name="call"/>'s inputs have been checked against the catalogue.</summary>
    public static OnnxPlan For(OpCall call)
    {
        Tensor In(string name) => call.Inputs[name];
        Tensor? Opt(string name) => call.Inputs.TryGetValue(name, out var t) ? t : null;
        var a = call.Attributes;
        return call.Op switch
        {
            "conv1d" => Conv1d(In("x"), In("w"), a),
            "conv2d" => Conv2d(In("x"), In("w"), a),
            "conv2d_layer" => Conv2dLayer(In("x"), In("w"), Opt("b"), a),
            "relu" => Elementwise("Relu", In("x")),
            "max_pool2d" => Pool("MaxPool", In("x"), a),
            "avg_pool2d" => Pool("AveragePool", In("x"), a),
            "dense" => Dense(In("x"), In("w"), Opt("b")),
            "flatten" => Flatten(In("x")),
            "softmax" => Softmax(In("x")),
            "softmax_cross_entropy" => SoftmaxCrossEntropy(In("x"), In("labels")),
            _ => throw new InvalidOperationException($"no ONNX plan for {call.Op}"),
        };
    }

    /// <summary>Conv over [1,1,N]: a one-channel NCW signal; strides, dilation and padding are the column components.</summary>
    private static OnnxPlan Conv1d(Tensor x, Tensor w, OpAttributes a)
    {
        var (_, p, s) = ConvGeometry.Of1d(x, w, a);
        int n = x.Shape[0], k = w.Shape[0];
        var plan = OnnxPlan.Of("Conv", [1, 1, p.OutputSize], nchw: false, "y", [p.OutputSize],
            Feed.Float("x", Layout.ToFloat(x), 1, 1, n),
            Feed.Float("w", Layout.ToFloat(Kernel(w, a)), 1, 1, k));
        plan.Model.IntsAttr("kernel_shape", k).IntsAttr("strides", s.Cols).IntsAttr("dilations", a.Dilation.Cols).IntAttr("group", 1);
        SetPadding(plan.Model, a.Padding, new PadAxis(n, k, s.Cols, a.Dilation.Cols, p));
        return plan;
    }

    /// <summary>Conv over [1,1,N1,N2]: a one-channel NCHW image.</summary>
    private static OnnxPlan Conv2d(Tensor x, Tensor w, OpAttributes a)
    {
        var (rows, cols, s) = ConvGeometry.Of2d(x, w, a);
        var plan = OnnxPlan.Of("Conv", [1, 1, rows.OutputSize, cols.OutputSize], nchw: false, "y", [rows.OutputSize, cols.OutputSize],
            Feed.Float("x", Layout.ToFloat(x), 1, 1, x.Shape[0], x.Shape[1]),
            Feed.Float("w", Layout.ToFloat(Kernel(w, a)), 1, 1, w.Shape[0], w.Shape[1]));
        SetConvAttributes(plan, w.Shape[0], w.Shape[1], s, a.Dilation, groups: 1);
        SetPadding(plan.Model, a.Padding, new PadAxis(x.Shape[0], w.Shape[0], s.Rows, a.Dilation.Rows, rows),
            new PadAxis(x.Shape[1], w.Shape[1], s.Cols, a.Dilation.Cols, cols));
        return plan;
    }

    /// <summary>Conv on NCHW data with OIHW weights and the group attribute; the optional bias is Conv's input B.</summary>
    private static OnnxPlan Conv2dLayer(Tensor x, Tensor w, Tensor? bias, OpAttributes a)
    {
        var g = LayerGeometry.Of(x, w, bias, a);
        var (xData, xShape) = Layout.PermuteToFloat(x, Layout.NhwcToNchw);
        var (wData, wShape) = Layout.PermuteToFloat(Kernel(w, a), Layout.HwioToOihw);
        var feeds = new List<Feed> { Feed.Float("x", xData, xShape), Feed.Float("w", wData, wShape) };
        if (bias != null) feeds.Add(Feed.Float("b", Layout.ToFloat(bias), g.Cout));
        var plan = OnnxPlan.Of("Conv", [g.Batch, g.Cout, g.Out1.OutputSize, g.Out2.OutputSize], nchw: true, "y", [.. feeds]);
        SetConvAttributes(plan, g.K1, g.K2, new Pair(g.S1, g.S2), new Pair(g.D1, g.D2), g.Groups);
        SetPadding(plan.Model, a.Padding, new PadAxis(g.N1, g.K1, g.S1, g.D1, g.Out1), new PadAxis(g.N2, g.K2, g.S2, g.D2, g.Out2));
        return plan;
    }

    /// <summary>
    /// MaxPool or AveragePool on NCHW data with ONNX's own auto_pad (pooling takes valid, same and
    /// same_lower only). ONNX Runtime's MaxPool skips padded positions, and AveragePool with
    /// count_include_pad=0 divides by the real samples only: both as the catalogue says.
    /// </summary>
    private static OnnxPlan Pool(string opType, Tensor x, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        var (xData, xShape) = Layout.PermuteToFloat(x, Layout.NhwcToNchw);
        var plan = OnnxPlan.Of(opType, [g.Batch, g.Channels, g.Rows.OutputSize, g.Cols.OutputSize], nchw: true, "y",
            Feed.Float("x", xData, xShape));
        plan.Model.IntsAttr("kernel_shape", g.Pool.Rows, g.Pool.Cols)
            .IntsAttr("strides", g.Strides.Rows, g.Strides.Cols)
            .IntAttr("ceil_mode", 0);
        SetPadding(plan.Model, a.Padding, new PadAxis(g.N1, g.Pool.Rows, g.Strides.Rows, 1, g.Rows),
            new PadAxis(g.N2, g.Pool.Cols, g.Strides.Cols, 1, g.Cols));
        if (opType == "AveragePool") plan.Model.IntAttr("count_include_pad", 0);
        return plan;
    }

    /// <summary>Gemm: y = x·W (+ b), no transposes, alpha = beta = 1.</summary>
    private static OnnxPlan Dense(Tensor x, Tensor w, Tensor? bias)
    {
        Check.Rank(x, 2, "x", "[B,Nin]");
        Check.Rank(w, 2, "w", "[Nin,Nout]");
        Check.Equal(w.Shape[0], x.Shape[1], "w", "axis 0 (Nin) matching x's axis 1");
        int nout = w.Shape[1];
        if (bias != null) Check.Shape(bias, [nout], "b");
        var feeds = new List<Feed> { Feed.Float("x", Layout.ToFloat(x), x.Shape), Feed.Float("w", Layout.ToFloat(w), w.Shape) };
        if (bias != null) feeds.Add(Feed.Float("b", Layout.ToFloat(bias), nout));
        var plan = OnnxPlan.Of("Gemm", [x.Shape[0], nout], nchw: false, "y", [.. feeds]);
        plan.Model.IntAttr("transA", 0).IntAttr("transB", 0);
        return plan;
    }

    /// <summary>An element-wise op: same shape out as in.</summary>
    private static OnnxPlan Elementwise(string opType, Tensor x) =>
        OnnxPlan.Of(opType, x.Shape, nchw: false, "y", Feed.Float("x", Layout.ToFloat(x), x.Shape));

    /// <summary>Flatten with axis 1 on the NHWC data as given: row-major, so the same order as Keras channels_last.</summary>
    private static OnnxPlan Flatten(Tensor x)
    {
        int rest = Check.Flatten(x);
        var plan = OnnxPlan.Of("Flatten", [x.Shape[0], rest], nchw: false, "y", Feed.Float("x", Layout.ToFloat(x), x.Shape));
        plan.Model.IntAttr("axis", 1);
        return plan;
    }

    /// <summary>Softmax over the last axis (opset 13 semantics: one axis, not the flattened trailing block).</summary>
    private static OnnxPlan Softmax(Tensor x)
    {
        Check.Softmax(x);
        var plan = Elementwise("Softmax", x);
        plan.Model.IntAttr("axis", -1);
        return plan;
    }

    /// <summary>SoftmaxCrossEntropyLoss with reduction mean and int64 labels: a scalar, the mean over the batch.</summary>
    private static OnnxPlan SoftmaxCrossEntropy(Tensor x, Tensor labels)
    {
        // ONNX Runtime would index out of range (or treat a value as ignore_index); reject as the reference does.
        long[] l = Array.ConvertAll(Check.Labels(x, labels), v => (long)v);
        var plan = OnnxPlan.Of("SoftmaxCrossEntropyLoss", [], nchw: false, "loss",
            Feed.Float("x", Layout.ToFloat(x), x.Shape), Feed.Int64("labels", l, labels.Length));
        plan.Model.StringAttr("reduction", "mean");
        return plan;
    }

    /// <summary>The kernel as fed: flipped in both spatial axes for reversal=true (exact, the values only move).</summary>
    private static Tensor Kernel(Tensor w, OpAttributes a) => a.Reversal ? Convolution.Flip(w) : w;

    private static void SetConvAttributes(OnnxPlan plan, int k1, int k2, Pair s, Pair d, int groups) =>
        plan.Model.IntsAttr("kernel_shape", k1, k2)
            .IntsAttr("strides", s.Rows, s.Cols)
            .IntsAttr("dilations", d.Rows, d.Cols)
            .IntAttr("group", groups);

    /// <summary>One spatial axis of a Conv or pooling node, with the padding the reference resolved for it.</summary>
    private readonly record struct PadAxis(int Size, int Window, int Stride, int Dilation, AxisPadding Resolved)
    {
        /// <summary>ONNX's total SAME padding, (⌈N/s⌉ − 1)·s + (K−1)·d + 1 − N, before any clamping.</summary>
        public long SameTotal => ((Size + (long)Stride - 1) / Stride - 1) * Stride + (long)(Window - 1) * Dilation + 1 - Size;
    }

    /// <summary>
    /// The padding of a Conv or pooling node. valid, same and same_lower are ONNX's own auto_pad
    /// VALID, SAME_UPPER (the odd extra zero at the end) and SAME_LOWER (at the start), so ONNX
    /// Runtime computes those pads itself and the suite checks our conventions against it. The
    /// adapter translates into explicit pads (resolved by the reference's Padding helper, in ONNX's
    /// order: all begins, then all ends) only where ONNX cannot say it: full and explicit padding
    /// (no ONNX mode), and two cases ONNX Runtime 1.31 refuses: SAME with dilation ("Dilation not
    /// supported for AutoPadType::SAME_UPPER") and SAME where a stride longer than the window leaves
    /// a negative total (it then rejects its own negative pads; the catalogue pads nothing there).
    /// </summary>
    private static void SetPadding(OneNodeModel model, Padding padding, params PadAxis[] axes)
    {
        string? auto = padding.Mode switch
        {
            PaddingMode.Valid => "VALID",
            PaddingMode.Same => "SAME_UPPER",
            PaddingMode.SameLower => "SAME_LOWER",
            _ => null,
        };
        if (auto != null && (padding.Mode == PaddingMode.Valid || axes.All(a => a.Dilation == 1 && a.SameTotal >= 0)))
        {
            model.StringAttr("auto_pad", auto);
            return;
        }
        model.IntsAttr("pads", [.. axes.Select(a => (long)a.Resolved.Before), .. axes.Select(a => (long)a.Resolved.After)]);
    }
}

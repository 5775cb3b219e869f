using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Backends.OnnxRuntime;

/// <summary>
/// The ONNX node that computes each forward op of the catalogue, with the layout changes around it.
/// Inputs are validated with the reference's own checks first, so bad input gives the same
/// OpArgumentException as the reference, and every padding mode becomes explicit ONNX pads through
/// the one helper <see cref="Padding.Resolve"/> (ONNX's auto_pad is never used).
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
        plan.Model.IntsAttr("kernel_shape", k).IntsAttr("strides", s.Cols).IntsAttr("dilations", a.Dilation.Cols)
            .IntsAttr("pads", p.Before, p.After).IntAttr("group", 1);
        return plan;
    }

    /// <summary>Conv over [1,1,N1,N2]: a one-channel NCHW image.</summary>
    private static OnnxPlan Conv2d(Tensor x, Tensor w, OpAttributes a)
    {
        var (rows, cols, s) = ConvGeometry.Of2d(x, w, a);
        var plan = OnnxPlan.Of("Conv", [1, 1, rows.OutputSize, cols.OutputSize], nchw: false, "y", [rows.OutputSize, cols.OutputSize],
            Feed.Float("x", Layout.ToFloat(x), 1, 1, x.Shape[0], x.Shape[1]),
            Feed.Float("w", Layout.ToFloat(Kernel(w, a)), 1, 1, w.Shape[0], w.Shape[1]));
        SetConvAttributes(plan, w.Shape[0], w.Shape[1], s, a.Dilation, rows, cols, groups: 1);
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
        SetConvAttributes(plan, g.K1, g.K2, new Pair(g.S1, g.S2), new Pair(g.D1, g.D2), g.Out1, g.Out2, g.Groups);
        return plan;
    }

    /// <summary>
    /// MaxPool or AveragePool on NCHW data with explicit pads. ONNX Runtime's MaxPool skips padded
    /// positions, and AveragePool with count_include_pad=0 divides by the real samples only: both as
    /// the catalogue says. Resolved same/same_lower pads are always smaller than the window, as ONNX requires.
    /// </summary>
    private static OnnxPlan Pool(string opType, Tensor x, OpAttributes a)
    {
        var g = PoolGeometry.Of(x, a);
        var (xData, xShape) = Layout.PermuteToFloat(x, Layout.NhwcToNchw);
        var plan = OnnxPlan.Of(opType, [g.Batch, g.Channels, g.Rows.OutputSize, g.Cols.OutputSize], nchw: true, "y",
            Feed.Float("x", xData, xShape));
        plan.Model.IntsAttr("kernel_shape", g.Pool.Rows, g.Pool.Cols)
            .IntsAttr("strides", g.Strides.Rows, g.Strides.Cols)
            .IntsAttr("pads", g.Rows.Before, g.Cols.Before, g.Rows.After, g.Cols.After)
            .IntAttr("ceil_mode", 0);
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

    private static void SetConvAttributes(OnnxPlan plan, int k1, int k2, Pair s, Pair d, AxisPadding rows, AxisPadding cols, int groups) =>
        plan.Model.IntsAttr("kernel_shape", k1, k2)
            .IntsAttr("strides", s.Rows, s.Cols)
            .IntsAttr("dilations", d.Rows, d.Cols)
            .IntsAttr("pads", rows.Before, cols.Before, rows.After, cols.After)
            .IntAttr("group", groups);
}

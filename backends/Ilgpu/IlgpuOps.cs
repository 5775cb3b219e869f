using Conformance.Backends.Ilgpu.Kernels;
using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Backends.Ilgpu;

/// <summary>
/// The catalogue on one <see cref="DeviceState"/>: validates each call with the reference's
/// checks (so errors read the same on every backend), computes the kernel geometry itself
/// (<see cref="DeviceGeometry"/>), uploads the inputs as float32, launches the kernels, waits for
/// them and copies the outputs back. conv1d, conv2d and dense run on the convolution kernels as
/// the layers with unit axes that they are, each pass in the kernel version <see cref="ConvPasses"/>
/// picks for the requested <see cref="KernelVersion"/>.
/// </summary>
public static class IlgpuOps
{
    /// <summary>Computes <paramref name="call"/> on <paramref name="s"/>, the convolutions in <paramref name="version"/>.</summary>
    public static IReadOnlyDictionary<string, Tensor> Evaluate(DeviceState s, OpCall call, KernelVersion version = KernelVersion.Auto)
    {
        var info = OpCatalog.Get(call.Op);
        OpCatalog.CheckInputs(info, call.Inputs);
        var a = call.Attributes;
        Tensor In(string n) => call.Inputs[n];
        Tensor? Opt(string n) => call.Inputs.TryGetValue(n, out var t) ? t : null;
        static Dictionary<string, Tensor> Y(Tensor y) => new() { ["y"] = y };
        static Dictionary<string, Tensor> Dx(Tensor dx) => new() { ["dx"] = dx };
        switch (call.Op)
        {
            case "conv1d":
            {
                ConvGeometry.Of1d(In("x"), In("w"), a);
                var p = DeviceGeometry.Conv1d(In("x").Shape, In("w").Shape, a);
                return Y(ConvForward(s, Direct(version), In("x"), In("w"), null, p, [p.M2]));
            }
            case "conv2d":
            {
                ConvGeometry.Of2d(In("x"), In("w"), a);
                var p = DeviceGeometry.Conv2d(In("x").Shape, In("w").Shape, a);
                return Y(ConvForward(s, Direct(version), In("x"), In("w"), null, p, [p.M1, p.M2]));
            }
            case "conv2d_layer":
            {
                LayerGeometry.Of(In("x"), In("w"), Opt("b"), a);
                var p = DeviceGeometry.Layer(In("x").Shape, In("w").Shape, Opt("b") != null, a);
                return Y(ConvForward(s, Layer(s, version, call), In("x"), In("w"), Opt("b"), p, [p.Batch, p.M1, p.M2, p.Cout]));
            }
            case "conv2d_layer_backward":
            {
                var g = LayerGeometry.Of(In("x"), In("w"), null, a);
                Check.Shape(In("dy"), g.OutputShape, "dy");
                var p = DeviceGeometry.Layer(In("x").Shape, In("w").Shape, false, a);
                return ConvBackward(s, Layer(s, version, call), In("x"), In("w"), In("dy"), p);
            }
            case "dense":
            {
                var (_, _, nout) = Check.Dense(In("x"), In("w"));
                if (Opt("b") is { } b) Check.Shape(b, [nout], "b");
                var p = DeviceGeometry.Dense(In("x").Shape, In("w").Shape, Opt("b") != null);
                return Y(ConvForward(s, Direct(version), In("x"), In("w"), Opt("b"), p, [p.Batch, p.Cout]));
            }
            case "dense_backward":
            {
                var (batch, _, nout) = Check.Dense(In("x"), In("w"));
                Check.Shape(In("dy"), [batch, nout], "dy");
                return ConvBackward(s, Direct(version), In("x"), In("w"), In("dy"), DeviceGeometry.Dense(In("x").Shape, In("w").Shape, false));
            }
            case "relu":
                return Y(Elementwise(s, In("x"), null));
            case "relu_backward":
                Check.Shape(In("dy"), In("x").Shape, "dy");
                return Dx(Elementwise(s, In("x"), In("dy")));
            case "max_pool2d" or "avg_pool2d":
                PoolGeometry.Of(In("x"), a);
                return Y(Pool(s, call.Op, In("x"), null, DeviceGeometry.Pool(In("x").Shape, a)));
            case "max_pool2d_backward" or "avg_pool2d_backward":
                Check.Shape(In("dy"), PoolGeometry.Of(In("x"), a).OutputShape, "dy");
                return Dx(Pool(s, call.Op, In("x"), In("dy"), DeviceGeometry.Pool(In("x").Shape, a)));
            case "flatten":
                return Y(Flatten(s, In("x")));
            case "softmax":
                return Y(Softmax(s, In("x")));
            case "softmax_cross_entropy":
                return new Dictionary<string, Tensor> { ["loss"] = CrossEntropy(s, In("x"), Check.Labels(In("x"), In("labels"))) };
            case "softmax_cross_entropy_backward":
            {
                int[] labels = Check.Labels(In("x"), In("labels"));
                float upstream = 1f;
                if (Opt("dy") is { } dy)
                {
                    if (dy.Length != 1) throw new OpArgumentException("dy", "a scalar (shape [] or [1])", $"shape {Tensor.Format(dy.Shape)}");
                    upstream = (float)dy.Data[0];
                }
                return Dx(CrossEntropyBackward(s, In("x"), labels, upstream));
            }
            default:
                throw new OpArgumentException("op", "an op this backend dispatches", $"'{call.Op}'");
        }
    }

    /// <summary>
    /// The version for conv1d, conv2d and dense: Winograd is declared for conv2d_layer only, so those
    /// ops run v4's direct GEMM (v2), or Auto without Winograd, and keep the direct bound (and the
    /// lecture's exact integers).
    /// </summary>
    private static KernelVersion Direct(KernelVersion version) => version switch
    {
        KernelVersion.V4 => KernelVersion.V2,
        KernelVersion.Auto => KernelVersion.AutoDirect,
        _ => version,
    };

    /// <summary>
    /// conv2d_layer's version: Auto's Winograd (on 256-thread groups only) leaves out calls with a NaN or ±∞
    /// input, for which its tile transforms form ∞ − ∞ where the per-term sum is ±∞ (spec/special-values.md);
    /// they run direct, so Auto supports every call. Forced v4 declares them unsupported instead.
    /// </summary>
    private static KernelVersion Layer(DeviceState s, KernelVersion version, OpCall call) =>
        version == KernelVersion.Auto && ConvGemmPlan.WideGroups(s) && call.Inputs.Values.Any(SpecialValues.AnyIn)
            ? KernelVersion.AutoDirect
            : version;

    private static Tensor ConvForward(DeviceState s, KernelVersion version, Tensor x, Tensor w, Tensor? bias, ConvShape p, int[] outputShape)
    {
        using var xd = s.Upload(x);
        using var wd = s.Upload(w);
        using var bd = bias is null ? s.Allocate(1) : s.Upload(bias);
        using var yd = s.Allocate(p.OutputLength);
        ConvPasses.Forward(s, version, xd.View, wd.View, bd.View, yd.View, p);
        return s.Download(yd, outputShape);
    }

    private static Dictionary<string, Tensor> ConvBackward(DeviceState s, KernelVersion version, Tensor x, Tensor w, Tensor dy, ConvShape p)
    {
        // The reference validated dy against its own geometry; a kernel geometry that disagrees
        // would read dy out of bounds, so it is an error of this backend, said plainly.
        if (dy.Length != p.OutputLength)
            throw new InvalidOperationException($"ilgpu geometry gives {p.OutputLength} outputs, dy has {dy.Length}");
        using var xd = s.Upload(x);
        using var wd = s.Upload(w);
        using var dyd = s.Upload(dy);
        using var dxd = s.Allocate(p.InputLength);
        using var dwd = s.Allocate(p.WeightLength);
        using var dbd = s.Allocate(p.Cout);
        ConvPasses.BackwardData(s, version, wd.View, dyd.View, dxd.View, p);
        ConvPasses.BackwardWeights(s, version, xd.View, dyd.View, dwd.View, p);
        ConvPasses.BackwardBias(s, version, dyd.View, dbd.View, p);
        return new Dictionary<string, Tensor>
        {
            ["dx"] = s.Download(dxd, x.Shape), ["dw"] = s.Download(dwd, w.Shape), ["db"] = s.Download(dbd, [p.Cout]),
        };
    }

    private static Tensor Elementwise(DeviceState s, Tensor x, Tensor? dy)
    {
        using var xd = s.Upload(x);
        using var dyd = dy is null ? null : s.Upload(dy);
        using var outd = s.Allocate(x.Length);
        if (dyd is null) s.Kernels.Relu(x.Length, xd.View, outd.View);
        else s.Kernels.ReluBackward(x.Length, xd.View, dyd.View, outd.View);
        return s.Download(outd, x.Shape);
    }

    private static Tensor Pool(DeviceState s, string op, Tensor x, Tensor? dy, PoolShape p)
    {
        using var xd = s.Upload(x);
        if (dy is null)
        {
            using var yd = s.Allocate(p.OutputLength);
            if (op == "max_pool2d") s.Kernels.MaxPool(p.OutputLength, xd.View, yd.View, p);
            else s.Kernels.AvgPool(p.OutputLength, xd.View, yd.View, p);
            return s.Download(yd, [p.Batch, p.M1, p.M2, p.Channels]);
        }
        if (dy.Length != p.OutputLength)
            throw new InvalidOperationException($"ilgpu geometry gives {p.OutputLength} outputs, dy has {dy.Length}");
        using var dyd = s.Upload(dy);
        using var dxd = s.Allocate(x.Length);
        if (op == "max_pool2d_backward") s.Kernels.MaxPoolBackward(x.Length, xd.View, dyd.View, dxd.View, p);
        else s.Kernels.AvgPoolBackward(x.Length, dyd.View, dxd.View, p);
        return s.Download(dxd, x.Shape);
    }

    private static Tensor Flatten(DeviceState s, Tensor x)
    {
        int rest = Check.Flatten(x);
        using var xd = s.Upload(x);
        using var yd = s.Allocate(x.Length);
        s.Kernels.Copy(x.Length, xd.View, yd.View);
        return s.Download(yd, [x.Shape[0], rest]);
    }

    private static Tensor Softmax(DeviceState s, Tensor x)
    {
        int classes = Check.Softmax(x);
        var p = new RowShape { Rows = x.Length / classes, Classes = classes };
        using var xd = s.Upload(x);
        using var yd = s.Allocate(x.Length);
        s.Kernels.Softmax(p.Rows, xd.View, yd.View, p);
        return s.Download(yd, x.Shape);
    }

    private static Tensor CrossEntropy(DeviceState s, Tensor x, int[] labels)
    {
        var p = new RowShape { Rows = x.Shape[0], Classes = x.Shape[1] };
        using var xd = s.Upload(x);
        using var ld = s.Upload(labels);
        using var rows = s.Allocate(p.Rows);
        using var total = s.Allocate(1);
        s.Kernels.CrossEntropyRows(p.Rows, xd.View, ld.View, rows.View, p);
        s.Kernels.Mean(1, rows.View, total.View, p);
        return s.Download(total, []);
    }

    private static Tensor CrossEntropyBackward(DeviceState s, Tensor x, int[] labels, float upstream)
    {
        var p = new RowShape { Rows = x.Shape[0], Classes = x.Shape[1], Upstream = upstream };
        using var xd = s.Upload(x);
        using var ld = s.Upload(labels);
        using var dxd = s.Allocate(x.Length);
        s.Kernels.CrossEntropyBackward(p.Rows, xd.View, ld.View, dxd.View, p);
        return s.Download(dxd, x.Shape);
    }
}

using Conformance.Core.Backends;
using Conformance.Reference;
using TorchSharp;

namespace Conformance.Backends.TorchSharp;

/// <summary>
/// The catalogue on libtorch (CPU, float32) through TorchSharp. Inputs are rounded to float32,
/// layer tensors are permuted from NHWC/HWIO to libtorch's NCHW/OIHW and back, and every
/// backward op is libtorch's autograd. Geometry (padding, output sizes) and argument errors come
/// from the reference's helpers, so only the arithmetic under test is libtorch's.
/// </summary>
public sealed class TorchBackend : IConformanceBackend
{
    /// <summary>The libtorch version of the native package this backend is built against.</summary>
    public const string LibTorchVersion = "2.10.0";

    /// <inheritdoc />
    public string Name => "torchsharp";

    /// <summary>
    /// float32 inputs and accumulation, direct summation. Deterministic: repeated calls give
    /// bitwise-equal results (libtorch's CPU kernels partition work statically; checked by the tests).
    /// </summary>
    public BackendCapabilities Capabilities { get; } = new($"cpu (libtorch {LibTorchVersion})", PrecisionClass.Fp32, Deterministic: true);

    /// <summary>
    /// Every call. A malformed one too: Evaluate reports its error, as the reference does. NaN needs
    /// no exception: libtorch's relu and max pooling propagate it, as spec/special-values.md requires.
    /// </summary>
    public Support Supports(OpCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        OpCatalog.Get(call.Op);
        return Support.Yes;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var info = OpCatalog.Get(call.Op);
        OpCatalog.CheckInputs(info, call.Inputs);
        var a = call.Attributes;
        Tensor In(string n) => call.Inputs[n];
        Tensor? Opt(string n) => call.Inputs.TryGetValue(n, out var t) ? t : null;
        static Dictionary<string, Tensor> Y(Tensor y) => new() { ["y"] = y };
        static Dictionary<string, Tensor> Dx(Tensor dx) => new() { ["dx"] = dx };
        static Dictionary<string, Tensor> Grads((Tensor Dx, Tensor Dw, Tensor Db) g) =>
            new() { ["dx"] = g.Dx, ["dw"] = g.Dw, ["db"] = g.Db };
        return call.Op switch
        {
            "conv1d" => Y(TorchConvolution.Conv1d(In("x"), In("w"), a)),
            "conv2d" => Y(TorchConvolution.Conv2d(In("x"), In("w"), a)),
            "conv2d_layer" => Y(TorchConvolution.Conv2dLayer(In("x"), In("w"), Opt("b"), a)),
            "conv2d_layer_backward" => Grads(TorchConvolution.Conv2dLayerBackward(In("x"), In("w"), In("dy"), a)),
            "relu" => Y(TorchActivationDense.Relu(In("x"))),
            "relu_backward" => Dx(TorchActivationDense.ReluBackward(In("x"), In("dy"))),
            "max_pool2d" => Y(TorchPooling.MaxPool2d(In("x"), a)),
            "max_pool2d_backward" => Dx(TorchPooling.MaxPool2dBackward(In("x"), In("dy"), a)),
            "avg_pool2d" => Y(TorchPooling.AvgPool2d(In("x"), a)),
            "avg_pool2d_backward" => Dx(TorchPooling.AvgPool2dBackward(In("x"), In("dy"), a)),
            "dense" => Y(TorchActivationDense.Dense(In("x"), In("w"), Opt("b"))),
            "dense_backward" => Grads(TorchActivationDense.DenseBackward(In("x"), In("w"), In("dy"))),
            "flatten" => Y(TorchActivationDense.Flatten(In("x"))),
            "softmax" => Y(TorchActivationDense.Softmax(In("x"))),
            "softmax_cross_entropy" => new Dictionary<string, Tensor>
            {
                ["loss"] = TorchActivationDense.SoftmaxCrossEntropy(In("x"), In("labels")),
            },
            "softmax_cross_entropy_backward" => Dx(TorchActivationDense.SoftmaxCrossEntropyBackward(In("x"), In("labels"), Opt("dy"))),
            _ => throw new OpArgumentException("op", "an op this backend dispatches", $"'{call.Op}'"),
        };
    }

    /// <summary>Nothing to release: every native tensor is disposed by the call that made it.</summary>
    public void Dispose() { }
}

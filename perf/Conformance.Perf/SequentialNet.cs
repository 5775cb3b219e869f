using Conformance.Core.Backends;
using Conformance.Core.Networks;
using Conformance.Reference;

namespace Conformance.Perf;

/// <summary>One layer of a benchmark network: a convolution (+ReLU), a max pool, flatten or a dense layer.</summary>
/// <param name="Kind">conv, pool, flatten or dense.</param>
/// <param name="Kernel">Kernel or window side.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">The padding attribute of the catalogue (same, valid or T,B,L,R).</param>
/// <param name="Units">Output channels or units.</param>
/// <param name="Relu">Whether a ReLU follows (not for the last dense layer, whose logits go to the loss).</param>
public sealed record NetLayer(string Kind, int Kernel = 0, int Stride = 1, string Padding = "valid", int Units = 0, bool Relu = true);

/// <summary>
/// A sequential network for the training-step benchmark (the lecture's CPU-vs-GPU table): forward,
/// the cross-entropy gradient, backward through every layer and an SGD update, every op through a
/// backend's catalogue calls. Weights are drawn from <see cref="CounterRandom"/> at He scale.
/// </summary>
public sealed class SequentialNet
{
    private readonly List<(NetLayer Layer, Tensor? W, Tensor? B)> _layers = [];

    /// <summary>The input shape [batch, side, side, channels].</summary>
    public int[] InputShape { get; }

    /// <summary>Multiply-adds of one forward pass (convolutions and dense layers).</summary>
    public double ForwardMacs { get; }

    /// <summary>The network's name, e.g. "alexnet 224 batch 64".</summary>
    public string Name { get; }

    /// <summary>Builds the network and its weights for input [batch, side, side, 3].</summary>
    public SequentialNet(string name, IReadOnlyList<NetLayer> layers, int batch, int side)
    {
        Name = name;
        InputShape = [batch, side, side, 3];
        int h = side, c = 3, flat = 0, stream = 0;
        double macs = 0;
        foreach (var layer in layers)
        {
            switch (layer.Kind)
            {
                case "conv":
                {
                    var w = Fill([layer.Kernel, layer.Kernel, c, layer.Units], stream++, Math.Sqrt(6.0 / (layer.Kernel * layer.Kernel * c)));
                    var geometry = LayerGeometry.Of(Tensor.Zeros(1, h, h, c), w, null, ConvAttributes(layer));
                    h = geometry.Out1.OutputSize;
                    macs += (double)h * h * layer.Units * layer.Kernel * layer.Kernel * c;
                    c = layer.Units;
                    _layers.Add((layer, w, Fill([c], stream++, 0.05)));
                    break;
                }
                case "pool":
                    h = (h - layer.Kernel) / layer.Stride + 1;
                    _layers.Add((layer, null, null));
                    break;
                case "flatten":
                    flat = h * h * c;
                    _layers.Add((layer, null, null));
                    break;
                default:
                {
                    int inputs = flat;
                    var w = Fill([inputs, layer.Units], stream++, Math.Sqrt(6.0 / inputs));
                    macs += (double)inputs * layer.Units;
                    flat = layer.Units;
                    _layers.Add((layer, w, Fill([layer.Units], stream++, 0.05)));
                    break;
                }
            }
        }
        ForwardMacs = macs * batch;
    }

    /// <summary>torchvision's AlexNet (dropout left out: it is not a catalogued op): 11×11/4, 5×5, three 3×3 convolutions, 3×3/2 max pools, three dense layers.</summary>
    public static SequentialNet AlexNet(int batch, int side) => new($"alexnet {side}×{side} batch {batch}",
    [
        new("conv", 11, 4, "2,2,2,2", 64), new("pool", 3, 2), new("conv", 5, 1, "2,2,2,2", 192), new("pool", 3, 2),
        new("conv", 3, 1, "1,1,1,1", 384), new("conv", 3, 1, "1,1,1,1", 256), new("conv", 3, 1, "1,1,1,1", 256), new("pool", 3, 2),
        new("flatten"), new("dense", Units: 4096), new("dense", Units: 4096), new("dense", Units: 1000, Relu: false),
    ], batch, side);

    /// <summary>VGG16's layers (spec/vgg16.md) on a side × side image.</summary>
    public static SequentialNet Vgg16(int batch, int side)
    {
        var layers = new List<NetLayer>();
        foreach (int[] block in new[] { new[] { 64, 64 }, [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512] })
        {
            layers.AddRange(block.Select(units => new NetLayer("conv", 3, 1, "same", units)));
            layers.Add(new NetLayer("pool", 2, 2));
        }
        layers.AddRange([new("flatten"), new("dense", Units: 4096), new("dense", Units: 4096), new("dense", Units: 1000, Relu: false)]);
        return new SequentialNet($"vgg16 {side}×{side} batch {batch}", layers, batch, side);
    }

    /// <summary>Bytes of the double activations one step keeps (inputs, pre- and post-activations), to refuse what cannot fit.</summary>
    public double ActivationBytes(Tensor input)
    {
        double bytes = 0;
        long elements = input.Length;
        int h = InputShape[1];
        foreach (var (layer, w, _) in _layers)
        {
            if (layer.Kind == "conv")
            {
                h = LayerGeometry.Of(Tensor.Zeros(1, h, h, w!.Shape[2]), w, null, ConvAttributes(layer)).Out1.OutputSize;
                elements = (long)InputShape[0] * h * h * w.Shape[3];
            }
            else if (layer.Kind == "pool") { h = (h - layer.Kernel) / layer.Stride + 1; elements /= 4; }
            bytes += 3.0 * elements * sizeof(double);
        }
        return bytes;
    }

    /// <summary>One SGD step on <paramref name="backend"/>: forward, loss gradient, backward, w −= lr·dw.</summary>
    public void TrainingStep(IConformanceBackend backend, Tensor input, Tensor labels, double learningRate = 1e-3)
    {
        var inputs = new List<Tensor>();
        var preActivations = new List<Tensor?>();
        Tensor x = input;
        foreach (var (layer, w, b) in _layers)
        {
            inputs.Add(x);
            Tensor? z = null;
            switch (layer.Kind)
            {
                case "conv": z = Call(backend, "conv2d_layer", ConvAttributes(layer), ("x", x), ("w", w!), ("b", b!)); break;
                case "dense": z = Call(backend, "dense", OpAttributes.Default, ("x", x), ("w", w!), ("b", b!)); break;
                case "pool": x = Call(backend, "max_pool2d", PoolAttributes(layer), ("x", x)); break;
                default: x = Call(backend, "flatten", OpAttributes.Default, ("x", x)); break;
            }
            preActivations.Add(z);
            if (z != null) x = layer.Relu ? Call(backend, "relu", OpAttributes.Default, ("x", z)) : z;
        }
        Tensor dy = Call(backend, "softmax_cross_entropy_backward", OpAttributes.Default, ("x", x), ("labels", labels));
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            var (layer, w, b) = _layers[i];
            switch (layer.Kind)
            {
                case "pool": dy = Call(backend, "max_pool2d_backward", PoolAttributes(layer), ("x", inputs[i]), ("dy", dy)); break;
                case "flatten": dy = dy.Reshape(inputs[i].Shape); break;
                default:
                {
                    if (layer.Relu) dy = Call(backend, "relu_backward", OpAttributes.Default, ("x", preActivations[i]!), ("dy", dy));
                    string op = layer.Kind == "conv" ? "conv2d_layer_backward" : "dense_backward";
                    var attrs = layer.Kind == "conv" ? ConvAttributes(layer) : OpAttributes.Default;
                    var grads = Evaluate(backend, new OpCall(op, new Dictionary<string, Tensor> { ["x"] = inputs[i], ["w"] = w!, ["dy"] = dy }, attrs));
                    Sgd(w!, grads["dw"], learningRate);
                    Sgd(b!, grads["db"], learningRate);
                    dy = grads["dx"];
                    break;
                }
            }
        }
    }

    /// <summary>Random labels and a random input of <see cref="InputShape"/> (seeded: every run times the same data).</summary>
    public (Tensor Input, Tensor Labels) Data() =>
        (Fill(InputShape, 1000, 1.0), new Tensor([InputShape[0]], Enumerable.Range(0, InputShape[0]).Select(i => (double)(i * 37 % 1000)).ToArray()));

    /// <summary>Every catalogued op a step calls, for the backend's Supports check.</summary>
    public static readonly IReadOnlyList<string> Ops =
        ["conv2d_layer", "conv2d_layer_backward", "relu", "relu_backward", "max_pool2d", "max_pool2d_backward", "flatten",
         "dense", "dense_backward", "softmax_cross_entropy_backward"];

    private static OpAttributes ConvAttributes(NetLayer l) =>
        OpAttributes.Default with { Padding = Reference.Padding.Parse(l.Padding), Strides = Pair.Of(l.Stride) };

    private static OpAttributes PoolAttributes(NetLayer l) => OpAttributes.Default with { Pool = Pair.Of(l.Kernel), Strides = Pair.Of(l.Stride) };

    private static Tensor Call(IConformanceBackend backend, string op, OpAttributes attrs, params (string Name, Tensor Value)[] inputs) =>
        Evaluate(backend, new OpCall(op, inputs.ToDictionary(i => i.Name, i => i.Value), attrs))[OpCatalog.Get(op).Outputs[0]];

    private static IReadOnlyDictionary<string, Tensor> Evaluate(IConformanceBackend backend, OpCall call)
    {
        var support = backend.Supports(call);
        if (!support.IsSupported) throw new NotSupportedException($"{call.Op}: {support.Reason}");
        return backend.Evaluate(call);
    }

    private static void Sgd(Tensor w, Tensor dw, double rate)
    {
        // Kept in float32, as a backend's weights are.
        for (int i = 0; i < w.Length; i++) w.Data[i] = (float)(w.Data[i] - rate * dw.Data[i]);
    }

    /// <summary>A tensor of float32 values uniform on (−limit, limit) from the counter-based generator.</summary>
    public static Tensor Fill(int[] shape, int stream, double limit)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = CounterRandom.Symmetric(99, stream, i, limit);
        return t;
    }
}

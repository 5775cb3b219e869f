using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>One layer's weights: the kernel (HWIO or [in, out]) and the bias, as float32 values held in doubles.</summary>
public sealed record LayerWeights(Tensor Kernel, Tensor Bias);

/// <summary>
/// The weights of every VGG16 layer, by Keras layer name. <see cref="Synthetic"/> makes the
/// reproducible weights of spec/vgg16.md; Keras files load through Vgg16H5 (the CLI's --weights).
/// </summary>
public sealed class Vgg16Weights
{
    /// <summary>The seed of the committed goldens.</summary>
    public const ulong DefaultSeed = 2014;

    /// <summary>Bias limit: biases are uniform on (−0.05, 0.05), small but non-zero.</summary>
    public const double BiasLimit = 0.05;

    /// <summary>
    /// block1_conv1's kernel limit is He-uniform's divided by 128: the preprocessed image has
    /// values of order 100 (pixels minus the ImageNet means), and this keeps block1's activations of order one.
    /// </summary>
    public const double InputGain = 1.0 / 128;

    /// <summary>
    /// predictions' kernel limit is He-uniform's times 4, so the logits spread over several units
    /// and the top-5 classes are separated by far more than any fp32 rounding.
    /// </summary>
    public const double LogitGain = 4;

    private readonly Dictionary<string, LayerWeights> _layers;

    /// <summary>Creates weights from a complete layer → weights map (every weighted layer, Keras shapes).</summary>
    public Vgg16Weights(IReadOnlyDictionary<string, LayerWeights> layers, string description)
    {
        _layers = new Dictionary<string, LayerWeights>();
        foreach (var layer in Vgg16.WeightedLayers)
        {
            if (!layers.TryGetValue(layer.Name, out var w))
                throw new OpArgumentException("weights", $"a kernel and bias for layer {layer.Name}", "none");
            Check.Shape(w.Kernel, layer.KernelShape!, $"{layer.Name} kernel");
            Check.Shape(w.Bias, [layer.Units], $"{layer.Name} bias");
            _layers[layer.Name] = w;
        }
        Description = description;
    }

    /// <summary>Where the weights come from, e.g. "synthetic (seed 2014, spec/vgg16.md)".</summary>
    public string Description { get; }

    /// <summary>True for the generated weights, whose class indices mean nothing.</summary>
    public bool IsSynthetic { get; private init; }

    /// <summary>The weights of one layer.</summary>
    public LayerWeights this[string layer] => _layers.TryGetValue(layer, out var w)
        ? w
        : throw new OpArgumentException("layer", "a VGG16 layer with weights", $"'{layer}'");

    /// <summary>
    /// Stream numbers of spec/vgg16.md: the i-th weighted layer (0 = block1_conv1 … 15 =
    /// predictions) draws its kernel from stream 2i and its bias from stream 2i + 1.
    /// </summary>
    public static (int Kernel, int Bias) Streams(int weightedLayerIndex) => (2 * weightedLayerIndex, 2 * weightedLayerIndex + 1);

    /// <summary>The kernel limit of spec/vgg16.md: He-uniform √(6 / fan_in), times the layer's gain.</summary>
    public static double KernelLimit(Vgg16Layer layer) => Math.Sqrt(6.0 / layer.FanIn) * layer.Name switch
    {
        "block1_conv1" => InputGain,
        "predictions" => LogitGain,
        _ => 1.0,
    };

    /// <summary>The synthetic weights for <paramref name="seed"/>; element i of a tensor is its row-major offset.</summary>
    public static Vgg16Weights Synthetic(ulong seed = DefaultSeed)
    {
        var layers = new Dictionary<string, LayerWeights>();
        for (int l = 0; l < Vgg16.WeightedLayers.Count; l++)
        {
            var layer = Vgg16.WeightedLayers[l];
            var (ks, bs) = Streams(l);
            double limit = KernelLimit(layer);
            var kernel = Tensor.Zeros(layer.KernelShape!);
            // Each element is a pure function of its index, so the parallel fill is deterministic.
            Parallel.For(0, (kernel.Length + 65535) / 65536, chunk =>
            {
                int end = Math.Min(kernel.Length, (chunk + 1) * 65536);
                for (int i = chunk * 65536; i < end; i++) kernel.Data[i] = CounterRandom.Symmetric(seed, ks, i, limit);
            });
            var bias = Tensor.Zeros(layer.Units);
            for (int i = 0; i < bias.Length; i++) bias.Data[i] = CounterRandom.Symmetric(seed, bs, i, BiasLimit);
            layers[layer.Name] = new LayerWeights(kernel, bias);
        }
        return new Vgg16Weights(layers, $"synthetic (seed {seed}, spec/vgg16.md)") { IsSynthetic = true };
    }
}

namespace Conformance.Core.Networks;

/// <summary>What a Keras layer of VGG16 computes.</summary>
public enum LayerKind
{
    /// <summary>The image, 224×224×3 NHWC.</summary>
    Input,
    /// <summary>Conv2D 3×3, padding="same", stride 1, bias, ReLU.</summary>
    Conv,
    /// <summary>MaxPooling2D 2×2, stride 2.</summary>
    Pool,
    /// <summary>Flatten, channels_last (NHWC row-major) order.</summary>
    Flatten,
    /// <summary>Dense with bias and ReLU (fc1, fc2) or softmax (predictions).</summary>
    Dense,
}

/// <summary>
/// One Keras layer of VGG16: its name, kind, output shape (without the batch axis) and, for
/// layers with weights, the kernel shape (HWIO for convolutions, [in, out] for dense).
/// </summary>
public sealed record Vgg16Layer(string Name, LayerKind Kind, int[] OutputShape, int[]? KernelShape = null)
{
    /// <summary>The number of trainable parameters (kernel and bias), as model.summary() counts them.</summary>
    public long Parameters => KernelShape == null ? 0 : KernelShape.Aggregate(1L, (a, d) => a * d) + KernelShape[^1];

    /// <summary>Inputs summed into one output before the bias (Keras' fan_in): 3·3·Cin or the dense input width.</summary>
    public int FanIn => KernelShape == null ? 0 : KernelShape[..^1].Aggregate(1, (a, d) => a * d);

    /// <summary>The output channels or units (the bias length).</summary>
    public int Units => KernelShape?[^1] ?? 0;

    /// <summary>The Keras class of the layer, as model.summary() prints it.</summary>
    public string KerasType => Kind switch
    {
        LayerKind.Input => "InputLayer",
        LayerKind.Conv => "Conv2D",
        LayerKind.Pool => "MaxPooling2D",
        LayerKind.Flatten => "Flatten",
        _ => "Dense",
    };

    /// <summary>The activation the layer applies after its linear part: "relu", "softmax" or none.</summary>
    public string? Activation => Kind switch
    {
        LayerKind.Conv => "relu",
        LayerKind.Dense => Name == "predictions" ? "softmax" : "relu",
        _ => null,
    };
}

/// <summary>
/// VGG16 exactly as Keras' <c>VGG16(include_top=True)</c> builds it (spec/vgg16.md): five blocks
/// of 3×3 same convolutions with ReLU, each closed by 2×2/2 max pooling, then flatten, fc1, fc2
/// (4096, ReLU) and predictions (1000, softmax). Layer names are Keras'.
/// </summary>
public static class Vgg16
{
    /// <summary>The image side Keras' VGG16 expects.</summary>
    public const int ImageSize = 224;

    /// <summary>The number of ImageNet classes.</summary>
    public const int Classes = 1000;

    /// <summary>Keras' total parameter count for VGG16 with its top (the lecture's model.summary()).</summary>
    public const long TotalParameters = 138_357_544;

    /// <summary>Every layer in order, the input first.</summary>
    public static IReadOnlyList<Vgg16Layer> Layers { get; } = Build();

    /// <summary>The layers that have weights (13 convolutions, 3 dense), in order.</summary>
    public static IReadOnlyList<Vgg16Layer> WeightedLayers { get; } = Layers.Where(l => l.KernelShape != null).ToList();

    /// <summary>Finds a layer by its Keras name, or throws an error listing the names.</summary>
    public static Vgg16Layer Get(string name, string argument = "layer") =>
        Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new Conformance.Reference.OpArgumentException(argument,
            "a VGG16 layer name (" + string.Join(", ", Layers.Select(l => l.Name)) + ")", $"'{name}'");

    private static List<Vgg16Layer> Build()
    {
        var layers = new List<Vgg16Layer> { new("input_1", LayerKind.Input, [ImageSize, ImageSize, 3]) };
        int side = ImageSize, channels = 3;
        int[][] blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        for (int b = 0; b < blocks.Length; b++)
        {
            for (int c = 0; c < blocks[b].Length; c++)
            {
                int cout = blocks[b][c];
                layers.Add(new($"block{b + 1}_conv{c + 1}", LayerKind.Conv, [side, side, cout], [3, 3, channels, cout]));
                channels = cout;
            }
            side /= 2;
            layers.Add(new($"block{b + 1}_pool", LayerKind.Pool, [side, side, channels]));
        }
        int flat = side * side * channels;
        layers.Add(new("flatten", LayerKind.Flatten, [flat]));
        layers.Add(new("fc1", LayerKind.Dense, [4096], [flat, 4096]));
        layers.Add(new("fc2", LayerKind.Dense, [4096], [4096, 4096]));
        layers.Add(new("predictions", LayerKind.Dense, [Classes], [4096, Classes]));
        return layers;
    }
}

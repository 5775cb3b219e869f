using Conformance.Reference;
using PureHDF;

namespace Conformance.Core.Networks;

/// <summary>
/// Loads Keras 2 VGG16 weights from an HDF5 file (PureHDF, no native HDF5 library). Keras keeps
/// one group per layer, named as the layer (block1_conv1 … predictions), holding the kernel and
/// the bias datasets, in one of these layouts:
/// <list type="bullet">
/// <item><c>/block1_conv1/block1_conv1/kernel:0</c> and <c>bias:0</c>: <c>model.save_weights("x.h5")</c>;</item>
/// <item>the same under <c>/model_weights/</c>: a full-model <c>model.save("x.h5")</c>;</item>
/// <item><c>/block1_conv1/block1_conv1_W_1:0</c> and <c>block1_conv1_b_1:0</c>: the file Keras'
/// applications download (vgg16_weights_tf_dim_ordering_tf_kernels.h5).</item>
/// </list>
/// The kernel is the dataset under the layer's group whose name starts with "kernel" or has a
/// "_W" part, the bias the one that starts with "bias" or has a "_b" part. Values are float32 (or
/// float64), kernels HWIO for convolutions and [in, out] for dense layers. Keras 3's
/// <c>.weights.h5</c> (<c>/layers/…/vars/0</c>) is not read: its groups are not named by layer.
/// </summary>
public static class Vgg16H5
{
    /// <summary>Reads every weighted VGG16 layer from <paramref name="path"/>.</summary>
    /// <param name="path">The .h5 file.</param>
    /// <param name="argument">The argument named in errors (the CLI's --weights).</param>
    public static Vgg16Weights Load(string path, string argument = "weights")
    {
        var layers = ReadLayers(path, Vgg16.WeightedLayers, argument);
        return new Vgg16Weights(layers, $"Keras weights from {Path.GetFileName(path)}");
    }

    /// <summary>
    /// Reads the kernel and bias of each of <paramref name="layers"/> from <paramref name="path"/>
    /// and checks their shapes against the layer's. Any problem (no such file, not HDF5, a layer
    /// or dataset missing, a wrong shape or type) is an <see cref="OpArgumentException"/> naming
    /// <paramref name="argument"/>, the file and the layer.
    /// </summary>
    public static Dictionary<string, LayerWeights> ReadLayers(string path, IEnumerable<Vgg16Layer> layers, string argument = "weights")
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(layers);
        if (!File.Exists(path))
            throw new OpArgumentException(argument, "an existing Keras .h5 weights file", $"'{path}' (no such file)");
        IDisposable file;
        IH5Group root;
        try
        {
            var native = H5File.OpenRead(path);
            file = native;
            root = native;
        }
        catch (Exception e) when (e is not OpArgumentException)
        {
            throw new OpArgumentException(argument, "a Keras .h5 weights file (HDF5)", $"'{path}', which is not readable as HDF5 ({e.Message})");
        }
        using (file)
        {
            var weightsRoot = root.LinkExists("model_weights") ? root.Group("model_weights") : root;
            var result = new Dictionary<string, LayerWeights>();
            foreach (var layer in layers)
            {
                if (layer.KernelShape == null)
                    throw new ArgumentException($"layer {layer.Name} has no weights", nameof(layers));
                result[layer.Name] = ReadLayer(weightsRoot, layer, path, argument);
            }
            return result;
        }
    }

    private static LayerWeights ReadLayer(IH5Group root, Vgg16Layer layer, string path, string argument)
    {
        string where = $"'{path}', layer {layer.Name}";
        if (!root.LinkExists(layer.Name) || root.Get(layer.Name) is not IH5Group group)
        {
            string hint = root.LinkExists("layers") ? " (this looks like a Keras 3 .weights.h5, which is not supported)" : "";
            throw new OpArgumentException(argument, $"a Keras weights file with a group for every VGG16 layer",
                $"{where}: no group '{layer.Name}'{hint}");
        }
        var datasets = new List<IH5Dataset>();
        Collect(group, datasets, depth: 0);
        var kernel = datasets.FirstOrDefault(d => IsKernel(Leaf(d.Name)))
            ?? throw new OpArgumentException(argument, "a kernel dataset (kernel:0) under each layer's group", $"{where}: none among {Names(datasets)}");
        var bias = datasets.FirstOrDefault(d => IsBias(Leaf(d.Name)))
            ?? throw new OpArgumentException(argument, "a bias dataset (bias:0) under each layer's group", $"{where}: none among {Names(datasets)}");
        return new LayerWeights(
            ReadTensor(kernel, layer.KernelShape!, $"{where} kernel", argument),
            ReadTensor(bias, [layer.Units], $"{where} bias", argument));
    }

    /// <summary>The datasets under <paramref name="group"/>, its subgroups included (Keras nests one level).</summary>
    private static void Collect(IH5Group group, List<IH5Dataset> datasets, int depth)
    {
        foreach (var child in group.Children())
        {
            if (child is IH5Dataset d) datasets.Add(d);
            else if (child is IH5Group g && depth < 3) Collect(g, datasets, depth + 1);
        }
    }

    private static string Leaf(string name) => name[(name.LastIndexOf('/') + 1)..];

    private static bool IsKernel(string name) =>
        name.StartsWith("kernel", StringComparison.Ordinal) || name.Contains("_W_", StringComparison.Ordinal) || name.Contains("_W:", StringComparison.Ordinal);

    private static bool IsBias(string name) =>
        name.StartsWith("bias", StringComparison.Ordinal) || name.Contains("_b_", StringComparison.Ordinal) || name.Contains("_b:", StringComparison.Ordinal);

    private static string Names(List<IH5Dataset> datasets) =>
        datasets.Count == 0 ? "no datasets" : string.Join(", ", datasets.Select(d => $"'{Leaf(d.Name)}'"));

    private static Tensor ReadTensor(IH5Dataset dataset, int[] shape, string what, string argument)
    {
        int[] actual = dataset.Space.Dimensions.Select(d => d > int.MaxValue ? -1 : (int)d).ToArray();
        if (!actual.SequenceEqual(shape))
            throw new OpArgumentException(argument, $"{Tensor.Format(shape)} for the {what.Split(' ')[^1]}",
                $"{Tensor.Format(actual)} in {what}");
        var type = dataset.Type;
        if (type.Class != H5DataTypeClass.FloatingPoint || (type.Size != 4 && type.Size != 8))
            throw new OpArgumentException(argument, "float32 or float64 values", $"{type.Class} of {type.Size} bytes in {what}");
        var t = Tensor.Zeros(shape);
        if (type.Size == 4)
        {
            float[] values = dataset.Read<float[]>();
            for (int i = 0; i < values.Length; i++) t.Data[i] = values[i];
        }
        else
        {
            double[] values = dataset.Read<double[]>();
            Array.Copy(values, t.Data, values.Length);
        }
        return t;
    }
}

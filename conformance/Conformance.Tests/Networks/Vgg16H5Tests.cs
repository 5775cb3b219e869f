using Conformance.Core.Networks;
using Conformance.Reference;
using PureHDF;
using Xunit;

namespace Conformance.Tests.Networks;

/// <summary>
/// Vgg16H5 on small files this test writes in Keras' layouts with PureHDF. A file with all 16
/// layers at their real shapes would be 528 MB, so the values are checked layer by layer
/// (ReadLayers) and the full Load only for its failure on a missing layer.
/// </summary>
public sealed class Vgg16H5Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-h5-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private static readonly Vgg16Layer Conv1 = Vgg16.Get("block1_conv1"), Conv2 = Vgg16.Get("block1_conv2");

    /// <summary>Random float32 values of <paramref name="shape"/>, as stored and as expected back.</summary>
    private static (float[] Stored, double[] Expected) Values(Random rng, params int[] shape)
    {
        var stored = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < stored.Length; i++) stored[i] = (float)(rng.NextDouble() * 2 - 1);
        return (stored, stored.Select(v => (double)v).ToArray());
    }

    private static H5Dataset Dataset(float[] data, int[] shape) => new(data, fileDims: shape.Select(d => (ulong)d).ToArray());

    /// <summary>A layer group as model.save_weights writes it: /name/name/kernel:0 and bias:0.</summary>
    private static H5Group Keras2Layer(string name, float[] kernel, int[] kernelShape, float[] bias) => new()
    {
        [name] = new H5Group
        {
            ["kernel:0"] = Dataset(kernel, kernelShape),
            ["bias:0"] = Dataset(bias, [bias.Length]),
        },
    };

    private string Write(string name, H5File file)
    {
        string path = Path.Combine(_dir, name);
        file.Write(path);
        return path;
    }

    [Fact]
    public void Keras2SaveWeightsLayoutRoundTripsValuesExactly()
    {
        var rng = new Random(1);
        var (k1, k1e) = Values(rng, Conv1.KernelShape!);
        var (b1, b1e) = Values(rng, 64);
        var (k2, k2e) = Values(rng, Conv2.KernelShape!);
        var (b2, b2e) = Values(rng, 64);
        string path = Write("weights.h5", new H5File
        {
            ["block1_conv1"] = Keras2Layer("block1_conv1", k1, Conv1.KernelShape!, b1),
            ["block1_conv2"] = Keras2Layer("block1_conv2", k2, Conv2.KernelShape!, b2),
        });

        var layers = Vgg16H5.ReadLayers(path, [Conv1, Conv2]);

        Assert.Equal(Conv1.KernelShape, layers["block1_conv1"].Kernel.Shape);
        Assert.Equal(k1e, layers["block1_conv1"].Kernel.Data);
        Assert.Equal(b1e, layers["block1_conv1"].Bias.Data);
        Assert.Equal(Conv2.KernelShape, layers["block1_conv2"].Kernel.Shape);
        Assert.Equal(k2e, layers["block1_conv2"].Kernel.Data);
        Assert.Equal(b2e, layers["block1_conv2"].Bias.Data);
    }

    [Fact]
    public void FullModelSaveAndApplicationsFileNamesAreRead()
    {
        // model.save("x.h5") puts the layers under /model_weights; Keras' applications file names
        // its datasets block1_conv1_W_1:0 and block1_conv1_b_1:0, directly under the layer's group.
        var rng = new Random(2);
        var (k, ke) = Values(rng, Conv1.KernelShape!);
        var (b, be) = Values(rng, 64);
        string path = Write("model.h5", new H5File
        {
            ["model_weights"] = new H5Group
            {
                ["block1_conv1"] = new H5Group
                {
                    ["block1_conv1_W_1:0"] = Dataset(k, Conv1.KernelShape!),
                    ["block1_conv1_b_1:0"] = Dataset(b, [64]),
                },
            },
        });

        var w = Vgg16H5.ReadLayers(path, [Conv1])["block1_conv1"];

        Assert.Equal(ke, w.Kernel.Data);
        Assert.Equal(be, w.Bias.Data);
    }

    [Fact]
    public void AKernelOfTheWrongShapeIsAnErrorNamingFileAndLayer()
    {
        var rng = new Random(3);
        var (k1, _) = Values(rng, Conv1.KernelShape!);
        var (k2, _) = Values(rng, 3, 3, 64, 32);
        var (b, _) = Values(rng, 64);
        string path = Write("wrong.h5", new H5File
        {
            ["block1_conv1"] = Keras2Layer("block1_conv1", k1, Conv1.KernelShape!, b),
            ["block1_conv2"] = Keras2Layer("block1_conv2", k2, [3, 3, 64, 32], b),
        });

        var e = Assert.Throws<OpArgumentException>(() => Vgg16H5.ReadLayers(path, [Conv1, Conv2], "--weights"));

        Assert.Equal("--weights", e.ParamName);
        Assert.Contains("wrong.h5", e.Message);
        Assert.Contains("layer block1_conv2 kernel", e.Message);
        Assert.Contains("[3, 3, 64, 64]", e.Message);
        Assert.Contains("[3, 3, 64, 32]", e.Message);
    }

    [Fact]
    public void AMissingLayerIsAnErrorNamingFileAndLayer()
    {
        var rng = new Random(4);
        var (k, _) = Values(rng, Conv1.KernelShape!);
        var (b, _) = Values(rng, 64);
        string path = Write("partial.h5", new H5File { ["block1_conv1"] = Keras2Layer("block1_conv1", k, Conv1.KernelShape!, b) });

        var e = Assert.Throws<OpArgumentException>(() => Vgg16H5.Load(path));

        Assert.Contains("partial.h5", e.Message);
        Assert.Contains("block1_conv2", e.Message);
    }

    [Fact]
    public void AMissingBiasIsAnErrorNamingTheLayer()
    {
        var (k, _) = Values(new Random(5), Conv1.KernelShape!);
        string path = Write("nobias.h5", new H5File
        {
            ["block1_conv1"] = new H5Group { ["block1_conv1"] = new H5Group { ["kernel:0"] = Dataset(k, Conv1.KernelShape!) } },
        });

        var e = Assert.Throws<OpArgumentException>(() => Vgg16H5.ReadLayers(path, [Conv1]));

        Assert.Contains("block1_conv1", e.Message);
        Assert.Contains("bias", e.Message);
    }

    [Fact]
    public void AFileThatIsNotHdf5OrDoesNotExistIsAnError()
    {
        string text = Path.Combine(_dir, "text.h5");
        File.WriteAllText(text, "not an HDF5 file at all");
        var e = Assert.Throws<OpArgumentException>(() => Vgg16H5.ReadLayers(text, [Conv1], "--weights"));
        Assert.Contains("text.h5", e.Message);

        e = Assert.Throws<OpArgumentException>(() => Vgg16H5.Load(Path.Combine(_dir, "none.h5"), "--weights"));
        Assert.Contains("none.h5", e.Message);
    }
}

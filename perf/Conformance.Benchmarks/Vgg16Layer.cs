using BenchmarkDotNet.Attributes;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Reference;

namespace Conformance.Benchmarks;

/// <summary>
/// The shared parameters of the adapter-overhead benchmarks: one VGG16 conv layer
/// (<see cref="CaseCatalog.Vgg16Convs"/>: 3×3, same, stride 1, bias) at batch 1, its image side
/// divided by <see cref="Scale"/> as the suite's default "vgg16" group does (at least 2), and the
/// catalogue call with seeded random double inputs in NHWC/HWIO.
/// </summary>
public abstract class Vgg16Layer
{
    /// <summary>The layer's name in <see cref="CaseCatalog.Vgg16Convs"/>.</summary>
    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "";

    /// <summary>The divisor of the image side (1: the real network).</summary>
    [ParamsSource(nameof(Scales))]
    public int Scale { get; set; }

    /// <summary>Every VGG16 conv layer name.</summary>
    public static IEnumerable<string> Layers => CaseCatalog.Vgg16Convs.Select(l => l.Name);

    /// <summary>The scales the command line asked for.</summary>
    public static IEnumerable<int> Scales => BenchmarkSettings.Scales;

    /// <summary>Image side after scaling.</summary>
    protected int Side { get; private set; }

    /// <summary>Input channels.</summary>
    protected int Cin { get; private set; }

    /// <summary>Output channels.</summary>
    protected int Cout { get; private set; }

    /// <summary>The catalogue call the adapters evaluate: x NHWC [1,n,n,Cin], w HWIO [3,3,Cin,Cout], b [Cout].</summary>
    protected OpCall Call { get; private set; } = null!;

    /// <summary>Picks the layer and draws its inputs (fixed seed per layer, so every run sees the same values).</summary>
    protected void SetupLayer()
    {
        int index = CaseCatalog.Vgg16Convs.Select(l => l.Name).ToList().IndexOf(Layer);
        if (index < 0) throw new ArgumentException($"no VGG16 conv layer named {Layer}");
        var (_, size, cin, cout) = CaseCatalog.Vgg16Convs[index];
        Side = Math.Max(2, (size + Scale - 1) / Scale);
        Cin = cin;
        Cout = cout;
        var rng = new Random(1000 + index);
        double scale = Math.Sqrt(2.0 / (9 * cin));
        var x = Random(rng, [1, Side, Side, cin], 1.0);
        var w = Random(rng, [3, 3, cin, cout], scale);
        var b = Random(rng, [cout], 0.1);
        var attrs = new OpAttributes { Padding = Padding.Same };
        Call = new OpCall("conv2d_layer", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w, ["b"] = b }, attrs);
    }

    private static Tensor Random(Random rng, int[] shape, double scale)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (rng.NextDouble() * 2 - 1) * scale;
        return t;
    }
}

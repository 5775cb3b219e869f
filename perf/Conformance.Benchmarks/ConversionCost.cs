using BenchmarkDotNet.Attributes;
using Conformance.Core.Backends;

namespace Conformance.Benchmarks;

/// <summary>
/// The contract's own cost per VGG16 layer, without any library: rounding the double NHWC input
/// and HWIO kernel to float in NCHW/OIHW, and widening an NCHW float output back to NHWC double
/// (<see cref="FloatLayout"/>, what both adapters now use). Compare with the raw calls'
/// times in <see cref="TorchAdapterOverhead"/> and <see cref="OnnxAdapterOverhead"/>.
/// </summary>
public class ConversionCost : Vgg16Layer
{
    private float[] _y = null!;

    /// <summary>Draws the layer and a float output of the layer's shape.</summary>
    [GlobalSetup]
    public void Setup()
    {
        SetupLayer();
        _y = new float[Cout * Side * Side];
        for (int i = 0; i < _y.Length; i++) _y[i] = i % 977 * 0.001f;
    }

    /// <summary>x: NHWC double → NCHW float.</summary>
    [Benchmark]
    public float[] Input() => FloatLayout.NhwcToNchw(Call.Inputs["x"]);

    /// <summary>w: HWIO double → OIHW float (and b rounded).</summary>
    [Benchmark]
    public float[] Kernel()
    {
        FloatLayout.ToFloat(Call.Inputs["b"]);
        return FloatLayout.HwioToOihw(Call.Inputs["w"]);
    }

    /// <summary>y: NCHW float → NHWC double.</summary>
    [Benchmark]
    public Reference.Tensor Output() => FloatLayout.NchwToNhwc(_y, 1, Cout, Side, Side);
}

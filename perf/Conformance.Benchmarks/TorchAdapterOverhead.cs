using BenchmarkDotNet.Attributes;
using Conformance.Core.Backends;
using Conformance.Backends.TorchSharp;
using TorchSharp;
using F = TorchSharp.torch.nn.functional;

namespace Conformance.Benchmarks;

/// <summary>
/// torchsharp's adapter overhead on conv2d_layer (forward) per VGG16 layer.
/// <para>
/// Baseline, the raw library call: data already in libtorch in its own layout (NCHW x, OIHW w, b,
/// float32 tensors made in GlobalSetup), <c>F.conv2d(x, w, b, padding: 1)</c>, and the output read
/// back into a managed float[] (NCHW), since the adapter has to end with the values in host memory
/// too. It leaves out what the contract makes every adapter do: rounding double to float, the
/// NHWC/HWIO ↔ NCHW/OIHW moves, copying into and out of libtorch, widening to double.
/// </para>
/// <para>
/// <see cref="ContractFloor"/> adds exactly that work, done once per element (see
/// <see cref="FloatLayout"/>): the least any adapter holding to the contract could cost.
/// <see cref="Adapter"/> is the backend as the suite calls it.
/// </para>
/// </summary>
[BenchmarkCategory("torchsharp")]
public class TorchAdapterOverhead : Vgg16Layer
{
    private torch.Tensor _x = null!, _w = null!, _b = null!;

    /// <summary>Draws the layer and puts its NCHW/OIHW float copies into libtorch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        SetupLayer();
        _x = torch.tensor(FloatLayout.NhwcToNchw(Call.Inputs["x"]), [1, Cin, Side, Side], torch.float32);
        _w = torch.tensor(FloatLayout.HwioToOihw(Call.Inputs["w"]), [Cout, Cin, 3, 3], torch.float32);
        _b = torch.tensor(FloatLayout.ToFloat(Call.Inputs["b"]), [Cout], torch.float32);
    }

    /// <summary>Releases the native tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _w.Dispose();
        _b.Dispose();
    }

    /// <summary>The raw call: conv2d on tensors already in libtorch, output read back to a float[].</summary>
    [Benchmark(Baseline = true)]
    public float[] Raw()
    {
        using var y = F.conv2d(_x, _w, _b, padding: [1, 1]);
        return y.data<float>().ToArray();
    }

    /// <summary>The raw call plus the contract's unavoidable conversions, each done in one pass.</summary>
    [Benchmark]
    public Reference.Tensor ContractFloor()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(FloatLayout.NhwcToNchw(Call.Inputs["x"]), [1, Cin, Side, Side], torch.float32);
        var w = torch.tensor(FloatLayout.HwioToOihw(Call.Inputs["w"]), [Cout, Cin, 3, 3], torch.float32);
        var b = torch.tensor(FloatLayout.ToFloat(Call.Inputs["b"]), [Cout], torch.float32);
        var y = F.conv2d(x, w, b, padding: [1, 1]);
        return FloatLayout.NchwToNhwc(y.data<float>().ToArray(), 1, Cout, Side, Side);
    }

    /// <summary>The adapter: <c>new TorchBackend().Evaluate(call)</c> on the double NHWC/HWIO call.</summary>
    [Benchmark]
    public IReadOnlyDictionary<string, Reference.Tensor> Adapter() => new TorchBackend().Evaluate(Call);
}

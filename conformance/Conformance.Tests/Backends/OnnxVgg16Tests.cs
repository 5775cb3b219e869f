using System.Diagnostics;
using Conformance.Backends.OnnxRuntime;
using Conformance.Core.Networks;
using Conformance.Reference;
using Xunit;
using Xunit.Abstractions;

namespace Conformance.Tests.Backends;

/// <summary>The synthetic VGG16 weights (138M parameters, seconds to make), made once for the class.</summary>
public sealed class OnnxVgg16WeightsFixture
{
    /// <summary>The default synthetic weights, those of the committed goldens.</summary>
    public Vgg16Weights Weights { get; } = Vgg16Weights.Synthetic();
}

/// <summary>
/// Whole-network VGG16 in one ONNX Runtime session (<see cref="OnnxVgg16"/>) against the same network
/// run op by op through <see cref="OnnxRuntimeBackend"/>. Both are fp32 ONNX Runtime, but with
/// different graphs (one model vs. one model per op, fusions, layouts), so they agree closely
/// without being bitwise equal: a cross-check of the export, not the golden comparison.
/// </summary>
public sealed class OnnxVgg16Tests(OnnxVgg16WeightsFixture fixture, ITestOutputHelper output) : IClassFixture<OnnxVgg16WeightsFixture>
{
    /// <summary>
    /// fp32 rounding through 13 convolutions and 3 dense layers leaves differences of order 1e-6
    /// relative; 1e-4 is loose enough for any summation order yet far below what a wrong layout,
    /// padding or flatten order gives (order one).
    /// </summary>
    private const double RelativeL2Limit = 1e-4;

    [Fact]
    public void WholeModelAgreesWithOpByOpOnnxRuntime()
    {
        var weights = fixture.Weights;
        var image = Vgg16Images.Input(0);

        var clock = Stopwatch.StartNew();
        var whole = OnnxVgg16.Run(weights, image, ["block1_pool", "block4_conv2", "flatten", "fc1", "predictions"]);
        output.WriteLine($"whole-model run (build, write, load, infer): {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        IReadOnlyList<StepResult> steps;
        using (var backend = new OnnxRuntimeBackend()) steps = new Vgg16Runner(backend, weights).Forward(image);
        output.WriteLine($"op-by-op run: {clock.Elapsed.TotalSeconds:F1} s");
        var byStep = steps.ToDictionary(s => s.Name, s => s.Value);

        foreach (var (layer, step) in new[]
        {
            // block1_pool and flatten check the two layout turns: NCHW→NHWC outputs and Keras' flatten order.
            ("block1_pool", "block1_pool/max_pool2d"), ("block4_conv2", "block4_conv2/relu"), ("flatten", "flatten/flatten"),
            ("fc1", "fc1/relu"), ("predictions", "predictions/softmax"),
        })
        {
            var actual = whole[layer];
            var expected = byStep[step];
            Assert.Equal(expected.Shape, actual.Shape);
            double rel = RelativeL2(actual, expected);
            output.WriteLine($"{layer}: relative L2 difference {rel:E3}");
            Assert.True(rel < RelativeL2Limit, $"{layer}: relative L2 difference {rel:E3} ≥ {RelativeL2Limit:E0}");
        }

        int[] top5Whole = Top(whole["predictions"], 5);
        int[] top5Steps = Top(byStep["predictions/softmax"], 5);
        output.WriteLine($"top-5: whole {string.Join(",", top5Whole)}; op by op {string.Join(",", top5Steps)}");
        Assert.Equal(top5Steps, top5Whole);
    }

    [Fact]
    public void InputLayerIsTheFloatImageAndTheGraphStopsEarly()
    {
        // Only input_1 requested: the graph is cut after it, so no weight is converted and this is quick.
        var image = Vgg16Images.Input(1);
        var clock = Stopwatch.StartNew();
        var result = OnnxVgg16.Run(fixture.Weights, image, ["input_1", "input_1"]);
        output.WriteLine($"input_1 only: {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(["input_1"], result.Keys);
        var expected = new Tensor(image.Shape, Array.ConvertAll(image.Data, v => (double)(float)v));
        Assert.True(expected.BitwiseEquals(result["input_1"]), "input_1 is not the image rounded to float32");
    }

    [Fact]
    public void UnknownLayerNameIsAnArgumentError()
    {
        // Rejected before any weight is converted, so this costs nothing beyond the fixture.
        var e = Assert.Throws<OpArgumentException>(() =>
            OnnxVgg16.Run(fixture.Weights, Vgg16Images.Input(0), ["fc1", "block6_conv1"]));
        Assert.Equal("layers", e.ParamName);
        Assert.Contains("block6_conv1", e.Message);
    }

    /// <summary>‖a − b‖₂ / ‖b‖₂, in double; b is the op-by-op result, taken as the yardstick.</summary>
    private static double RelativeL2(Tensor a, Tensor b)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a.Data[i] - b.Data[i];
            diff += d * d;
            norm += b.Data[i] * b.Data[i];
        }
        return Math.Sqrt(diff) / Math.Sqrt(norm);
    }

    /// <summary>The indices of the k largest values, largest first (ties by lower index).</summary>
    private static int[] Top(Tensor t, int k) =>
        Enumerable.Range(0, t.Length).OrderByDescending(i => t.Data[i]).ThenBy(i => i).Take(k).ToArray();
}

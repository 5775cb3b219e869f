using Conformance.Backends.OnnxRuntime;
using Conformance.Backends.TorchSharp;
using Conformance.Core.Backends;
using Conformance.Core.Networks;
using Conformance.Reference;
using Conformance.Suite;
using Xunit;

namespace Conformance.Tests.Networks;

/// <summary>A backend that is libtorch except that flatten reads its NHWC input in channels-first (NCHW) order.</summary>
internal sealed class FlattenNchwBackend : IConformanceBackend
{
    private readonly TorchBackend _inner = new();

    public string Name => "torchsharp-flatten-nchw";

    public BackendCapabilities Capabilities => _inner.Capabilities;

    public Support Supports(OpCall call) => _inner.Supports(call);

    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call)
    {
        var result = _inner.Evaluate(call);
        return call.Op == "flatten"
            ? new Dictionary<string, Tensor> { ["y"] = ChannelsFirst(call.Inputs["x"]) }
            : result;
    }

    /// <summary>y[b, (c·H + h)·W + w] = x[b, h, w, c]: PyTorch's order applied to a Keras (NHWC) tensor.</summary>
    private static Tensor ChannelsFirst(Tensor x)
    {
        int h = x.Shape[1], w = x.Shape[2], c = x.Shape[3];
        var y = Tensor.Zeros(x.Shape[0], h * w * c);
        for (int b = 0; b < x.Shape[0]; b++)
            for (int ch = 0; ch < c; ch++)
                for (int r = 0; r < h; r++)
                    for (int col = 0; col < w; col++)
                        y[b, (ch * h + r) * w + col] = x[b, r, col, ch];
        return y;
    }

    public void Dispose() => _inner.Dispose();
}

/// <summary>The network checks catch a layout slip between layers, and an independent engine agrees with the goldens.</summary>
public sealed class Vgg16NetworkTests
{
    /// <summary>
    /// Flatten in NCHW order passes every statistic of flatten itself (a permutation keeps them),
    /// but the chained check names flatten as the first wrong layer and the goldens fail.
    /// </summary>
    [Fact]
    public void FlattenInNchwOrderFailsNamingFlatten()
    {
        var goldens = SharedGoldens.Load.Value;
        Assert.Null(goldens.Problem);
        using var backend = new FlattenNchwBackend();
        var steps = new Vgg16Runner(backend, SharedGoldens.Weights).Forward(Vgg16Images.Input(0));
        var verdict = GoldenJudge.Forward(backend.Name, goldens.Manifest, goldens.Files, 0, steps, backend.Capabilities.PrecisionOf);
        Assert.False(verdict.Passed);
        Assert.Equal("flatten/flatten", verdict.Chained.First(v => !v.Passed).Step);
        string firstGolden = verdict.Golden.First(v => !v.Passed).Step;
        Assert.Contains(firstGolden, new[] { "flatten/flatten", "fc1/dense" });
        Assert.Contains("first layer wrong on its own inputs (chained check): flatten/flatten", verdict.Describe());
        // Every layer before it is still right.
        int flatten = steps.ToList().FindIndex(s => s.Name == "flatten/flatten");
        Assert.All(verdict.Chained.Take(flatten), v => Assert.True(v.Passed, v.Detail));
    }

    /// <summary>
    /// An independent engine: the whole network exported to one ONNX model and run by ONNX Runtime
    /// matches the goldens' block4_conv2, fc1 and predictions within the network tolerance, with the same top-5.
    /// </summary>
    [Fact]
    public void WholeOnnxModelMatchesTheGoldens()
    {
        var goldens = SharedGoldens.Load.Value;
        Assert.Null(goldens.Problem);
        using var backend = new OnnxRuntimeBackend();
        for (int image = 0; image < Vgg16Images.Names.Count; image++)
        {
            var input = Vgg16Images.Input(image);
            var outputs = OnnxVgg16.Run(SharedGoldens.Weights, input, ["block4_conv2", "fc1", "predictions"]);
            // The tolerance of each output is the network tolerance of the same layer run op by op on the same engine.
            var steps = new Vgg16Runner(backend, SharedGoldens.Weights).Forward(input);
            var tolerance = GoldenJudge.Tolerances(goldens.Manifest, goldens.Files, image, steps, _ => PrecisionClass.Fp32);
            string dir = Vgg16Golden.ImageFolder(image);
            foreach (var (layer, step) in new[] { ("block4_conv2", "block4_conv2/relu"), ("fc1", "fc1/relu"), ("predictions", "predictions/softmax") })
            {
                var golden = goldens.Files[$"{dir}/{layer}.npy"];
                Assert.Equal(golden.Shape, outputs[layer].Shape);
                double deviation = NetworkTolerance.Norm(new Tensor(golden.Shape, golden.Data.Zip(outputs[layer].Data, (g, a) => a - g).ToArray()));
                Assert.True(deviation <= tolerance[step], $"{Vgg16Images.Names[image]} {layer}: ‖onnx − golden‖ = {deviation:G3} > {tolerance[step]:G3}");
            }
            var expectedTop5 = goldens.Files[$"{dir}/top5.npy"].Data.Select(v => (int)v);
            Assert.Equal(expectedTop5, Vgg16Golden.TopK(outputs["predictions"], 5));
        }
    }
}

using Conformance.Core.Networks;
using Conformance.Tests.Cli;
using Xunit;

namespace Conformance.Tests.Networks;

/// <summary><c>conformance vgg16 summary</c> against the lecture's model.summary() table, row by row.</summary>
public sealed class Vgg16SummaryTests
{
    /// <summary>The lecture's table (shared/seed/lecture-10-cnn.txt, "Display the Network"), the input row aside.</summary>
    private static readonly (string Layer, string Shape, long Params)[] Lecture =
    [
        ("block1_conv1 (Conv2D)", "(None, 224, 224, 64)", 1792),
        ("block1_conv2 (Conv2D)", "(None, 224, 224, 64)", 36928),
        ("block1_pool (MaxPooling2D)", "(None, 112, 112, 64)", 0),
        ("block2_conv1 (Conv2D)", "(None, 112, 112, 128)", 73856),
        ("block2_conv2 (Conv2D)", "(None, 112, 112, 128)", 147584),
        ("block2_pool (MaxPooling2D)", "(None, 56, 56, 128)", 0),
        ("block3_conv1 (Conv2D)", "(None, 56, 56, 256)", 295168),
        ("block3_conv2 (Conv2D)", "(None, 56, 56, 256)", 590080),
        ("block3_conv3 (Conv2D)", "(None, 56, 56, 256)", 590080),
        ("block3_pool (MaxPooling2D)", "(None, 28, 28, 256)", 0),
        ("block4_conv1 (Conv2D)", "(None, 28, 28, 512)", 1180160),
        ("block4_conv2 (Conv2D)", "(None, 28, 28, 512)", 2359808),
        ("block4_conv3 (Conv2D)", "(None, 28, 28, 512)", 2359808),
        ("block4_pool (MaxPooling2D)", "(None, 14, 14, 512)", 0),
        ("block5_conv1 (Conv2D)", "(None, 14, 14, 512)", 2359808),
        ("block5_conv2 (Conv2D)", "(None, 14, 14, 512)", 2359808),
        ("block5_conv3 (Conv2D)", "(None, 14, 14, 512)", 2359808),
        ("block5_pool (MaxPooling2D)", "(None, 7, 7, 512)", 0),
        ("flatten (Flatten)", "(None, 25088)", 0),
        ("fc1 (Dense)", "(None, 4096)", 102764544),
        ("fc2 (Dense)", "(None, 4096)", 16781312),
        ("predictions (Dense)", "(None, 1000)", 4097000),
    ];

    /// <summary>Every row's layer, type, output shape and parameter count, and the totals, are the lecture's.</summary>
    [Fact]
    public void SummaryIsTheLecturesTable()
    {
        var result = CliTestKit.Run("vgg16", "summary");
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Out.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("input_1 (InputLayer)", StringComparison.Ordinal) && l.Contains("(None, 224, 224, 3)") && l.EndsWith(" 0"));
        foreach (var (layer, shape, parameters) in Lecture)
        {
            string row = Assert.Single(lines, l => l.StartsWith(layer + " ", StringComparison.Ordinal));
            string[] cells = row.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal([layer, shape, parameters.ToString()], cells);
        }
        Assert.Contains("Total params: 138,357,544", lines);
        Assert.Contains("Trainable params: 138,357,544", lines);
        Assert.Contains("Non-trainable params: 0", lines);
        Assert.Equal(Vgg16.TotalParameters, Vgg16.Layers.Sum(l => l.Parameters));
    }

    /// <summary>The synthetic weights are a pure function of (seed, stream, index), within their limits, and not all alike.</summary>
    [Fact]
    public void SyntheticWeightsAreReproducibleElementByElement()
    {
        var weights = SharedWeights();
        for (int l = 0; l < Vgg16.WeightedLayers.Count; l++)
        {
            var layer = Vgg16.WeightedLayers[l];
            var kernel = weights[layer.Name].Kernel;
            double limit = Vgg16Weights.KernelLimit(layer);
            Assert.All(kernel.Data.Take(2000), v => Assert.InRange(Math.Abs(v), 0, limit));
            int taken = Math.Min(2000, kernel.Length);
            Assert.True(kernel.Data.Take(taken).Distinct().Count() > taken * 0.95, $"{layer.Name}: values repeat");
            // Any element can be recomputed alone from its index.
            foreach (int i in new[] { 0, kernel.Length / 3, kernel.Length - 1 })
                Assert.Equal(CounterRandom.Symmetric(Vgg16Weights.DefaultSeed, Vgg16Weights.Streams(l).Kernel, i, limit), kernel.Data[i]);
            Assert.All(weights[layer.Name].Bias.Data, v => Assert.InRange(Math.Abs(v), 1e-12, Vgg16Weights.BiasLimit));
        }
    }

    private static Vgg16Weights SharedWeights() => Conformance.Suite.SharedGoldens.Weights;
}

using Conformance.Core.Backends;
using Conformance.Core.Io;
using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>One golden file: its path under golden/, its values and its .npy element type.</summary>
public sealed record GoldenFile(string Path, Tensor Tensor, NpyDType DType = NpyDType.Float64);

/// <summary>Everything one regeneration makes: the files and the names of the rows of their step tables.</summary>
public sealed record GoldenRun(IReadOnlyList<GoldenFile> Files, IReadOnlyList<string> ForwardSteps, IReadOnlyList<string> TrainingSteps);

/// <summary>
/// What the VGG16 goldens hold (spec/vgg16.md, "Golden files") and how the reference makes them:
/// per procedural image the predictions, logits, top-5, fc1 and block4_conv2 in full and every
/// step's statistics and sampled values; for one training step (image 0, a fixed label) the loss,
/// the logits' gradient and every layer's db in full, and every gradient's statistics and sampled values.
/// </summary>
public static class Vgg16Golden
{
    /// <summary>Bumped whenever what a golden holds or how it is computed changes.</summary>
    public const int GeneratorVersion = 1;

    /// <summary>The image of the training step (index into <see cref="Vgg16Images.Names"/>).</summary>
    public const int TrainingImage = 0;

    /// <summary>The training step's label; any fixed class would do.</summary>
    public const int TrainingLabel = 281;

    /// <summary>The sample-position streams of forward steps start here (step i uses stream 1000 + i).</summary>
    public const int ForwardStreams = 1000;

    /// <summary>The sample-position streams of training steps start here.</summary>
    public const int TrainingStreams = 2000;

    /// <summary>The Keras layers kept in full, besides the predictions: the lecture's intermediate outputs.</summary>
    public static readonly IReadOnlyList<string> FullLayers = ["block4_conv2", "fc1"];

    /// <summary>The folder of image <paramref name="image"/>'s forward goldens.</summary>
    public static string ImageFolder(int image) => $"vgg16/{Vgg16Images.Names[image]}";

    /// <summary>The folder of the training step's goldens.</summary>
    public static string TrainingFolder => $"vgg16/train-{Vgg16Images.Names[TrainingImage]}-label{TrainingLabel}";

    /// <summary>The multiply-adds of a whole regeneration, for progress and time left.</summary>
    public static double TotalCost =>
        Vgg16Images.Names.Count * ForwardCost + TrainingCost;

    /// <summary>The multiply-adds of one forward pass.</summary>
    public static double ForwardCost => Vgg16.WeightedLayers.Sum(l => Vgg16Runner.Cost(l.Name, l.Kind == LayerKind.Conv ? "conv2d_layer" : "dense"));

    /// <summary>The multiply-adds of one training step's gradients.</summary>
    public static double TrainingCost => 2 * ForwardCost;

    /// <summary>
    /// Runs the reference on every image and the training step and returns every golden file.
    /// <paramref name="progress"/> gets each finished step and the multiply-adds done so far.
    /// </summary>
    public static GoldenRun Generate(Vgg16Weights weights, Action<StepResult, double>? progress = null)
    {
        double done = 0;
        void Done(StepResult s)
        {
            done += Vgg16Runner.Cost(s.Layer, s.Call.Op) / s.Call.Info.Outputs.Count;
            progress?.Invoke(s, done);
        }
        using var reference = new ReferenceBackend();
        var runner = new Vgg16Runner(reference, weights, Done);
        var files = new List<GoldenFile>();
        IReadOnlyList<StepResult> forward = [], training = [];
        for (int image = 0; image < Vgg16Images.Names.Count; image++)
        {
            forward = runner.Forward(Vgg16Images.Input(image));
            files.AddRange(ForwardFiles(image, forward));
            if (image != TrainingImage) continue;
            training = runner.TrainingStep(forward, TrainingLabel);
            files.AddRange(TrainingFiles(training));
        }
        return new GoldenRun(files, forward.Select(s => s.Name).ToList(), training.Select(s => s.Name).ToList());
    }

    /// <summary>The forward goldens of one image from its steps.</summary>
    public static IEnumerable<GoldenFile> ForwardFiles(int image, IReadOnlyList<StepResult> steps)
    {
        string dir = ImageFolder(image);
        var logits = Step(steps, "predictions/dense").Value;
        var predictions = Step(steps, "predictions/softmax").Value;
        yield return new($"{dir}/predictions.npy", predictions);
        yield return new($"{dir}/logits.npy", logits);
        yield return new($"{dir}/top5.npy", new Tensor([5], TopK(predictions, 5).Select(i => (double)i).ToArray()), NpyDType.Int64);
        foreach (string layer in FullLayers)
            yield return new($"{dir}/{layer}.npy", KerasOutput(steps, layer));
        foreach (var f in Tables(dir, steps, ForwardStreams)) yield return f;
    }

    /// <summary>The training goldens from the training step's results.</summary>
    public static IEnumerable<GoldenFile> TrainingFiles(IReadOnlyList<StepResult> steps)
    {
        string dir = TrainingFolder;
        yield return new($"{dir}/loss.npy", Step(steps, "loss/softmax_cross_entropy").Value);
        yield return new($"{dir}/dlogits.npy", Step(steps, "loss/softmax_cross_entropy_backward").Value);
        foreach (var layer in Vgg16.WeightedLayers)
        {
            string op = layer.Kind == LayerKind.Conv ? "conv2d_layer_backward" : "dense_backward";
            yield return new($"{dir}/db_{layer.Name}.npy", Step(steps, $"{layer.Name}/{op}:db").Value);
        }
        foreach (var f in Tables(dir, steps, TrainingStreams)) yield return f;
    }

    /// <summary>stats.npy [steps, 5], samples.npy and positions.npy [steps, 32], rows in step order.</summary>
    private static IEnumerable<GoldenFile> Tables(string dir, IReadOnlyList<StepResult> steps, int streams)
    {
        var stats = Tensor.Zeros(steps.Count, TensorStats.Names.Count);
        var samples = Tensor.Zeros(steps.Count, SamplePositions.Count);
        var positions = Tensor.Zeros(steps.Count, SamplePositions.Count);
        for (int i = 0; i < steps.Count; i++)
        {
            TensorStats.Of(steps[i].Value).ToArray().CopyTo(stats.Data, i * TensorStats.Names.Count);
            long[] at = SamplePositions.For(steps[i].Value.Shape, streams + i);
            for (int j = 0; j < at.Length; j++)
            {
                positions[i, j] = at[j];
                samples[i, j] = steps[i].Value.Data[at[j]];
            }
        }
        yield return new($"{dir}/stats.npy", stats);
        yield return new($"{dir}/samples.npy", samples);
        yield return new($"{dir}/positions.npy", positions, NpyDType.Int64);
    }

    /// <summary>The output of Keras layer <paramref name="layer"/>: its last step's value.</summary>
    public static Tensor KerasOutput(IReadOnlyList<StepResult> steps, string layer)
    {
        Vgg16.Get(layer);
        return steps.Last(s => s.Layer == layer).Value;
    }

    /// <summary>The step named <paramref name="name"/>.</summary>
    public static StepResult Step(IReadOnlyList<StepResult> steps, string name) =>
        steps.FirstOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"no step {name}");

    /// <summary>The indices of the k largest values of a [1, C] tensor, largest first (ties: lower index first).</summary>
    public static int[] TopK(Tensor scores, int k) =>
        Enumerable.Range(0, scores.Length).OrderByDescending(i => scores.Data[i]).ThenBy(i => i).Take(k).ToArray();
}

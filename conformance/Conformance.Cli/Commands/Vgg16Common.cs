using System.ComponentModel;
using Conformance.Cli.Imaging;
using Conformance.Core.Backends;
using Conformance.Core.Networks;
using Conformance.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Options of the vgg16 verbs that run the network: --backend (default reference) and --weights.</summary>
public class Vgg16Settings : BackendSettings
{
    /// <summary>Keras VGG16 weights (.h5); synthetic weights without it.</summary>
    [CommandOption("--weights <FILE>")]
    [Description("Keras 2 VGG16 weights (.h5, e.g. vgg16_weights_tf_dim_ordering_tf_kernels.h5). Default: the synthetic weights of spec/vgg16.md, whose classes mean nothing.")]
    public string? Weights { get; init; }
}

/// <summary>An image given on the command line: its name as shown, and its [224, 224, 3] RGB pixels.</summary>
public sealed record Vgg16Image(string Name, Tensor Rgb);

/// <summary>A forward pass, maybe stopped early: the preprocessed input [1, 224, 224, 3] and the steps run.</summary>
public sealed record Vgg16Pass(Tensor Input, IReadOnlyList<StepResult> Steps)
{
    /// <summary>A Keras layer's output: the input for input_1, else the layer's last step (its activation for conv and dense layers).</summary>
    public Tensor Output(string layer) => layer == "input_1" ? Input : Steps.Last(s => s.Layer == layer).Value;

    /// <summary>The class probabilities [1, 1000] (the pass must have run to predictions).</summary>
    public Tensor Probabilities => Output("predictions");
}

/// <summary>What the vgg16 verbs share: images, weights, and a forward pass with progress.</summary>
public static class Vgg16Cli
{
    /// <summary>The prefix of the procedural images, e.g. procedural:0.</summary>
    public const string Procedural = "procedural:";

    // The synthetic weights take seconds and a gigabyte to make; reuse them while they are alive.
    private static readonly WeakReference<Vgg16Weights?> SyntheticCache = new(null);
    private static readonly Lock SyntheticLock = new();

    /// <summary>
    /// Reads <paramref name="image"/>: a JPEG or PNG file (decoded and resized as Keras'
    /// load_img does, <see cref="ImageFile"/>) or procedural:N, the procedural image N of spec/vgg16.md.
    /// </summary>
    public static Vgg16Image LoadImage(string image, string argument = "IMAGE")
    {
        if (image.StartsWith(Procedural, StringComparison.Ordinal))
        {
            string n = image[Procedural.Length..];
            if (!int.TryParse(n, out int index) || index < 0 || index >= Vgg16Images.Names.Count)
                throw new OpArgumentException(argument,
                    "an image file or " + string.Join(" or ", Vgg16Images.Names.Select((name, i) => $"{Procedural}{i} ({name})")), $"'{image}'");
            return new Vgg16Image($"{image} ({Vgg16Images.Names[index]})", Vgg16Images.Rgb(index));
        }
        return new Vgg16Image(image, ImageFile.LoadRgb(image, argument));
    }

    /// <summary>The weights of --weights, or the synthetic weights when it is not given.</summary>
    public static Vgg16Weights LoadWeights(Vgg16Settings settings) =>
        settings.Weights is null ? Synthetic() : Vgg16H5.Load(settings.Weights, "--weights");

    /// <summary>The synthetic weights (seed 2014), shared while some caller still holds them.</summary>
    public static Vgg16Weights Synthetic()
    {
        lock (SyntheticLock)
        {
            if (SyntheticCache.TryGetTarget(out var cached) && cached != null) return cached;
            var weights = Vgg16Weights.Synthetic();
            SyntheticCache.SetTarget(weights);
            return weights;
        }
    }

    /// <summary>The backend of --backend (and --backend-assembly); unknown or unavailable names are errors.</summary>
    public static IConformanceBackend CreateBackend(CliContext context, BackendSettings settings)
    {
        var registry = settings.CreateRegistry(context);
        registry.CheckName(settings.Backend);
        return registry.Create(settings.Backend);
    }

    /// <summary>
    /// Runs VGG16 on <paramref name="image"/> with <paramref name="backend"/> up to and including
    /// layer <paramref name="last"/> (the whole network when null) and returns the steps, the
    /// preprocessed input. Shows a progress bar, weighted by each
    /// step's multiply-adds, on an interactive console.
    /// </summary>
    public static Vgg16Pass Forward(CliContext context, IConformanceBackend backend, Vgg16Weights weights,
        Vgg16Image image, string? last = null, CancellationToken cancel = default)
    {
        var input = Vgg16Images.Preprocess(image.Rgb);
        var steps = new List<StepResult>();
        string stop = last ?? "predictions";
        if (stop == "input_1") return new Vgg16Pass(input, steps);
        var stopLayer = Vgg16.Get(stop);
        double total = Vgg16.Layers.TakeWhile(l => l != stopLayer).Append(stopLayer).Sum(LayerCost);

        void RunAll(Action<double>? advance)
        {
            var runner = new Vgg16Runner(backend, weights, step =>
            {
                steps.Add(step);
                advance?.Invoke(Vgg16Runner.Cost(step.Layer, step.Call.Op));
                cancel.ThrowIfCancellationRequested();
            });
            try
            {
                runner.Forward(input, stop);
            }
            catch (StepNotSupportedException e)
            {
                throw new NotSupportedException($"backend {backend.Name} cannot run VGG16: {e.Message}", e);
            }
        }

        if (!context.Console.Profile.Capabilities.Interactive)
        {
            RunAll(null);
            return new Vgg16Pass(input, steps);
        }
        context.Console.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(Markup.Escape($"VGG16 on {backend.Name}: {image.Name}"), maxValue: total);
                RunAll(cost => task.Increment(cost));
            });
        return new Vgg16Pass(input, steps);
    }

    /// <summary>Parses a comma-separated list of layer names, each checked, duplicates dropped, in network order.</summary>
    public static List<Vgg16Layer> ParseLayers(string? list, string argument)
    {
        var names = (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
            throw new OpArgumentException(argument, "a comma-separated list of VGG16 layer names (e.g. block4_conv2,fc1)", "nothing");
        var layers = names.Select(n => Vgg16.Get(n, argument)).Distinct().ToList();
        return layers.OrderBy(l => Vgg16.Layers.ToList().IndexOf(l)).ToList();
    }

    /// <summary>Tells the user plainly that synthetic weights make the classes meaningless.</summary>
    public static void WarnIfSynthetic(CliContext context, Vgg16Weights weights)
    {
        if (weights.IsSynthetic) WarnSynthetic(context);
    }

    /// <summary>The line that says the weights are synthetic.</summary>
    public static void WarnSynthetic(CliContext context) =>
        context.Out.WriteLine($"weights: synthetic (seed {Vgg16Weights.DefaultSeed}, spec/vgg16.md), so the classes mean nothing; pass --weights FILE.h5 for Keras' trained weights");

    private static double LayerCost(Vgg16Layer layer) => layer.Kind switch
    {
        LayerKind.Input => 0,
        LayerKind.Conv => Vgg16Runner.Cost(layer.Name, "conv2d_layer") + Vgg16Runner.Cost(layer.Name, "relu"),
        LayerKind.Dense => Vgg16Runner.Cost(layer.Name, "dense") + Vgg16Runner.Cost(layer.Name, layer.Activation!),
        _ => Vgg16Runner.Cost(layer.Name, "x"),
    };

}

using System.ComponentModel;
using Conformance.Cli.Imaging;
using Conformance.Core.Io;
using Conformance.Core.Networks;
using Conformance.Reference;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance vgg16 features</c>.</summary>
public sealed class Vgg16FeaturesSettings : Vgg16Settings
{
    /// <summary>An image file or procedural:N (not with --filters).</summary>
    [CommandArgument(0, "[IMAGE]")]
    [Description("A JPEG or PNG file (resized to 224×224 as Keras' load_img), or procedural:0 / procedural:1. Not with --filters.")]
    public string? Image { get; init; }

    /// <summary>The layer whose feature maps to draw.</summary>
    [CommandOption("--layer <NAME>")]
    [Description("The Keras layer whose feature maps to draw (a convolution or pooling layer, or input_1).")]
    public string? Layer { get; init; }

    /// <summary>Draw block1_conv1's filters instead of feature maps.</summary>
    [CommandOption("--filters")]
    [Description("Draw block1_conv1's 64 3×3 filters as colour tiles (RGB, each filter normalised) instead of feature maps.")]
    public bool Filters { get; init; }

    /// <summary>The most channels to draw.</summary>
    [CommandOption("--channels <N>")]
    [Description("Draw the first N channels (1 to 512), in a grid of ⌈√N⌉ columns.")]
    [DefaultValue(64)]
    public int Channels { get; init; } = 64;

    /// <summary>The PNG to write.</summary>
    [CommandOption("--out <FILE>")]
    [Description("The PNG file to write.")]
    public string? Out { get; init; }
}

/// <summary>
/// <c>conformance vgg16 features IMAGE --layer NAME --out FILE.png</c> draws a layer's feature
/// maps as a grid of grey tiles (<see cref="FeatureGrid.FeatureMaps"/>);
/// <c>conformance vgg16 features --filters --out FILE.png</c> draws block1_conv1's filters
/// (<see cref="FeatureGrid.Filters"/>). The PNG is written atomically.
/// </summary>
public sealed class Vgg16FeaturesCommand(CliContext context) : Command<Vgg16FeaturesSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, Vgg16FeaturesSettings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out))
            throw new OpArgumentException("--out", "a .png file to write", "nothing");
        AtomicFile.CheckTarget(settings.Out, "--out", "the PNG");
        Picture picture;
        bool synthetic;
        if (settings.Filters)
        {
            if (settings.Image != null || settings.Layer != null)
                throw new OpArgumentException("--filters", "no IMAGE and no --layer (the filters do not depend on an image)",
                    settings.Image != null ? $"IMAGE '{settings.Image}'" : $"--layer {settings.Layer}");
            var first = Vgg16.Get("block1_conv1");
            // Only block1_conv1 is read from a weights file: the filters need nothing else.
            synthetic = settings.Weights is null;
            var kernel = synthetic
                ? Vgg16Cli.Synthetic()[first.Name].Kernel
                : Vgg16H5.ReadLayers(settings.Weights!, [first], "--weights")[first.Name].Kernel;
            picture = FeatureGrid.Filters(kernel);
            context.Out.WriteLine($"block1_conv1 filters {Tensor.Format(first.KernelShape!)} -> {settings.Out} ({picture.Width}×{picture.Height})");
        }
        else
        {
            if (settings.Image is null) throw new OpArgumentException("IMAGE", "an image file or procedural:N (or --filters)", "none");
            if (settings.Layer is null) throw new OpArgumentException("--layer", "the layer whose feature maps to draw", "nothing");
            var layer = Vgg16.Get(settings.Layer, "--layer");
            if (layer.OutputShape.Length != 3)
                throw new OpArgumentException("--layer", "a layer with feature maps (input_1, a convolution or a pooling layer)",
                    $"{layer.Name}, whose output is {Tensor.Format(layer.OutputShape)}");
            if (settings.Channels < 1 || settings.Channels > 512)
                throw new OpArgumentException("--channels", "1 to 512", settings.Channels.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var image = Vgg16Cli.LoadImage(settings.Image);
            var weights = Vgg16Cli.LoadWeights(settings);
            synthetic = weights.IsSynthetic;
            using var backend = Vgg16Cli.CreateBackend(context, settings);
            var output = Vgg16Cli.Forward(context, backend, weights, image, layer.Name, cancellationToken).Output(layer.Name);
            picture = FeatureGrid.FeatureMaps(output, settings.Channels);
            int shown = Math.Min(settings.Channels, layer.OutputShape[2]);
            context.Out.WriteLine($"{layer.Name} {Tensor.Format(output.Shape)}, {shown} channels -> {settings.Out} ({picture.Width}×{picture.Height})");
        }
        AtomicFile.WriteAll([(settings.Out, picture.WritePng)]);
        if (synthetic) Vgg16Cli.WarnSynthetic(context);
        return ExitCodes.Success;
    }
}


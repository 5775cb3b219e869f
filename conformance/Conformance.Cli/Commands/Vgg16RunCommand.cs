using System.ComponentModel;
using Conformance.Core.Io;
using Conformance.Reference;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance vgg16 run</c>.</summary>
public sealed class Vgg16RunSettings : Vgg16Settings
{
    /// <summary>An image file or procedural:N.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("A JPEG or PNG file (resized to 224×224 as Keras' load_img), or procedural:0 / procedural:1.")]
    public string Image { get; init; } = "";

    /// <summary>Comma-separated Keras layer names.</summary>
    [CommandOption("--layers <NAMES>")]
    [Description("Comma-separated Keras layer names whose outputs to write, e.g. block4_conv2,fc1 (input_1 is the preprocessed image).")]
    public string? Layers { get; init; }

    /// <summary>The folder for the .npy files.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Folder for <layer>.npy (created if missing, its parent must exist).")]
    public string? Out { get; init; }
}

/// <summary>
/// <c>conformance vgg16 run IMAGE --layers A,B --out DIR</c>: runs VGG16 up to the deepest named
/// layer and writes each named layer's Keras output, with its batch axis (NHWC for maps), as
/// DIR/&lt;layer&gt;.npy in float64: all files or none.
/// </summary>
public sealed class Vgg16RunCommand(CliContext context) : Command<Vgg16RunSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, Vgg16RunSettings settings, CancellationToken cancellationToken)
    {
        var layers = Vgg16Cli.ParseLayers(settings.Layers, "--layers");
        if (string.IsNullOrWhiteSpace(settings.Out))
            throw new OpArgumentException("--out", "a folder for the .npy files", "nothing");
        string dir = Path.GetFullPath(settings.Out);
        if (File.Exists(dir)) throw new OpArgumentException("--out", "a folder", $"'{settings.Out}', which is a file");
        string parent = Path.GetDirectoryName(dir.TrimEnd(Path.DirectorySeparatorChar)) ?? dir;
        if (!Directory.Exists(dir) && !Directory.Exists(parent))
            throw new OpArgumentException("--out", "a folder whose parent exists", $"'{settings.Out}' (no folder '{parent}')");
        var image = Vgg16Cli.LoadImage(settings.Image);
        var weights = Vgg16Cli.LoadWeights(settings);
        using var backend = Vgg16Cli.CreateBackend(context, settings);

        var pass = Vgg16Cli.Forward(context, backend, weights, image, layers[^1].Name, cancellationToken);
        Directory.CreateDirectory(dir);
        var files = layers.Select(l => (Path: Path.Combine(dir, l.Name + ".npy"), Tensor: pass.Output(l.Name))).ToList();
        Npy.WriteAll(files);
        Vgg16Cli.WarnIfSynthetic(context, weights);
        foreach (var (path, tensor) in files)
            context.Out.WriteLine($"{Path.GetFileNameWithoutExtension(path)} {Tensor.Format(tensor.Shape)} -> {path}");
        return ExitCodes.Success;
    }
}

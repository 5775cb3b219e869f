using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Conformance.Core.Networks;
using Conformance.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance vgg16 predict</c>.</summary>
public sealed class Vgg16PredictSettings : Vgg16Settings
{
    /// <summary>Image files or procedural:N.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("JPEG or PNG files (resized to 224×224, nearest neighbour, as Keras' load_img), or procedural:0 / procedural:1.")]
    public string[] Images { get; init; } = [];

    /// <summary>How many classes to show per image.</summary>
    [CommandOption("--top <K>")]
    [Description("How many classes to show per image, 1 to 1000.")]
    [DefaultValue(3)]
    public int Top { get; init; } = 3;

    /// <summary>Keras' imagenet_class_index.json.</summary>
    [CommandOption("--labels <FILE>")]
    [Description("Class names: Keras' imagenet_class_index.json ({\"0\": [\"n01440764\", \"tench\"], ...}). Without it classes are shown by index.")]
    public string? Labels { get; init; }
}

/// <summary>
/// <c>conformance vgg16 predict IMAGE...</c>: runs VGG16 on each image with a backend and prints
/// the top-k classes and their probabilities, one table for all images.
/// </summary>
public sealed class Vgg16PredictCommand(CliContext context) : Command<Vgg16PredictSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, Vgg16PredictSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Images.Length == 0)
            throw new OpArgumentException("IMAGE", "at least one image file or procedural:N", "none");
        if (settings.Top < 1 || settings.Top > Vgg16.Classes)
            throw new OpArgumentException("--top", $"1 to {Vgg16.Classes}", settings.Top.ToString(CultureInfo.InvariantCulture));
        var labels = settings.Labels is null ? null : ReadLabels(settings.Labels, "--labels");
        // Every image is read before the slow network runs, so a bad one fails at once.
        var images = settings.Images.Select(i => Vgg16Cli.LoadImage(i)).ToList();
        var weights = Vgg16Cli.LoadWeights(settings);
        using var backend = Vgg16Cli.CreateBackend(context, settings);
        Vgg16Cli.WarnIfSynthetic(context, weights);

        var table = new Table().Title(Markup.Escape($"VGG16 top-{settings.Top} on {backend.Name}"))
            .AddColumns("image", "rank", "class", "probability");
        foreach (var image in images)
        {
            var p = Vgg16Cli.Forward(context, backend, weights, image, cancel: cancellationToken).Probabilities;
            var top = Enumerable.Range(0, p.Length).OrderByDescending(i => p.Data[i]).ThenBy(i => i).Take(settings.Top).ToList();
            for (int r = 0; r < top.Count; r++)
            {
                int c = top[r];
                string name = labels != null && labels.TryGetValue(c, out var label) ? label : c.ToString(CultureInfo.InvariantCulture);
                table.AddRow(r == 0 ? Markup.Escape(image.Name) : "", (r + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(name),
                    p.Data[c].ToString("F4", CultureInfo.InvariantCulture));
            }
        }
        context.Console.Write(table);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Reads Keras' imagenet_class_index.json: an object from class index ("0" … "999") to
    /// [WordNet id, name]. Returns index → name.
    /// </summary>
    public static Dictionary<int, string> ReadLabels(string path, string argument)
    {
        const string format = "Keras' imagenet_class_index.json ({\"0\": [\"n01440764\", \"tench\"], ...})";
        if (!File.Exists(path)) throw new OpArgumentException(argument, format, $"'{path}' (no such file)");
        var labels = new Dictionary<int, string>();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException("the top level is not an object");
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                    || entry.Value.ValueKind != JsonValueKind.Array || entry.Value.GetArrayLength() < 2
                    || entry.Value[1].ValueKind != JsonValueKind.String)
                    throw new FormatException($"entry '{entry.Name}' is not \"index\": [\"wnid\", \"name\"]");
                labels[index] = entry.Value[1].GetString()!;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new OpArgumentException(argument, format, $"'{path}': {e.Message}");
        }
        return labels;
    }
}

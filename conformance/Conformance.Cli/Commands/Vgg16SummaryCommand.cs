using System.Globalization;
using Conformance.Core.Networks;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>vgg16 summary</c>: none.</summary>
public sealed class Vgg16SummarySettings : CommandSettings;

/// <summary>
/// <c>conformance vgg16 summary</c>: VGG16's layers as Keras' model.summary() prints them (layer
/// and type, output shape with the batch axis as None, parameter count) and the totals, the
/// lecture's table.
/// </summary>
public sealed class Vgg16SummaryCommand(CliContext context) : Command<Vgg16SummarySettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, Vgg16SummarySettings settings, CancellationToken cancellationToken)
    {
        foreach (string line in Lines()) context.Out.WriteLine(line);
        return ExitCodes.Success;
    }

    /// <summary>The summary's lines.</summary>
    public static IEnumerable<string> Lines()
    {
        string rule = new('_', 75), thick = new('=', 75);
        yield return "Model: \"vgg16\"";
        yield return rule;
        yield return Row("Layer (type)", "Output Shape", "Param #");
        yield return thick;
        foreach (var layer in Vgg16.Layers)
        {
            yield return Row($"{layer.Name} ({layer.KerasType})", "(None, " + string.Join(", ", layer.OutputShape) + ")",
                layer.Parameters.ToString("N0", CultureInfo.InvariantCulture).Replace(",", ""));
        }
        yield return thick;
        long total = Vgg16.Layers.Sum(l => l.Parameters);
        yield return $"Total params: {total.ToString("N0", CultureInfo.InvariantCulture)}";
        yield return $"Trainable params: {total.ToString("N0", CultureInfo.InvariantCulture)}";
        yield return "Non-trainable params: 0";
        yield return rule;
    }

    private static string Row(string layer, string shape, string parameters) => $"{layer,-29}{shape,-26}{parameters}";
}

using System.ComponentModel;
using System.Text.Json;
using Conformance.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance ops</c>.</summary>
public sealed class OpsSettings : CommandSettings
{
    /// <summary>Print JSON instead of a table.</summary>
    [CommandOption("--json")]
    [Description("Print the catalogue as JSON (stable field names) instead of a table.")]
    public bool Json { get; init; }
}

/// <summary>
/// <c>conformance ops [--json]</c>: the op catalogue. The JSON form is for scripts; its field
/// names are part of the tool's interface: {"schema": 1, "ops": [{"name", "summary", "spec_page",
/// "kind", "inputs", "optional_inputs", "outputs", "attributes", "forward", "backward"}]}.
/// </summary>
public sealed class OpsCommand(CliContext context) : Command<OpsSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, OpsSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Json) WriteJson(context.Out);
        else WriteTable(context.Console);
        return ExitCodes.Success;
    }

    /// <summary>Writes the catalogue as indented JSON followed by a newline.</summary>
    public static void WriteJson(TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema", 1);
            json.WriteStartArray("ops");
            foreach (var op in OpCatalog.All)
            {
                json.WriteStartObject();
                json.WriteString("name", op.Name);
                json.WriteString("summary", op.Summary);
                json.WriteString("spec_page", op.SpecPage);
                json.WriteString("kind", ToSnake(op.Kind.ToString()));
                WriteList(json, "inputs", op.Inputs);
                WriteList(json, "optional_inputs", op.OptionalInputs);
                WriteList(json, "outputs", op.Outputs);
                WriteList(json, "attributes", op.Attributes);
                WriteNullable(json, "forward", op.Forward);
                WriteNullable(json, "backward", op.Backward);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// One section per spec page (under spec/), then a row per op: inputs (optional ones in brackets) → outputs,
    /// and attributes. Laid out to fit the 100 columns of piped output without wrapping a row.
    /// </summary>
    private static void WriteTable(IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (string column in new[] { "op", "inputs → outputs", "attributes" })
            table.AddColumn(new TableColumn(column).NoWrap());
        foreach (var page in OpCatalog.All.GroupBy(o => o.SpecPage))
        {
            // The page under spec/, named without the folder so the op column stays as narrow as the longest op.
            table.AddRow(new Text(Path.GetFileName(page.Key), new Style(decoration: Decoration.Bold)), Cell(""), Cell(""));
            foreach (var op in page)
            {
                string inputs = string.Join(",", op.Inputs.Concat(op.OptionalInputs.Select(i => $"[{i}]")));
                table.AddRow(Cell(op.Name), Cell($"{inputs} → {string.Join(",", op.Outputs)}"),
                    Cell(op.Attributes.Count == 0 ? "-" : string.Join(",", op.Attributes)));
            }
        }
        console.Write(table);
    }

    private static Text Cell(IReadOnlyList<string> items) => Cell(items.Count == 0 ? "-" : string.Join(", ", items));

    // Text, not markup: catalogue strings are shown verbatim.
    private static Text Cell(string s) => new(s);

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> items)
    {
        json.WriteStartArray(name);
        foreach (string item in items) json.WriteStringValue(item);
        json.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value == null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static string ToSnake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

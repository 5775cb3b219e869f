using System.ComponentModel;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Reference;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance cases</c>.</summary>
public sealed class CasesSettings : CommandSettings
{
    /// <summary>quick, default or thorough.</summary>
    [CommandOption("--mode <MODE>")]
    [Description("quick, default or thorough: the cases that mode runs.")]
    [DefaultValue("default")]
    public string Mode { get; init; } = "default";

    /// <summary>Only these ops' cases (the option may be repeated).</summary>
    [CommandOption("--op <OP>")]
    [Description("Only the cases of this op; repeat it for several ops.")]
    public string[]? Op { get; init; }

    /// <summary>Only this group's cases.</summary>
    [CommandOption("--group <GROUP>")]
    [Description("Only the cases of this group: lecture, edge, random, vgg16 or vgg16-full.")]
    public string? Group { get; init; }

    /// <summary>Case ids matching this pattern.</summary>
    [CommandOption("--case <PATTERN>")]
    [Description("Only the case ids matching this pattern (* matches any run of characters), as check --case takes it.")]
    public string? Case { get; init; }

    /// <summary>JSON instead of lines.</summary>
    [CommandOption("--json")]
    [Description("Print JSON (stable field names): {\"schema\": 1, \"cases\": [{\"id\", \"op\", \"group\", \"shapes\", \"attributes\", \"data\"}]}.")]
    public bool Json { get; init; }
}

/// <summary>
/// <c>conformance cases [--op OP] [--group G] [--case PATTERN] [--json]</c>: the case ids a mode
/// runs, each with its shapes and attributes, so a subset can be picked for <c>check --case</c>.
/// </summary>
public sealed class CasesCommand(CliContext context) : Command<CasesSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, CasesSettings settings, CancellationToken cancellationToken)
    {
        var cases = Select(SuiteSettings.Cases(SuiteSettings.ParseMode(settings.Mode, "--mode")), settings.Op, settings.Group, settings.Case);
        if (settings.Json)
        {
            var json = new
            {
                schema = 1,
                cases = cases.Select(c => new
                {
                    id = c.Id, op = c.Op, group = c.Group,
                    shapes = c.Shapes.ToDictionary(kv => kv.Key, kv => kv.Value),
                    attributes = c.Attributes.ToPairs().Where(kv => OpCatalog.Get(c.Op).Attributes.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
                    data = c.Data.ToString(),
                }),
            };
            context.Out.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            int width = cases.Select(c => c.Id.Length).DefaultIfEmpty(0).Max();
            foreach (var c in cases) context.Out.WriteLine($"{c.Id.PadRight(width)}  {c.Summary()}");
            context.Out.WriteLine(Words.Count(cases.Count, "case"));
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// The cases of <paramref name="all"/> matching every given filter; an unknown op or group,
    /// or a filter that matches nothing, is a usage error naming the option.
    /// </summary>
    public static List<ConformanceCase> Select(IEnumerable<ConformanceCase> all, IReadOnlyCollection<string>? ops, string? group, string? pattern)
    {
        var list = all.ToList();
        foreach (string op in ops ?? []) OpCatalog.Get(op);
        if (ops is { Count: 0 }) ops = null;
        if (group != null && !list.Any(c => c.Group == group) && !CaseCatalog.All.Any(c => c.Group == group))
            throw new OpArgumentException("--group", "one of " + string.Join(", ", CaseCatalog.All.Select(c => c.Group).Distinct()), $"'{group}'");
        var glob = pattern == null ? null : new Regex("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$");
        var selected = list.Where(c => (ops == null || ops.Contains(c.Op)) && (group == null || c.Group == group) && (glob == null || glob.IsMatch(c.Id))).ToList();
        if (pattern != null && selected.Count == 0)
            throw new OpArgumentException("--case", "a pattern matching at least one case id of this mode (see 'conformance cases')", $"'{pattern}'");
        return selected;
    }
}

using System.ComponentModel;
using System.Globalization;
using Conformance.Core.Gradients;
using Conformance.Core.Harness;
using Conformance.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance gradcheck</c>.</summary>
public sealed class GradcheckSettings : JudgeSettings
{
    /// <summary>Only this forward op (one with a backward).</summary>
    [CommandOption("--op <OP>")]
    [Description("Only this forward op: conv2d_layer, relu, max_pool2d, avg_pool2d, dense or softmax_cross_entropy.")]
    public string? Op { get; init; }

    /// <summary>Seeds the upstream gradients, the data and the sampled elements.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of the data, the upstream gradient and the sampled elements.")]
    [DefaultValue(1)]
    public int Seed { get; init; } = 1;
}

/// <summary>
/// <c>conformance gradcheck --backend NAME [--op OP] [--seed N]</c>: finite differences of the
/// backend's forward against its backward, and its backward against the reference's, per op and
/// input tensor. Exit 0 when all pass, 1 when any fails.
/// </summary>
public sealed class GradcheckCommand(CliContext context) : Command<GradcheckSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, GradcheckSettings settings, CancellationToken cancellationToken)
    {
        var ops = GradientCases.Ops.ToList();
        if (settings.Op != null)
        {
            var info = OpCatalog.Get(settings.Op);
            if (!ops.Contains(info.Name))
                throw new OpArgumentException("--op", "a forward op with a backward: " + string.Join(", ", ops), $"'{settings.Op}'");
            ops = [info.Name];
        }
        using var limits = CallLimits.Use(settings.Limits());
        var registry = settings.CreateRegistry(context);
        registry.CheckName(settings.Backend);
        using var backend = registry.Create(settings.Backend);
        var p = backend.Capabilities.PrecisionOf;

        var table = new Table().Title($"gradcheck {Markup.Escape(backend.Name)} ({Markup.Escape(backend.Capabilities.PrecisionSummary)}, seed {settings.Seed})")
            .Border(TableBorder.Simple)
            .AddColumns("case", "grad", "n", "max abs", "max rel", "worst at", "err/tol", "");
        var failures = new List<string>();
        var unsupportedReasons = new List<string>();
        int checkedCalls = 0;
        foreach (string op in ops)
        {
            table.AddRow($"[bold]{Markup.Escape(op)}[/]");
            foreach (var (label, call) in GradientCases.For(op, p(op), settings.Seed))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string? unsupported = GradientCheck.Unsupported(backend, call);
                if (unsupported != null)
                {
                    table.AddRow(Markup.Escape(label), "–", "–", "–", "–", "–", "–", "skipped");
                    unsupportedReasons.Add(unsupported);
                    continue;
                }
                var report = GradientCheck.Check(backend, call, label, settings.Seed);
                checkedCalls++;
                foreach (var t in report.FiniteDifferences)
                {
                    table.AddRow(Markup.Escape(label), t.Gradient, t.Checked.ToString(), G(t.MaxAbsError), G(t.MaxRelError),
                        Markup.Escape(Tensor.Format(t.WorstIndex).Replace(" ", "")), Scoreboard.FormatRatio(t.MaxRatio), t.Passed ? "ok" : "[red]FAILED[/]");
                    if (!t.Passed) failures.Add($"{backend.Name} {op} {label}: {t.Describe()}");
                }
                if (report.AgainstReference is { } r)
                {
                    table.AddRow(Markup.Escape(label), "vs ref", "–", "–", "–", "–", Scoreboard.FormatRatio(r.MaxRatio),
                        r.Status == CaseStatus.Passed ? "ok" : "[red]FAILED[/]");
                    if (r.Status != CaseStatus.Passed) failures.Add(r.Describe());
                }
            }
        }
        context.Console.Write(table);
        context.Out.WriteLine(Words.Wrap("dx, dw, db: the backward against central finite differences of the backend's own forward "
            + "(n elements); vs ref: every gradient against the reference's backward. err/tol ≤ 1 passes."));
        foreach (string reason in unsupportedReasons.Distinct()) context.Out.WriteLine(Words.Wrap($"skipped: {reason}"));
        foreach (string f in failures) context.Out.WriteLine(f);
        if (checkedCalls == 0)
        {
            // Nothing was checked: saying "passed" would be a verdict the run never earned.
            context.Out.WriteLine($"gradcheck: {backend.Name} supports none of the backward calls asked for; nothing was checked");
            return ExitCodes.Unsupported;
        }
        context.Out.WriteLine(failures.Count == 0
            ? $"gradcheck: {Words.Count(checkedCalls, "call")} passed"
            : $"gradcheck: {Words.Count(failures.Count, "check")} FAILED");
        return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static string G(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}

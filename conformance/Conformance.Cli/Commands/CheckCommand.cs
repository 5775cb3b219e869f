using System.ComponentModel;
using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Core.Io;
using Conformance.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance check</c>.</summary>
public sealed class CheckSettings : JudgeSettings
{
    /// <summary>Write the scoreboard as JSON here.</summary>
    [CommandOption("--json <FILE>")]
    [Description("Write the scoreboard as JSON: per backend and op, passed, failed, unsupported and the worst error/bound ratio.")]
    public string? Json { get; init; }

    /// <summary>Write the scoreboard as Markdown here.</summary>
    [CommandOption("--markdown <FILE>")]
    [Description("Write the scoreboard and every failure as a Markdown report.")]
    public string? Markdown { get; init; }

    /// <summary>quick, default or thorough.</summary>
    [CommandOption("--mode <MODE>")]
    [Description("quick (lecture, edge and special-value cases), default (all but full-size VGG16) or thorough (everything).")]
    [DefaultValue("default")]
    public string Mode { get; init; } = "default";

    /// <summary>Only these ops' cases (the option may be repeated).</summary>
    [CommandOption("--op <OP>")]
    [Description("Only the cases of this op; repeat it for several ops.")]
    public string[]? Op { get; init; }

    /// <summary>Only the case ids matching this pattern.</summary>
    [CommandOption("--case <PATTERN>")]
    [Description("Only the case ids matching this pattern, * matching any run of characters (list them with 'conformance cases').")]
    public string? Case { get; init; }
}

/// <summary>
/// <c>conformance check [--backend NAME|all]</c>: runs the case catalogue outside xunit and prints
/// the backend × op scoreboard. Exit 0 when everything compared passed, 1 when anything failed
/// (a call past its time limit included: it is reported as an error and the run carries on).
/// </summary>
public sealed class CheckCommand(CliContext context) : Command<CheckSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, CheckSettings settings, CancellationToken cancellationToken)
    {
        var mode = SuiteSettings.ParseMode(settings.Mode, "--mode");
        foreach (string op in settings.Op ?? []) OpCatalog.Get(op);
        if (settings.Json != null) AtomicFile.CheckTarget(settings.Json, "--json");
        if (settings.Markdown != null) AtomicFile.CheckTarget(settings.Markdown, "--markdown");
        // Every case run below, in this flow, is held to these limits (a timed-out case is an error).
        using var limits = CallLimits.Use(settings.Limits());
        var registry = settings.CreateRegistry(context);
        bool all = settings.Backend == "all";
        if (!all) registry.CheckName(settings.Backend);
        var names = all ? registry.PrimaryNames : [settings.Backend];
        var cases = CasesCommand.Select(SuiteSettings.Cases(mode), settings.Op, null, settings.Case);

        var board = new Scoreboard();
        var unavailable = new List<string>();
        var backends = new List<IConformanceBackend>();
        try
        {
            foreach (string name in names)
            {
                try
                {
                    backends.Add(registry.Create(name));
                }
                catch (BackendUnavailableException e) when (all)
                {
                    unavailable.Add(e.Message);
                }
            }
            Run(backends, cases, board, cancellationToken);
        }
        finally
        {
            foreach (var backend in backends) backend.Dispose();
        }
        CaseRunner.ClearCache();

        string modeName = mode.ToString().ToLowerInvariant();
        Render(board, unavailable, modeName);
        var files = new List<(string, string)>();
        if (settings.Json != null) files.Add((settings.Json, board.ToJson(modeName)));
        if (settings.Markdown != null) files.Add((settings.Markdown, board.ToMarkdown(modeName)));
        AtomicFile.WriteAllTexts(files);
        if (!board.AllPassed) return ExitCodes.Failed;
        // Nothing compared (every case unsupported, or no backend available): no verdict was earned.
        return board.Cells.Sum(c => c.Passed) == 0 ? ExitCodes.Unsupported : ExitCodes.Success;
    }

    /// <summary>
    /// Runs case by case, every backend on a case before the next, and forgets each case's
    /// reference outputs once all backends have it: memory stays that of one case, not of the
    /// whole catalogue. Off a terminal, a progress line every 10 seconds keeps CI logs alive.
    /// </summary>
    private void Run(List<IConformanceBackend> backends, List<Core.Cases.ConformanceCase> cases, Scoreboard board, CancellationToken cancel)
    {
        void RunAll(Action<int> step)
        {
            int done = 0;
            foreach (var c in cases)
            {
                foreach (var backend in backends)
                {
                    cancel.ThrowIfCancellationRequested();
                    board.Add(CaseRunner.Run(backend, c));
                }
                CaseRunner.Forget(c.Id);
                step(++done);
            }
        }
        if (!context.Console.Profile.Capabilities.Interactive)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double last = 0;
            RunAll(done =>
            {
                if (clock.Elapsed.TotalSeconds - last < 10 || done == cases.Count) return;
                last = clock.Elapsed.TotalSeconds;
                context.Out.WriteLine($"  {done}/{cases.Count} cases, {clock.Elapsed.TotalSeconds:F0} s");
            });
            foreach (var backend in backends) context.Out.WriteLine($"{backend.Name}: {Words.Count(cases.Count, "case")} run");
            return;
        }
        context.Console.Progress().AutoClear(true).Start(progress =>
        {
            string names = string.Join(", ", backends.Select(b => $"{b.Name} ({b.Capabilities.PrecisionSummary})"));
            var task = progress.AddTask(Markup.Escape(names), maxValue: cases.Count);
            RunAll(_ => task.Increment(1));
        });
    }

    private void Render(Scoreboard board, List<string> unavailable, string mode)
    {
        // One table per backend keeps a row within 100 columns even for the longest op name.
        foreach (var backend in board.Cells.GroupBy(c => c.Backend))
        {
            var table = new Table().Title(Markup.Escape($"{backend.Key} ({mode} mode)"))
                .AddColumns("op", "precision", "passed", "failed", "unsupported", "worst error/bound");
            foreach (var c in backend)
                table.AddRow(Markup.Escape(c.Op), Markup.Escape(c.Precision), c.Passed.ToString(), c.Failed == 0 ? "0" : $"[red]{c.Failed}[/]",
                    c.Unsupported.ToString(), c.WorstCase is null ? "–" : Scoreboard.FormatRatio(c.WorstRatio));
            context.Console.Write(table);
        }
        foreach (string u in unavailable) context.Out.WriteLine(Words.Wrap($"skipped: {u}"));
        foreach (var f in board.Failures.Take(20)) context.Out.WriteLine(f.Describe());
        if (board.Failures.Count > 20) context.Out.WriteLine($"... and {board.Failures.Count - 20} more failures (see --json/--markdown)");
        if (!board.AllPassed)
            context.Out.WriteLine($"conformance: {Words.Count(board.Failures.Count, "case")} FAILED");
        else if (board.Cells.Sum(c => c.Passed) == 0)
            context.Out.WriteLine("conformance: nothing was compared (every case was unsupported, or no backend was available)");
        else
            context.Out.WriteLine("conformance: all compared cases passed");
    }
}

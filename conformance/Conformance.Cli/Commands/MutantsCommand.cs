using System.ComponentModel;
using Conformance.Core.Harness;
using Conformance.Core.Io;
using Conformance.Backends.Ilgpu.Mutants;
using Conformance.Core.Mutants;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance mutants</c>.</summary>
public sealed class MutantsSettings : CommandSettings
{
    /// <summary>quick, default or thorough.</summary>
    [CommandOption("--mode <MODE>")]
    [Description("quick (lecture, edge and special-value cases), default (all but full-size VGG16) or thorough (everything).")]
    [DefaultValue("default")]
    public string Mode { get; init; } = "default";

    /// <summary>Write the kill matrix as JSON here.</summary>
    [CommandOption("--json <FILE>")]
    [Description("Write the kill matrix as JSON: per mutant its description, the cases run and the cases that killed it.")]
    public string? Json { get; init; }

    /// <summary>Only this mutant.</summary>
    [CommandOption("--mutant <NAME>")]
    [Description("Only this mutant (see the list this command prints).")]
    public string? Mutant { get; init; }
}

/// <summary>
/// <c>conformance mutants</c>: runs the case catalogue against every mutant of
/// <see cref="MutantCatalog"/> (the reference with one real-world bug each) and of
/// <see cref="IlgpuMutantCatalog"/> (our GPU kernels with one bug each) and prints which cases
/// killed which, the kill rate, and the cases that killed no mutant. Exit 0 when every mutant was
/// killed, 1 when one survived (a kind of case the suite lacks).
/// </summary>
public sealed class MutantsCommand(CliContext context) : Command<MutantsSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, MutantsSettings settings, CancellationToken cancellationToken)
    {
        var mode = SuiteSettings.ParseMode(settings.Mode, "--mode");
        if (settings.Json != null) AtomicFile.CheckTarget(settings.Json, "--json");
        // The reference's mutants, then our GPU kernels' (on ILGPU's CPU accelerator).
        var gpu = IlgpuMutantCatalog.Create();
        try
        {
            IReadOnlyList<IMutant> all = [.. MutantCatalog.All, .. gpu];
            var chosen = settings.Mutant is null ? all : [all.FirstOrDefault(m => m.Name == settings.Mutant)
                ?? throw new Reference.OpArgumentException("mutant", "one of " + string.Join(", ", all.Select(m => m.Name)), $"'{settings.Mutant}'")];
            return Run(settings, mode, chosen, cancellationToken);
        }
        finally
        {
            foreach (var m in gpu) m.Dispose();
        }
    }

    private int Run(MutantsSettings settings, SuiteMode mode, IReadOnlyList<IMutant> mutants, CancellationToken cancellationToken)
    {
        var report = MutantRunner.Run(mutants, mode, v =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!context.Console.Profile.Capabilities.Interactive)
                context.Out.WriteLine($"{v.Mutant}: {(v.Killed ? $"killed by {v.KillingCases.Count} of {v.CasesRun} cases" : $"SURVIVED {v.CasesRun} cases")}");
        });
        CaseRunner.ClearCache();

        var table = new Table().Title($"mutants ({report.Mode} mode)").AddColumns("mutant", "killed by", "first killing case");
        foreach (var v in report.Verdicts)
            table.AddRow(Markup.Escape(v.Mutant), v.Killed ? $"{v.KillingCases.Count} of {v.CasesRun}" : $"[red]none of {v.CasesRun}[/]",
                Markup.Escape(v.KillingCases.FirstOrDefault() ?? "–"));
        context.Console.Write(table);
        int killed = report.Verdicts.Count(v => v.Killed);
        context.Out.WriteLine($"kill rate: {killed} of {report.Verdicts.Count} mutants ({report.KillRate:P0}) in {report.Mode} mode");
        context.Out.WriteLine(Words.Wrap($"{report.CasesKillingNone.Count} of the cases run killed no mutant" +
            (report.CasesKillingNone.Count == 0 ? "" : ", e.g. " + string.Join(", ", report.CasesKillingNone.Take(5)))));
        foreach (var v in report.Verdicts.Where(v => !v.Killed))
            context.Out.WriteLine($"survived: {v.Mutant}: {v.Description}");
        if (settings.Json != null) AtomicFile.WriteAllTexts([(settings.Json, report.ToJson())]);
        return killed == report.Verdicts.Count ? ExitCodes.Success : ExitCodes.Failed;
    }
}

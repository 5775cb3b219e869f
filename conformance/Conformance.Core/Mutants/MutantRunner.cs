using System.Text.Json;
using Conformance.Core.Cases;
using Conformance.Core.Harness;

namespace Conformance.Core.Mutants;

/// <summary>What the catalogue did to one mutant: the cases of its ops that ran and those that killed it.</summary>
/// <param name="Mutant">The mutant's name.</param>
/// <param name="Description">The real-world bug it stands for.</param>
/// <param name="CasesRun">How many cases of its ops ran against it.</param>
/// <param name="KillingCases">The ids of the cases it failed (or errored on), in catalogue order.</param>
public sealed record MutantVerdict(string Mutant, string Description, int CasesRun, IReadOnlyList<string> KillingCases)
{
    /// <summary>True when at least one case failed it.</summary>
    public bool Killed => KillingCases.Count > 0;
}

/// <summary>The kill matrix of one mode: every mutant's verdict, and the cases that killed no mutant.</summary>
/// <param name="Mode">quick, default or thorough.</param>
/// <param name="Verdicts">One per mutant, in catalogue order.</param>
/// <param name="CasesKillingNone">Cases that ran against at least one mutant and killed none.</param>
public sealed record MutantReport(string Mode, IReadOnlyList<MutantVerdict> Verdicts, IReadOnlyList<string> CasesKillingNone)
{
    /// <summary>The share of mutants killed, 0 to 1.</summary>
    public double KillRate => Verdicts.Count == 0 ? 1 : Verdicts.Count(v => v.Killed) / (double)Verdicts.Count;

    /// <summary>The report as JSON: mode, kill rate, and per mutant its description, cases run and killing cases.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        mode = Mode,
        kill_rate = KillRate,
        mutants = Verdicts.Select(v => new
        {
            name = v.Mutant, description = v.Description, killed = v.Killed, cases_run = v.CasesRun, killing_cases = v.KillingCases,
        }),
        cases_killing_none = CasesKillingNone,
    }, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>Runs the case catalogue against mutants (<see cref="MutantCatalog"/> and the GPU backends' kernel mutants).</summary>
public static class MutantRunner
{
    /// <summary>
    /// Runs every case of <paramref name="mode"/> whose op a mutant's bug touches against that
    /// mutant; a case kills it when the mutant fails it or errors on it. <paramref name="done"/>
    /// is told after each mutant (for progress).
    /// </summary>
    public static MutantReport Run(IReadOnlyList<IMutant> mutants, SuiteMode mode, Action<MutantVerdict>? done = null)
    {
        ArgumentNullException.ThrowIfNull(mutants);
        var cases = SuiteSettings.Cases(mode).ToList();
        var ran = new HashSet<string>();
        var killers = new HashSet<string>();
        var verdicts = new List<MutantVerdict>();
        foreach (var mutant in mutants)
        {
            var mine = cases.Where(c => mutant.Ops.Count == 0 || mutant.Ops.Contains(c.Op)).ToList();
            var killing = new List<string>();
            foreach (var c in mine)
            {
                ran.Add(c.Id);
                if (CaseRunner.Run(mutant, c).Status is CaseStatus.Failed or CaseStatus.Error)
                {
                    killing.Add(c.Id);
                    killers.Add(c.Id);
                }
            }
            var verdict = new MutantVerdict(mutant.Name, mutant.Description, mine.Count, killing);
            verdicts.Add(verdict);
            done?.Invoke(verdict);
        }
        var none = cases.Select(c => c.Id).Where(id => ran.Contains(id) && !killers.Contains(id)).ToList();
        return new MutantReport(mode.ToString().ToLowerInvariant(), verdicts, none);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conformance.Core.Harness;

/// <summary>One cell of the scoreboard: one backend, one op.</summary>
public sealed record ScoreCell
{
    /// <summary>Backend name.</summary>
    public required string Backend { get; init; }
    /// <summary>Catalogue op.</summary>
    public required string Op { get; init; }
    /// <summary>The precision class the op was judged in (a backend may declare one per op).</summary>
    public string Precision { get; set; } = "";
    /// <summary>Cases within bound.</summary>
    public int Passed { get; set; }
    /// <summary>Cases outside bound, of the wrong shape, or that threw.</summary>
    public int Failed { get; set; }
    /// <summary>Cases the backend declared unsupported.</summary>
    public int Unsupported { get; set; }
    /// <summary>The largest error/bound ratio over the compared cases (≤ 1 passes; JSON null when infinite).</summary>
    public double WorstRatio { get; set; }
    /// <summary>The case with <see cref="WorstRatio"/>.</summary>
    public string? WorstCase { get; set; }
    /// <summary>The first failure's message, for the report.</summary>
    public string? FirstFailure { get; set; }
}

/// <summary>
/// Backend × op results of a `conformance check` run, with the JSON and Markdown forms it
/// writes. The JSON lists, per backend and op, passed, failed, unsupported and the worst ratio.
/// </summary>
public sealed class Scoreboard
{
    private readonly Dictionary<(string, string), ScoreCell> _cells = [];
    private readonly List<CaseResult> _failures = [];

    /// <summary>The cells in the order they were first seen.</summary>
    public IReadOnlyList<ScoreCell> Cells => _cells.Values.ToList();

    /// <summary>Every failed or erroneous case result.</summary>
    public IReadOnlyList<CaseResult> Failures => _failures;

    /// <summary>True when nothing failed.</summary>
    public bool AllPassed => _failures.Count == 0;

    /// <summary>Adds one case result.</summary>
    public void Add(CaseResult r)
    {
        if (!_cells.TryGetValue((r.Backend, r.Op), out var cell))
            _cells[(r.Backend, r.Op)] = cell = new ScoreCell { Backend = r.Backend, Op = r.Op, Precision = r.Precision };
        switch (r.Status)
        {
            case CaseStatus.Passed: cell.Passed++; break;
            case CaseStatus.Unsupported: cell.Unsupported++; break;
            default:
                cell.Failed++;
                cell.FirstFailure ??= r.Describe();
                _failures.Add(r);
                break;
        }
        double ratio = r.Status == CaseStatus.Error ? double.PositiveInfinity : r.MaxRatio;
        if (r.Status != CaseStatus.Unsupported && (cell.WorstCase is null || ratio > cell.WorstRatio))
        {
            cell.WorstRatio = ratio;
            cell.WorstCase = r.CaseId;
        }
    }

    /// <summary>Formats a ratio: 0, a short number, or ∞.</summary>
    public static string FormatRatio(double ratio) =>
        double.IsPositiveInfinity(ratio) ? "∞" : ratio.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>The scoreboard as JSON (ratios that are infinite are written as null).</summary>
    public string ToJson(string mode)
    {
        var doc = new
        {
            mode,
            passed = AllPassed,
            results = Cells.Select(c => new
            {
                backend = c.Backend, op = c.Op, precision = c.Precision, passed = c.Passed, failed = c.Failed, unsupported = c.Unsupported,
                worst_ratio = double.IsPositiveInfinity(c.WorstRatio) ? (double?)null : c.WorstRatio,
                worst_case = c.WorstCase,
            }),
            failures = _failures.Select(f => new { backend = f.Backend, op = f.Op, @case = f.CaseId, message = f.Describe() }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions
        {
            WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }

    /// <summary>The scoreboard as a Markdown report: one table per backend, then the failures.</summary>
    public string ToMarkdown(string mode)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Conformance scoreboard ({mode} mode)").AppendLine();
        sb.AppendLine("Worst ratio: the largest |actual − reference| / bound over the cases compared (spec/numerics.md); ≤ 1 passes.").AppendLine();
        foreach (var backend in Cells.GroupBy(c => c.Backend))
        {
            sb.AppendLine($"## {backend.Key}").AppendLine();
            sb.AppendLine("| op | precision | passed | failed | unsupported | worst ratio | worst case |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---|");
            foreach (var c in backend)
                sb.AppendLine($"| `{c.Op}` | {c.Precision} | {c.Passed} | {c.Failed} | {c.Unsupported} | {(c.WorstCase is null ? "–" : FormatRatio(c.WorstRatio))} | {c.WorstCase ?? "–"} |");
            sb.AppendLine();
        }
        if (_failures.Count > 0)
        {
            sb.AppendLine("## Failures").AppendLine();
            foreach (var f in _failures) sb.AppendLine("```").AppendLine(f.Describe()).AppendLine("```");
        }
        return sb.ToString();
    }
}

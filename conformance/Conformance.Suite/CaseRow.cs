using Xunit.Abstractions;

namespace Conformance.Suite;

/// <summary>
/// One row of a suite theory: a catalogued case to run, or the cases skipped for one reason,
/// counted. Its display is the whole case id (xunit cuts string arguments at 50 characters, which
/// made different cases look alike) or "skipped N: reason", so `dotnet test` shows each skip
/// reason once with its count instead of hundreds of bare [SKIP] lines.
/// </summary>
public sealed class CaseRow : IXunitSerializable
{
    /// <summary>The case id (op/group/name), or null for a skip row.</summary>
    public string? Id { get; private set; }

    /// <summary>Why the rows' cases are skipped; null for a case to run.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>How many cases a skip row stands for.</summary>
    public int Count { get; private set; }

    /// <summary>For xunit's deserialisation only.</summary>
    [Obsolete("For xunit's deserialisation only")]
    public CaseRow() { }

    private CaseRow(string? id, string? skipReason, int count) => (Id, SkipReason, Count) = (id, skipReason, count);

    /// <summary>A case to run.</summary>
    public static CaseRow Run(string id) => new(id, null, 1);

    /// <summary><paramref name="count"/> cases skipped for <paramref name="reason"/>.</summary>
    public static CaseRow Skipped(string reason, int count) => new(null, reason, count);

    /// <inheritdoc />
    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(Id), Id);
        info.AddValue(nameof(SkipReason), SkipReason);
        info.AddValue(nameof(Count), Count);
    }

    /// <inheritdoc />
    public void Deserialize(IXunitSerializationInfo info)
    {
        Id = info.GetValue<string?>(nameof(Id));
        SkipReason = info.GetValue<string?>(nameof(SkipReason));
        Count = info.GetValue<int>(nameof(Count));
    }

    /// <summary>The whole case id, or "skipped N cases: reason".</summary>
    public override string ToString() => Id ?? $"skipped {Count} {(Count == 1 ? "case" : "cases")}: {SkipReason}";
}

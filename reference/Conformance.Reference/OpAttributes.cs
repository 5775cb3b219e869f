using System.Globalization;

namespace Conformance.Reference;

/// <summary>A pair of per-axis integers: rows then columns.</summary>
public readonly record struct Pair(int Rows, int Cols)
{
    /// <summary>The same value on both axes.</summary>
    public static Pair Of(int v) => new(v, v);

    /// <inheritdoc />
    public override string ToString() => $"{Rows},{Cols}";
}

/// <summary>
/// The attributes of a catalogued op, with the CLI's keys: padding, reversal, strides, dilation,
/// groups, pool. An attribute an op does not read is ignored by it; the catalogue rejects
/// attributes an op does not accept.
/// </summary>
public sealed record OpAttributes
{
    /// <summary>Boundary mode; default valid.</summary>
    public Padding Padding { get; init; } = Padding.Valid;

    /// <summary>true flips the kernel in every spatial axis first (signal-processing convolution).</summary>
    public bool Reversal { get; init; }

    /// <summary>Strides; null means 1 for convolutions and the pool size for pooling.</summary>
    public Pair? Strides { get; init; }

    /// <summary>Dilation of the kernel; default 1.</summary>
    public Pair Dilation { get; init; } = Pair.Of(1);

    /// <summary>Number of channel groups; default 1.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Pooling window; required by the pooling ops.</summary>
    public Pair? Pool { get; init; }

    /// <summary>The default attributes.</summary>
    public static readonly OpAttributes Default = new();

    /// <summary>The keys <see cref="Parse"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Keys = ["padding", "reversal", "strides", "dilation", "groups", "pool"];

    /// <summary>Parses KEY=VALUE pairs (the CLI's --attr). Unknown keys and bad values are errors naming the key.</summary>
    public static OpAttributes Parse(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var a = new OpAttributes();
        foreach (var (rawKey, value) in pairs)
        {
            string key = rawKey.Trim().ToLowerInvariant();
            a = key switch
            {
                "padding" => a with { Padding = Padding.Parse(value) },
                "reversal" => a with { Reversal = ParseBool(key, value) },
                "strides" => a with { Strides = ParsePair(key, value, positive: true) },
                "dilation" => a with { Dilation = ParsePair(key, value, positive: true) },
                "groups" => a with { Groups = ParseInt(key, value, positive: true) },
                "pool" => a with { Pool = ParsePair(key, value, positive: true) },
                _ => throw new OpArgumentException("attr", "one of " + string.Join(", ", Keys), $"'{rawKey}'"),
            };
        }
        return a;
    }

    /// <summary>The attributes as KEY=VALUE pairs that <see cref="Parse"/> reads back.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToPairs()
    {
        yield return new("padding", Padding.ToString());
        yield return new("reversal", Reversal ? "true" : "false");
        if (Strides is Pair s) yield return new("strides", s.ToString());
        yield return new("dilation", Dilation.ToString());
        yield return new("groups", Groups.ToString(CultureInfo.InvariantCulture));
        if (Pool is Pair p) yield return new("pool", p.ToString());
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(" ", ToPairs().Select(kv => $"{kv.Key}={kv.Value}"));

    private static bool ParseBool(string key, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new OpArgumentException(key, "true or false", $"'{value}'"),
    };

    private static int ParseInt(string key, string value, bool positive)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new OpArgumentException(key, "an integer", $"'{value}'");
        if (positive && v < 1) throw new OpArgumentException(key, "a positive integer", $"{v}");
        return v;
    }

    private static Pair ParsePair(string key, string value, bool positive)
    {
        string[] parts = value.Split(',');
        if (parts.Length == 1) return Pair.Of(ParseInt(key, parts[0], positive));
        if (parts.Length == 2) return new Pair(ParseInt(key, parts[0], positive), ParseInt(key, parts[1], positive));
        throw new OpArgumentException(key, "N or N1,N2", $"'{value}'");
    }
}

using Conformance.Reference;

namespace Conformance.Cli;

/// <summary>Parses repeated NAME=VALUE options (--in, --out, --attr) into ordered pairs, each name at most once.</summary>
public static class NamedValues
{
    /// <summary>
    /// Splits each value at its first '='. A value without '=' or with an empty name or value, or
    /// a name given twice, is an <see cref="OpArgumentException"/> on <paramref name="option"/>.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IEnumerable<string>? values, string option, string form)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (string raw in values ?? [])
        {
            int eq = raw.IndexOf('=');
            string name = eq < 0 ? "" : raw[..eq].Trim();
            string value = eq < 0 ? "" : raw[(eq + 1)..].Trim();
            if (eq < 0 || name.Length == 0 || value.Length == 0)
                throw new OpArgumentException(option, form, $"'{raw}'");
            if (pairs.Any(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)))
                throw new OpArgumentException(option, $"each name once", $"'{name}' twice");
            pairs.Add(new(name, value));
        }
        return pairs;
    }
}

using System.Globalization;
using System.Text;
using Conformance.Reference;

namespace Conformance.Core.Io;

/// <summary>
/// The header dictionary of a .npy file, e.g. <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (2, 3), }</c>.
/// numpy writes it as a Python literal, so this reads the small subset of Python literal syntax
/// numpy emits (dict, str, bool, int, tuple, list) rather than evaluating anything.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    /// <summary>Parses the header text; every problem is an error on <paramref name="argument"/>.</summary>
    public static NpyHeader Parse(string text, string argument)
    {
        var parser = new LiteralParser(text, argument);
        object? value = parser.ParseValue();
        parser.ExpectEnd();
        if (value is not Dictionary<string, object?> dict)
            throw Bad(argument, "a header dictionary {'descr': ..., 'fortran_order': ..., 'shape': ...}", $"'{text.Trim()}'");
        string[] keys = ["descr", "fortran_order", "shape"];
        var extra = dict.Keys.Except(keys).ToList();
        var missing = keys.Except(dict.Keys).ToList();
        if (extra.Count > 0 || missing.Count > 0)
            throw Bad(argument, "header keys descr, fortran_order, shape",
                $"keys {string.Join(", ", dict.Keys.Select(k => $"'{k}'"))}");
        if (dict["descr"] is not string descr)
            throw Bad(argument, "a simple dtype string such as '<f8' in 'descr'",
                dict["descr"] is List<object?> ? "a structured (record) dtype" : $"'{Show(dict["descr"])}'");
        if (dict["fortran_order"] is not bool fortran)
            throw Bad(argument, "True or False in 'fortran_order'", $"'{Show(dict["fortran_order"])}'");
        if (dict["shape"] is not PyTuple shapeItems)
            throw Bad(argument, "a tuple of extents in 'shape'", $"'{Show(dict["shape"])}'");
        var shape = new int[shapeItems.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shapeItems[i] is not long d || d < 0 || d > int.MaxValue)
                throw Bad(argument, "non-negative integer extents in 'shape'", $"'{Show(dict["shape"])}'");
            shape[i] = (int)d;
        }
        return new NpyHeader(descr, fortran, shape);
    }

    /// <summary>The header text numpy would write for a C-order array (without padding).</summary>
    public static string Format(string descr, int[] shape)
    {
        string dims = shape.Length == 1
            ? $"({shape[0]},)"
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        return $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
    }

    private static OpArgumentException Bad(string argument, string expected, string actual) =>
        new(argument, expected, actual);

    private static string Show(object? v) => v switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        PyTuple t => "(" + string.Join(", ", t.Select(Show)) + (t.Count == 1 ? ",)" : ")"),
        List<object?> l => "[" + string.Join(", ", l.Select(Show)) + "]",
        Dictionary<string, object?> => "{...}",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A Python tuple; a plain List&lt;object?&gt; is a Python list.</summary>
    private sealed class PyTuple : List<object?>;

    /// <summary>Recursive descent over the literal.</summary>
    private sealed class LiteralParser(string text, string argument)
    {
        private int _pos;

        public object? ParseValue()
        {
            SkipSpace();
            if (_pos >= text.Length) throw Syntax("a value");
            char c = text[_pos];
            if (c == '{') return ParseDict();
            if (c == '(') return ParseSequence('(', ')');
            if (c == '[') return ParseSequence('[', ']');
            if (c == '\'' || c == '"') return ParseString();
            if (c == '-' || char.IsAsciiDigit(c)) return ParseInt();
            if (char.IsAsciiLetter(c))
            {
                int start = _pos;
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
                return text[start.._pos] switch
                {
                    "True" => true,
                    "False" => false,
                    "None" => null,
                    string word => throw Syntax("True, False or None", word),
                };
            }
            throw Syntax("a value");
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos != text.Length) throw Syntax("the end of the header");
        }

        private Dictionary<string, object?> ParseDict()
        {
            var dict = new Dictionary<string, object?>();
            _pos++;
            while (true)
            {
                SkipSpace();
                if (Peek('}')) { _pos++; return dict; }
                if (ParseValue() is not string key) throw Syntax("a string key");
                SkipSpace();
                if (!Peek(':')) throw Syntax("':'");
                _pos++;
                object? value = ParseValue();
                if (!dict.TryAdd(key, value)) throw Syntax("distinct keys", $"'{key}' twice");
                SkipSpace();
                if (Peek(',')) { _pos++; continue; }
                if (Peek('}')) { _pos++; return dict; }
                throw Syntax("',' or '}'");
            }
        }

        private List<object?> ParseSequence(char open, char close)
        {
            List<object?> items = open == '(' ? new PyTuple() : new List<object?>();
            _pos++;
            while (true)
            {
                SkipSpace();
                if (Peek(close)) { _pos++; break; }
                items.Add(ParseValue());
                SkipSpace();
                if (Peek(',')) { _pos++; continue; }
                if (Peek(close)) { _pos++; break; }
                throw Syntax($"',' or '{close}'");
            }
            return items;
        }

        private string ParseString()
        {
            char quote = text[_pos++];
            var sb = new StringBuilder();
            while (_pos < text.Length && text[_pos] != quote)
            {
                // numpy never escapes inside descr or keys; a backslash is kept literally.
                sb.Append(text[_pos++]);
            }
            if (_pos >= text.Length) throw Syntax("a closing quote");
            _pos++;
            return sb.ToString();
        }

        private long ParseInt()
        {
            int start = _pos;
            if (text[_pos] == '-') _pos++;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            string digits = text[start.._pos];
            // Python 2 era numpy wrote long extents as 3L.
            if (_pos < text.Length && (text[_pos] == 'L' || text[_pos] == 'l')) _pos++;
            if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                throw Syntax("an integer", $"'{digits}'");
            return v;
        }

        private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private OpArgumentException Syntax(string expected, string? actual = null) =>
            new(argument, $"{expected} at character {_pos} of the header", actual ?? $"'{Excerpt()}'");

        private string Excerpt()
        {
            string rest = _pos < text.Length ? text[_pos..] : "end of header";
            return rest.Length > 20 ? rest[..20] + "..." : rest;
        }
    }
}

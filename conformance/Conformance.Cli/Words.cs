using System.Globalization;

namespace Conformance.Cli;

/// <summary>Counts in the command's messages, with the right plural ("1 case", "2 cases"), and prose wrapped for CI logs.</summary>
public static class Words
{
    /// <summary>The width of redirected output (CI logs), which every table and message line fits.</summary>
    public const int Columns = 100;

    /// <summary>
    /// <paramref name="text"/> broken at spaces into lines of at most <see cref="Columns"/>
    /// characters, continuation lines indented by two spaces; a word longer than a line stays whole.
    /// </summary>
    public static string Wrap(string text)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (string word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > Columns)
            {
                lines.Add(line.ToString());
                line.Clear().Append("  ");
            }
            if (line.Length > 0 && line.ToString() != "  ") line.Append(' ');
            line.Append(word);
        }
        lines.Add(line.ToString());
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary><paramref name="n"/> followed by <paramref name="noun"/>, plural unless n is 1.</summary>
    public static string Count(int n, string noun) =>
        n.ToString("N0", CultureInfo.InvariantCulture) + " " + (n == 1 ? noun : noun + "s");
}

using System.Globalization;

namespace Conformance.Cli;

/// <summary>Counts in the command's messages, with the right plural ("1 case", "2 cases").</summary>
public static class Words
{
    /// <summary><paramref name="n"/> followed by <paramref name="noun"/>, plural unless n is 1.</summary>
    public static string Count(int n, string noun) =>
        n.ToString("N0", CultureInfo.InvariantCulture) + " " + (n == 1 ? noun : noun + "s");
}

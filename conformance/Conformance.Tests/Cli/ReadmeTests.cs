using System.Text.RegularExpressions;
using Conformance.Core.Networks;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary>The README renders as written (its code fences pair up) and its scoreboard excerpt is what the command prints.</summary>
public sealed class ReadmeTests
{
    private static readonly string[] Lines =
        File.ReadAllLines(Path.Combine(GoldenStore.RepositoryRoot() ?? throw new InvalidOperationException("no checkout"), "README.md"));

    /// <summary>Every fence line is a bare ``` or ```lang, and they pair up, so no section swallows the next.</summary>
    [Fact]
    public void FencesPairUp()
    {
        var fence = new Regex(@"^\s*```[\w+-]*\s*$");
        var bad = Lines.Select((l, i) => (l, i)).Where(t => t.l.Contains("```") && !fence.IsMatch(t.l)).Select(t => t.i + 1).ToList();
        Assert.True(bad.Count == 0, $"README.md lines {string.Join(", ", bad)} mix a fence with text");
        Assert.Equal(0, Lines.Count(l => fence.IsMatch(l)) % 2);
    }

    /// <summary>The excerpt under "For example `conformance check ...` prints" is that command's table, row by row.</summary>
    [Fact]
    public void ScoreboardExcerptIsARealRun()
    {
        int at = Array.FindIndex(Lines, l => l.Contains("`conformance check --backend onnxruntime --op conv2d_layer` prints"));
        Assert.True(at >= 0, "the excerpt's command line is gone from README.md");
        int open = Array.FindIndex(Lines, at, l => l.StartsWith("```", StringComparison.Ordinal));
        var excerpt = Lines.Skip(open + 1).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).ToList();
        var run = CliTestKit.Run("check", "--backend", "onnxruntime", "--op", "conv2d_layer");
        Assert.Equal(0, run.ExitCode);
        var table = run.Out.Split('\n').Select(l => l.TrimEnd()).Where(l => l.TrimStart().StartsWith('┌') || l.TrimStart().StartsWith('│')
            || l.TrimStart().StartsWith('├') || l.TrimStart().StartsWith('└')).ToList();
        Assert.Equal(table, excerpt);
    }
}

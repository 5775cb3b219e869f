using System.Text.Json;
using Conformance.Core.Harness;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary><c>conformance cases</c> lists what runs; <c>check --case</c> runs exactly that subset.</summary>
public sealed class CasesCommandTests
{
    /// <summary>Every listed id is a case of the mode, once, with its summary; the filters narrow it.</summary>
    [Fact]
    public void ListsIdsWithShapesAndAttributes()
    {
        var r = CliTestKit.Run("cases", "--op", "conv2d_layer", "--group", "edge");
        Assert.Equal(0, r.ExitCode);
        var expected = SuiteSettings.Cases(SuiteMode.Default).Where(c => c.Op == "conv2d_layer" && c.Group == "edge").ToList();
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{expected.Count} cases", lines[^1].Trim());
        foreach (var c in expected)
            Assert.Single(lines, l => l.StartsWith(c.Id + " ", StringComparison.Ordinal) && l.Contains(c.Summary()));
    }

    /// <summary>--op repeated selects every named op (a repeat once silently kept only the last); an unknown one is still a usage error.</summary>
    [Fact]
    public void RepeatedOpSelectsEveryNamedOp()
    {
        var r = CliTestKit.Run("cases", "--op", "relu", "--op", "softmax", "--mode", "quick");
        Assert.Equal(0, r.ExitCode);
        var expected = SuiteSettings.Cases(SuiteMode.Quick).Where(c => c.Op is "relu" or "softmax").ToList();
        Assert.Contains(expected, c => c.Op == "relu");
        Assert.Contains(expected, c => c.Op == "softmax");
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{expected.Count} cases", lines[^1].Trim());
        foreach (var c in expected) Assert.Single(lines, l => l.StartsWith(c.Id + " ", StringComparison.Ordinal));
        var bad = CliTestKit.Run("cases", "--op", "relu", "--op", "reluu");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("reluu", bad.Error);
    }

    /// <summary>The NaN and ±∞ cases are a group of their own, listed in every mode, quick included.</summary>
    [Theory]
    [InlineData("quick")]
    [InlineData("default")]
    [InlineData("thorough")]
    public void ListsTheSpecialValueGroupInEveryMode(string mode)
    {
        var r = CliTestKit.Run("cases", "--group", "special", "--mode", mode);
        Assert.Equal(0, r.ExitCode);
        var expected = Core.Cases.CaseCatalog.All.Where(c => c.Group == "special").ToList();
        Assert.NotEmpty(expected);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{expected.Count} cases", lines[^1].Trim());
        foreach (var c in expected)
            Assert.Single(lines, l => l.StartsWith(c.Id + " ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("max_pool2d/special/", StringComparison.Ordinal));
    }

    /// <summary>The JSON form has the ids, shapes and attributes; a pattern selects by id.</summary>
    [Fact]
    public void JsonAndPatterns()
    {
        var r = CliTestKit.Run("cases", "--case", "max_pool2d/edge/*", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        Assert.All(cases, c => Assert.StartsWith("max_pool2d/edge/", c.GetProperty("id").GetString()));
        Assert.All(cases, c => Assert.True(c.GetProperty("attributes").TryGetProperty("pool", out _)));
    }

    /// <summary>check --case runs only the matching cases; a pattern matching nothing is one error naming --case.</summary>
    [Fact]
    public void CheckRunsTheSubset()
    {
        var r = CliTestKit.Run("check", "--backend", "reference", "--case", "relu/edge/*", "--mode", "quick");
        Assert.Equal(0, r.ExitCode);
        int count = SuiteSettings.Cases(SuiteMode.Quick).Count(c => c.Id.StartsWith("relu/edge/", StringComparison.Ordinal));
        Assert.Contains($"reference: {count} case{(count == 1 ? "" : "s")} run", r.Out);
        var none = CliTestKit.Run("check", "--backend", "reference", "--case", "nothing/*");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--case", Assert.Single(none.ErrorLines));
    }
}

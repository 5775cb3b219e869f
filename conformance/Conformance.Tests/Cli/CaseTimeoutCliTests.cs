using System.Diagnostics;
using System.Text.Json;
using Conformance.Cli;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Tests.Harness;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary>`conformance check` and `gradcheck` with a backend that hangs: they finish, name the case and exit 1.</summary>
[Collection(Conformance.Tests.Harness.WallClockCollection.Name)]
public sealed class CaseTimeoutCliTests : IDisposable
{
    private readonly CliTestKit _kit = new();
    private readonly List<HangingBackend> _backends = [];

    public void Dispose()
    {
        foreach (var b in _backends) b.Release();
        _kit.Dispose();
    }

    private static string FirstCase(string op) => SuiteSettings.Cases(SuiteMode.Quick).First(c => c.Op == op).Id;

    [Fact]
    public void CheckWithAStuckBackendFinishesNamesTheCaseAndExitsOne()
    {
        var hung = new HangingBackend("hangs");
        _backends.Add(hung);
        var watch = Stopwatch.StartNew();
        var r = CliTestKit.Run(() => CheckCommandTests.WithBackend(hung), "check", "--backend", "hangs", "--mode", "quick", "--op", "avg_pool2d",
            "--case-timeout", "3");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        string first = FirstCase("avg_pool2d");
        Assert.Contains($"hangs avg_pool2d case {first}: error: exceeded its time limit of 3 s (set by --case-timeout 3;", r.Out);
        Assert.Contains($"error: not run: backend still busy with case {first}, which exceeded its time limit of 3 s", r.Out);
        Assert.Contains("cases FAILED", r.Out);
        Assert.Contains("hangs (quick mode)", r.Out);
    }

    [Fact]
    public void CheckWithARecoverableBackendCountsOneFailureAndPassesTheRest()
    {
        var hung = new RecoverableHangingBackend("recovers");
        _backends.Add(hung);
        string json = _kit.PathOf("score.json");
        var r = CliTestKit.Run(() => CheckCommandTests.WithBackend(hung), "check", "--backend", "recovers", "--mode", "quick", "--op", "relu",
            "--case-timeout", "3", "--json", json);
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Contains($"recovers relu case {FirstCase("relu")}: error: exceeded its time limit of 3 s", r.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var row = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(1, row.GetProperty("failed").GetInt32());
        Assert.Equal(SuiteSettings.Cases(SuiteMode.Quick).Count(c => c.Op == "relu") - 1, row.GetProperty("passed").GetInt32());
        Assert.Single(hung.Causes);
    }

    [Fact]
    public void GradcheckWithAHungBackendFinishesAndExitsOne()
    {
        var hung = new HangingBackend("hangs");
        _backends.Add(hung);
        var r = CliTestKit.Run(() => CheckCommandTests.WithBackend(hung), "gradcheck", "--backend", "hangs", "--op", "relu", "--case-timeout", "3");
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Contains("hangs relu case gradcheck/", r.Out);
        Assert.Contains("error: exceeded its time limit of 3 s", r.Out);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("gradcheck")]
    public void BadCaseTimeoutIsAOneLineUsageError(string verb)
    {
        var r = CliTestKit.Run(verb, "--case-timeout", "soon");
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.Equal("error: argument '--case-timeout': expected a positive number of seconds, or 0 or off to turn the limits off, got 'soon'",
            Assert.Single(r.ErrorLines));
    }
}

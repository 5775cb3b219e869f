using System.Text.Json;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary>`conformance mutants` prints and writes the kill matrix and exits 0 only when every mutant is killed.</summary>
public sealed class MutantsCommandTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void OneMutantInQuickModeIsKilledAndTheMatrixIsWritten()
    {
        string json = _kit.PathOf("kills.json");
        var r = CliTestKit.Run("mutants", "--mode", "quick", "--mutant", "splits-same-padding-the-other-way", "--json", json);
        Assert.True(r.ExitCode == 0, r.Out + r.Error);
        Assert.Contains("kill rate: 1 of 1 mutants (100 %) in quick mode", r.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("quick", doc.RootElement.GetProperty("mode").GetString());
        Assert.Equal(1.0, doc.RootElement.GetProperty("kill_rate").GetDouble());
        var mutant = doc.RootElement.GetProperty("mutants").EnumerateArray().Single();
        Assert.Equal("splits-same-padding-the-other-way", mutant.GetProperty("name").GetString());
        var killers = mutant.GetProperty("killing_cases").EnumerateArray().Select(e => e.GetString()!).ToList();
        // Even kernels with `same` are where the two splits differ: those cases kill it.
        Assert.Contains("conv2d_layer/edge/even-kernel-2x4-same", killers);
        Assert.DoesNotContain(killers, id => id.Contains("odd-kernel-3x3-same/", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnknownMutantIsAUsageErrorListingTheNames()
    {
        var r = CliTestKit.Run("mutants", "--mutant", "no-such-bug");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: argument 'mutant': expected one of forgets-to-flip-the-kernel,", r.Error.Trim());
    }
}

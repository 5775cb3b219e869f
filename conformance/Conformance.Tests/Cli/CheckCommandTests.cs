using System.Text.Json;
using Conformance.Cli;
using Conformance.Core.Backends;
using Conformance.Reference;
using Xunit;
using Conformance.Core.Mutants;

namespace Conformance.Tests.Cli;

/// <summary>`conformance check` prints the scoreboard, writes JSON and Markdown, and exits 1 on any failure.</summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void AllBackendsQuickModeWritesTheScoreboard()
    {
        string json = _kit.PathOf("score.json"), md = _kit.PathOf("score.md");
        var r = CliTestKit.Run("check", "--backend", "all", "--mode", "quick", "--json", json, "--markdown", md);
        Assert.True(r.ExitCode == 0, r.Out + r.Error);
        Assert.Contains("conformance: all compared cases passed", r.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("quick", doc.RootElement.GetProperty("mode").GetString());
        Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
        var rows = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        // Every backend available here × every catalogue op: ilgpu-cuda only where a CUDA device exists.
        bool noCuda = r.Out.Contains("skipped: backend 'ilgpu-cuda' is not available", StringComparison.Ordinal);
        Assert.Equal((noCuda ? 4 : 5) * OpCatalog.All.Count, rows.Count);
        foreach (var row in rows)
        {
            int passed = row.GetProperty("passed").GetInt32(), failed = row.GetProperty("failed").GetInt32(),
                unsupported = row.GetProperty("unsupported").GetInt32();
            Assert.Equal(0, failed);
            Assert.True(passed + unsupported > 0);
            if (passed > 0) Assert.InRange(row.GetProperty("worst_ratio").GetDouble(), 0, 1);
        }
        var onnxBackward = rows.Single(x => x.GetProperty("backend").GetString() == "onnxruntime" &&
                                            x.GetProperty("op").GetString() == "conv2d_layer_backward");
        Assert.Equal(0, onnxBackward.GetProperty("passed").GetInt32());
        Assert.True(onnxBackward.GetProperty("unsupported").GetInt32() > 0);
        Assert.Contains("| `conv2d_layer` |", File.ReadAllText(md));
    }

    [Fact]
    public void AWrongBackendFailsWithTheWorstElementAndExitCodeOne()
    {
        var mutant = new MutantBackend("no-flip", call: c => c with { Attributes = c.Attributes with { Reversal = false } });
        string json = _kit.PathOf("score.json");
        var r = CliTestKit.Run(() => WithBackend(mutant), "check", "--backend", "no-flip", "--mode", "quick", "--op", "conv2d", "--json", json);
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Contains("no-flip conv2d case conv2d/", r.Out);
        Assert.Contains("expected", r.Out);
        Assert.Contains("bound", r.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.False(doc.RootElement.GetProperty("passed").GetBoolean());
        var row = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
        Assert.True(row.GetProperty("failed").GetInt32() > 0);
        Assert.NotEmpty(doc.RootElement.GetProperty("failures").EnumerateArray());
    }

    [Fact]
    public void BadOptionsAreOneLineErrorsAndWriteNothing()
    {
        var r = CliTestKit.Run("check", "--mode", "slow", "--json", _kit.PathOf("s.json"));
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.Equal("error: argument '--mode': expected quick, default or thorough, got 'slow'", Assert.Single(r.ErrorLines));
        var missing = CliTestKit.Run("check", "--json", Path.Combine(_kit.Dir, "no-such-folder", "s.json"));
        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.StartsWith("error: argument '--json': expected a file in an existing folder", Assert.Single(missing.ErrorLines));
        var unknown = CliTestKit.Run("check", "--backend", "nope");
        Assert.Equal(ExitCodes.UsageError, unknown.ExitCode);
        Assert.Single(unknown.ErrorLines);
        Assert.Empty(_kit.Files());
    }

    internal static BackendRegistry WithBackend(IConformanceBackend backend)
    {
        var registry = CliBackends.CreateRegistry();
        registry.Register(backend.Name, () => backend);
        return registry;
    }
}

/// <summary>`conformance gradcheck` and `conformance eval` with every built-in backend.</summary>
public sealed class GradcheckAndBackendEvalTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Theory]
    [InlineData("reference")]
    [InlineData("torchsharp")]
    public void GradcheckPasses(string backend)
    {
        var r = CliTestKit.Run("gradcheck", "--backend", backend);
        Assert.True(r.ExitCode == 0, r.Out + r.Error);
        foreach (string op in new[] { "conv2d_layer", "relu", "max_pool2d", "avg_pool2d", "dense", "softmax_cross_entropy" })
            Assert.Contains(op, r.Out);
        Assert.Matches(@"(?m)^\s+3x3-same-bias\s+dw\s+\d+\s", r.Out);
        Assert.DoesNotContain("FAILED", r.Out);
    }

    public static TheoryData<Whole> PipedCommands => new()
    {
        new Whole("gradcheck --backend reference"),
        new Whole("gradcheck --backend onnxruntime --op conv2d_layer"),
        new Whole("check --backend all --mode quick --op softmax_cross_entropy_backward"),
        new Whole("ops"),
        new Whole("mutants --mode quick --mutant splits-same-padding-the-other-way"),
    };

    /// <summary>Piped output (CI logs) is 100 columns wide: no table or line is wider.</summary>
    [Theory]
    [MemberData(nameof(PipedCommands))]
    public void OutputFitsHundredColumns(Whole line)
    {
        var r = CliTestKit.Run(line.Text.Split(' '));
        Assert.True(r.ExitCode is 0 or 3, r.Out + r.Error);
        string? wide = r.Out.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.Length > 100);
        Assert.True(wide is null, $"a line of {wide?.Length} columns:{Environment.NewLine}{wide}");
    }

    [Fact]
    public void GradcheckOfABackendWithoutBackwardOpsChecksNothingAndSaysSo()
    {
        var r = CliTestKit.Run("gradcheck", "--backend", "onnxruntime", "--op", "dense");
        Assert.Equal(ExitCodes.Unsupported, r.ExitCode);
        Assert.Contains("skipped: ONNX Runtime inference has no backward ops", r.Out);
        Assert.Contains("gradcheck: onnxruntime supports none of the backward calls asked for; nothing was checked", r.Out);
        Assert.DoesNotContain("passed", r.Out);
    }

    [Fact]
    public void CheckThatComparesNothingExitsThreeAndSaysSo()
    {
        var r = CliTestKit.Run("check", "--backend", "onnxruntime", "--mode", "quick", "--op", "relu_backward");
        Assert.Equal(ExitCodes.Unsupported, r.ExitCode);
        Assert.Contains("conformance: nothing was compared (every case was unsupported, or no backend was available)", r.Out);
    }

    [Theory]
    [InlineData(1, "case", "1 case")]
    [InlineData(2, "case", "2 cases")]
    [InlineData(0, "call", "0 calls")]
    [InlineData(1234, "check", "1,234 checks")]
    public void CountsHaveTheirPlural(int n, string noun, string expected) => Assert.Equal(expected, Words.Count(n, noun));

    [Fact]
    public void ProseIsWrappedAtHundredColumnsWithoutLosingAWord()
    {
        string text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));
        string[] lines = Words.Wrap(text).Split(Environment.NewLine);
        Assert.True(lines.Length >= 4);
        Assert.All(lines, l => Assert.InRange(l.Length, 1, Words.Columns));
        Assert.All(lines.Skip(1), l => Assert.StartsWith("  word", l));
        Assert.Equal(text, string.Join(' ', lines.Select(l => l.Trim())));
    }

    [Fact]
    public void GradcheckFailsAWrongBackward()
    {
        var wrong = new MutantBackend("dw-doubled", outputs: (c, o) => c.Op == "dense_backward"
            ? new Dictionary<string, Tensor>(o) { ["dw"] = o["dw"].Map(v => 2 * v) } : o);
        var r = CliTestKit.Run(() => CheckCommandTests.WithBackend(wrong), "gradcheck", "--backend", "dw-doubled", "--op", "dense");
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Contains("FAILED", r.Out);
        Assert.Contains("dw", r.Out);
    }

    [Fact]
    public void GradcheckRejectsAnOpWithoutBackward()
    {
        var r = CliTestKit.Run("gradcheck", "--op", "flatten");
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.StartsWith("error: argument '--op': expected a forward op with a backward", Assert.Single(r.ErrorLines));
    }

    [Theory]
    [InlineData("torchsharp")]
    [InlineData("onnxruntime")]
    public void EvalReproducesTheLectureExampleWithEveryBackend(string backend)
    {
        string x = _kit.Save("x.npy", new Tensor([4], [1, 2, 3, 4])), w = _kit.Save("w.npy", new Tensor([2], [1, 2]));
        string y = _kit.PathOf("y.npy");
        var r = CliTestKit.Run("eval", "conv1d", "--backend", backend, "--in", $"x={x}", "--in", $"w={w}",
            "--attr", "padding=full", "--attr", "reversal=true", "--out", $"y={y}");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal([1.0, 4, 7, 10, 8], Conformance.Core.Io.Npy.Read(y).Data);
    }

    [Fact]
    public void EvalRunsTorchSharpBackward()
    {
        var rng = new Conformance.Core.Cases.SeededRandom(5);
        Tensor R(params int[] s) => Tensor.Zeros(s).Map(_ => rng.Next(-3, 4));
        var (xt, wt, dyt) = (R(1, 5, 5, 2), R(3, 3, 2, 3), R(1, 3, 3, 3));
        string x = _kit.Save("x.npy", xt), w = _kit.Save("w.npy", wt), dy = _kit.Save("dy.npy", dyt);
        var r = CliTestKit.Run("eval", "conv2d_layer_backward", "--backend", "torchsharp", "--in", $"x={x}", "--in", $"w={w}",
            "--in", $"dy={dy}", "--out", $"dw={_kit.PathOf("dw.npy")}");
        Assert.True(r.ExitCode == 0, r.Error);
        // Small integers: the fp32 backend must equal the reference exactly (spec/numerics.md, exact tier).
        var expected = ConvolutionBackward.Conv2dLayerBackward(xt, wt, dyt, OpAttributes.Default).Dw;
        Assert.True(expected.BitwiseEquals(Conformance.Core.Io.Npy.Read(_kit.PathOf("dw.npy"))));
    }
}

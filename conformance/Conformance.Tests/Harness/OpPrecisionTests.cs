using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Harness;

/// <summary>
/// Precision declared per op (BackendCapabilities.OpPrecision): each op is held to the bound of
/// its own arithmetic. A TF32 convolution passes when declared TF32; the same rounding on an op
/// still declared fp32 fails, so a per-op declaration never loosens another op.
/// </summary>
public sealed class OpPrecisionTests
{
    /// <summary>The reference computing <paramref name="tf32Ops"/> on inputs rounded to TF32, as a GPU library's default does.</summary>
    private sealed class Tf32OpsBackend(BackendCapabilities capabilities, params string[] tf32Ops) : IConformanceBackend
    {
        public string Name => "tf32-ops";
        public BackendCapabilities Capabilities { get; } = capabilities;
        public Support Supports(OpCall call) => Support.Yes;

        public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call)
        {
            var inputs = tf32Ops.Contains(call.Op)
                ? call.Inputs.ToDictionary(kv => kv.Key, kv => kv.Key == "labels" ? kv.Value : kv.Value.Map(PrecisionClass.Tf32.RoundToInput))
                : call.Inputs;
            return OpCatalog.Evaluate(call.Op, inputs, call.Attributes);
        }

        public void Dispose() { }
    }

    private static readonly BackendCapabilities ConvInTf32 =
        new("test", PrecisionClass.Fp32) { OpPrecision = new Dictionary<string, PrecisionClass> { ["conv2d_layer"] = PrecisionClass.Tf32 } };

    private static ConformanceCase Probe => CaseCatalog.Get("conv2d_layer/edge/precision-probe-3x3x512-to-8");

    private static ConformanceCase SoftmaxCase => CaseCatalog.Get("softmax/edge/rank4-last-axis");

    [Fact]
    public void AnOpDeclaredTf32IsJudgedInTf32AndTheOthersInTheDefault()
    {
        Assert.Equal(PrecisionClass.Tf32, ConvInTf32.PrecisionOf("conv2d_layer"));
        Assert.Equal(PrecisionClass.Fp32, ConvInTf32.PrecisionOf("conv2d_layer_backward"));
        Assert.Equal(PrecisionClass.Fp32, ConvInTf32.PrecisionOf("softmax"));
        Assert.Equal("fp32; tf32 for conv2d_layer", ConvInTf32.PrecisionSummary);
    }

    [Fact]
    public void Tf32ConvolutionPassesWhenDeclaredAndFailsWhenFp32IsClaimed()
    {
        using var declared = new Tf32OpsBackend(ConvInTf32, "conv2d_layer");
        var pass = CaseRunner.Run(declared, Probe);
        Assert.True(pass.Status == CaseStatus.Passed, pass.Describe());
        Assert.Equal("tf32", pass.Precision);

        // The probe's inputs hold 12 significant bits: TF32 rounding of fp32-declared inputs must show.
        using var claimsFp32 = new Tf32OpsBackend(new("test", PrecisionClass.Fp32), "conv2d_layer");
        var fail = CaseRunner.Run(claimsFp32, Probe);
        Assert.Equal(CaseStatus.Failed, fail.Status);
        Assert.Equal("fp32", fail.Precision);
    }

    [Fact]
    public void DeclaringOneOpTf32DoesNotLoosenAnother()
    {
        using var backend = new Tf32OpsBackend(ConvInTf32, "conv2d_layer", "softmax");
        var result = CaseRunner.Run(backend, SoftmaxCase);
        Assert.Equal(CaseStatus.Failed, result.Status);
        Assert.Equal("fp32", result.Precision);
    }

    [Fact]
    public void TheScoreboardShowsEachOpsPrecision()
    {
        using var backend = new Tf32OpsBackend(ConvInTf32, "conv2d_layer");
        var board = new Scoreboard();
        board.Add(CaseRunner.Run(backend, Probe));
        board.Add(CaseRunner.Run(backend, SoftmaxCase));
        Assert.Equal(["tf32", "fp32"], board.Cells.Select(c => c.Precision));
        Assert.Contains("| `conv2d_layer` | tf32 |", board.ToMarkdown("default"));
        Assert.Contains("\"precision\": \"tf32\"", board.ToJson("default"));
    }

    [Fact]
    public void AWinogradDeclarationShowsItsAlgorithmWhereItApplies()
    {
        var winograd = PrecisionClass.Fp32 with { Algorithm = ConvolutionAlgorithm.WinogradF2x2K3x3 };
        var capabilities = new BackendCapabilities("test", PrecisionClass.Fp32)
        {
            OpPrecision = new Dictionary<string, PrecisionClass> { ["conv2d_layer"] = winograd, ["conv2d_layer_backward"] = winograd },
        };
        Assert.Equal("fp32; fp32 Winograd F(2×2,3×3) for conv2d_layer, conv2d_layer_backward", capabilities.PrecisionSummary);
        // The algorithm is part of the class: declaring it makes a different class from plain fp32.
        Assert.NotEqual(PrecisionClass.Fp32, winograd);
        Assert.Equal("fp32", winograd.LabelFor("softmax"));

        // The reference itself is a correct direct backend: it passes when it declares Winograd, and the board says which.
        using var backend = new Tf32OpsBackend(capabilities);
        var board = new Scoreboard();
        board.Add(CaseRunner.Run(backend, CaseCatalog.Get("conv2d_layer/edge/odd-kernel-3x3-same")));
        board.Add(CaseRunner.Run(backend, SoftmaxCase));
        Assert.Equal(["fp32 Winograd F(2×2,3×3)", "fp32"], board.Cells.Select(c => c.Precision));
        Assert.True(board.AllPassed);
        Assert.Contains("| `conv2d_layer` | fp32 Winograd F(2×2,3×3) |", board.ToMarkdown("default"));
        using var json = System.Text.Json.JsonDocument.Parse(board.ToJson("default"));
        Assert.Equal("fp32 Winograd F(2×2,3×3)", json.RootElement.GetProperty("results")[0].GetProperty("precision").GetString());
    }

    [Fact]
    public void AMisspeltOpIsAnErrorNamingIt()
    {
        var e = Assert.Throws<OpArgumentException>(() =>
            new BackendCapabilities("test", PrecisionClass.Fp32) { OpPrecision = new Dictionary<string, PrecisionClass> { ["conv2d"] = PrecisionClass.Tf32, ["convolution"] = PrecisionClass.Tf32 } });
        Assert.Contains("'convolution'", e.Message);
    }
}

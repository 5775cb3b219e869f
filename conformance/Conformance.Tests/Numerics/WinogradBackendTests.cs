using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Numerics;

/// <summary>
/// The float Winograd oracle as a whole backend, run through the suite's own runner on the
/// catalogue's eligible convolution cases: what a GPU backend declaring Winograd will meet.
/// </summary>
public sealed class WinogradBackendTests
{
    /// <summary>y and dx of eligible calls by <see cref="WinogradOracle"/> in float; dw, db and every other call by the reference.</summary>
    private sealed class FloatWinogradBackend(PrecisionClass declared, WinogradVariant variant = WinogradVariant.None) : IConformanceBackend
    {
        public string Name => "float-winograd";

        public BackendCapabilities Capabilities { get; } = new("cpu (float Winograd F(2×2,3×3) test oracle)", PrecisionClass.Fp32)
        {
            OpPrecision = new Dictionary<string, PrecisionClass> { ["conv2d_layer"] = declared, ["conv2d_layer_backward"] = declared },
        };

        public Support Supports(OpCall call) => Support.Yes;

        public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call)
        {
            var outputs = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes).ToDictionary(kv => kv.Key, kv => kv.Value);
            if (!WinogradMagnitudes.IsEligible(call)) return outputs;
            var (x, w, a) = (call.Inputs["x"], call.Inputs["w"], call.Attributes);
            if (call.Op == "conv2d_layer") outputs["y"] = WinogradOracle.Forward<float>(x, w, call.Inputs.GetValueOrDefault("b"), a, variant);
            else outputs["dx"] = WinogradOracle.BackwardData<float>(x, w, call.Inputs["dy"], a, variant);
            return outputs;
        }

        public void Dispose() { }
    }

    /// <summary>
    /// The eligible catalogued cases of the two ops, but not group special: Winograd spreads a NaN
    /// or ∞ over its tile, which spec/special-values.md reports as a finding, not a rounding error.
    /// </summary>
    private static IEnumerable<ConformanceCase> EligibleCases() => CaseCatalog.Select()
        // On the shapes alone, so that listing the rows builds no data.
        .Where(c => c.Group != CaseCatalog.SpecialGroup && c.Shapes.TryGetValue("w", out var w) && WinogradMagnitudes.IsEligible(c.Op, w, c.Attributes));

    /// <summary>The theory rows: one per eligible case.</summary>
    public static IEnumerable<object[]> EligibleCaseIds() => EligibleCases().Select(c => new object[] { new Whole(c.Id) });

    [Theory]
    [MemberData(nameof(EligibleCaseIds))]
    public void AFloatWinogradBackendPassesEveryEligibleCase(Whole caseId)
    {
        using var backend = new FloatWinogradBackend(WinogradCalls.Fp32Winograd);
        var c = CaseCatalog.Get(caseId);
        Assert.True(WinogradMagnitudes.IsEligible(c.Build(WinogradCalls.Fp32Winograd)));
        var result = CaseRunner.Run(backend, c);
        Assert.True(result.Status == CaseStatus.Passed, result.Describe());
        Assert.Equal("fp32 Winograd F(2×2,3×3)", result.Precision);
    }

    [Fact]
    public void TheCatalogueHasEligibleCasesOfBothOps()
    {
        var ops = EligibleCases().GroupBy(c => c.Op).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(ops.GetValueOrDefault("conv2d_layer") >= 5 && ops.GetValueOrDefault("conv2d_layer_backward") >= 5, string.Join(", ", ops));
    }

    [Fact]
    public void ATf32WinogradDeclaringFp32FailsTheCatalogue()
    {
        // The catalogue's random-data cases catch TF32-rounded transformed tiles in an fp32 Winograd claim.
        using var backend = new FloatWinogradBackend(WinogradCalls.Fp32Winograd, WinogradVariant.Tf32Operands);
        var failed = EligibleCases().Where(c => c.Group == "edge")
            .Select(c => CaseRunner.Run(backend, c)).Where(r => r.Status == CaseStatus.Failed).Select(r => r.CaseId).ToList();
        Assert.Contains("conv2d_layer/edge/odd-kernel-3x3-same", failed);
        Assert.Contains("conv2d_layer_backward/edge/odd-kernel-3x3-same", failed);
        // And the precision probe with one and two channels: its 12-bit integers keep every Winograd
        // intermediate below 2^22, so the Winograd exact tier holds it to bound 0, and TF32 cannot hold them.
        Assert.Contains("conv2d_layer/edge/precision-probe-32x32-batch2", failed);
        Assert.Contains("conv2d_layer_backward/edge/precision-probe-32x32-batch2", failed);
        var probe = CaseRunner.Run(backend, CaseCatalog.Get("conv2d_layer/edge/precision-probe-32x32-batch2"));
        Assert.Contains("bound 0", probe.Describe());
    }
}

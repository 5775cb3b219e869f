using Conformance.Core.Backends;
using Conformance.Core.Gradients;
using Conformance.Core.Harness;
using Conformance.Reference;
using Conformance.Tests.Mutants;
using Xunit;
using Conformance.Core.Mutants;

namespace Conformance.Tests.Numerics;

/// <summary>
/// The gradient check follows the comparison's rules for values that are not finite: a NaN
/// difference fails, and a tolerance that is not finite (an unbounded forward error) lets only an
/// exact match through, instead of a NaN or zero ratio that passes.
/// </summary>
public sealed class NonFiniteGradientCheckTests
{
    private static Dictionary<string, Tensor> WithGradient(IReadOnlyDictionary<string, Tensor> r, string name, Func<double, double> f) =>
        new(r) { [name] = r[name].Map(f) };

    [Fact]
    public void ANaNGradientFailsBothChecks()
    {
        using var nan = new MutantBackend("nan-dx", outputs: (c, r) => c.Op == "dense_backward" ? WithGradient(r, "dx", _ => double.NaN) : r);
        var (label, call) = GradientCases.For("dense", PrecisionClass.Fp32, seed: 3).First();
        var report = GradientCheck.Check(nan, call, label, seed: 3);
        Assert.False(report.Passed);
        var dx = report.FiniteDifferences.Single(t => t.Gradient == "dx");
        Assert.False(dx.Passed, dx.Describe());
        Assert.Equal(double.PositiveInfinity, dx.MaxRatio);
        Assert.True(report.FiniteDifferences.Single(t => t.Gradient == "dw").Passed);
        Assert.Equal(CaseStatus.Failed, report.AgainstReference!.Status);
        Assert.Contains("actual is NaN", report.AgainstReference.Describe());
    }

    [Fact]
    public void AnUnboundedForwardLeavesNoToleranceForAWrongGradient()
    {
        // fp16 accumulation over 3,000 terms: γ = ∞, so the forward's bound and the finite-difference
        // tolerance are infinite; err/tol was 0 and a gradient 50% off passed.
        var fp16Acc = new PrecisionClass("fp16acc", Math.Pow(2, -24), Math.Pow(2, -11), Math.Pow(2, -14));
        using var wrong = new MutantBackend("dx-scaled", outputs: (c, r) => c.Op == "dense_backward" ? WithGradient(r, "dx", v => v * 1.5) : r,
            precision: fp16Acc);
        const int n = 3000;
        var grid = Enumerable.Range(0, n).Select(i => (i % 16 + 0.5) / 16).ToArray();
        var call = new OpCall("dense", new Dictionary<string, Tensor> { ["x"] = new([1, n], grid), ["w"] = new([n, 1], grid) },
            OpAttributes.Default);
        var report = GradientCheck.Check(wrong, call, "fp16acc-3000", seed: 1, maxElements: 16);
        var dx = report.FiniteDifferences.Single(t => t.Gradient == "dx");
        Assert.Equal(double.PositiveInfinity, dx.Tolerance);
        Assert.False(dx.Passed, dx.Describe());
        Assert.Equal(double.PositiveInfinity, dx.MaxRatio);
    }
}

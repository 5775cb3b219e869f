using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Numerics;

/// <summary>
/// The rules of spec/numerics.md ("The report") for NaN, ±∞ and bounds that are not finite: an
/// exact value is owed wherever the error model cannot give a finite bound, and no element ever
/// gets a NaN ratio (which would compare false against 1 and pass).
/// </summary>
public sealed class NonFiniteComparisonTests
{
    private static readonly PrecisionClass Fp32 = PrecisionClass.Fp32;

    private static OutputReport One(double expected, double actual, double bound) =>
        Comparison.Compare("y", new Tensor([1], [expected]), new Tensor([1], [actual]), new Tensor([1], [bound]), Fp32);

    [Theory]
    [InlineData(42.0)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.NaN)]
    [InlineData(double.MaxValue)]
    public void ExpectedPlusInfinityRejectsAnythingElse(double actual)
    {
        // An infinite bound, as the error model gives where the expected value is infinite.
        var r = One(double.PositiveInfinity, actual, double.PositiveInfinity);
        Assert.False(r.Passed);
        Assert.Equal(double.PositiveInfinity, r.MaxRatio);
        Assert.Contains("only exactly +∞ passes", r.Problem);
    }

    [Fact]
    public void ExpectedPlusInfinityAcceptsPlusInfinity()
    {
        var r = One(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);
        Assert.True(r.Passed);
        Assert.Equal(0.0, r.MaxRatio);
        Assert.Equal(0.0, r.Ulps);
    }

    [Fact]
    public void ExpectedMinusInfinityRejectsPlusInfinity() =>
        Assert.Contains("only exactly −∞ passes", One(double.NegativeInfinity, double.PositiveInfinity, 1).Problem);

    [Fact]
    public void DenseWithAnInfiniteInputOwesExactlyThatInfinity()
    {
        // x = [∞, 1]: y = +∞ exactly, and its bound is infinite (mag = ∞); 42 and −∞ used to pass.
        var call = new OpCall("dense", new Dictionary<string, Tensor>
        {
            ["x"] = new([1, 2], [double.PositiveInfinity, 1]), ["w"] = new([2, 1], [0.5, 0.25]),
        }, OpAttributes.Default);
        var expectation = CaseRunner.Expect(call, Fp32);
        Assert.Equal(double.PositiveInfinity, expectation.Outputs["y"].Data[0]);
        Assert.Equal(double.PositiveInfinity, expectation.Bounds["y"].Data[0]);
        foreach (double wrong in new[] { 42, double.NegativeInfinity, double.NaN })
            Assert.False(Compare(expectation, wrong).Passed, $"{wrong} accepted for +∞");
        Assert.True(Compare(expectation, double.PositiveInfinity).Passed);
    }

    [Fact]
    public void ExpectedNaNRejectsZero()
    {
        var r = One(double.NaN, 0, 1);
        Assert.False(r.Passed);
        Assert.Equal(double.PositiveInfinity, r.MaxRatio);
        Assert.Contains("only NaN passes", r.Problem);
    }

    [Fact]
    public void ExpectedNaNAcceptsNaN()
    {
        var r = One(double.NaN, double.NaN, double.NaN);
        Assert.True(r.Passed);
        Assert.Equal(0.0, r.MaxRatio);
    }

    [Theory]
    [InlineData(double.NaN, "actual is NaN")]
    [InlineData(double.PositiveInfinity, "actual is +∞")]
    [InlineData(double.NegativeInfinity, "actual is −∞")]
    public void ExpectedFiniteRejectsANonFiniteActual(double actual, string problem)
    {
        // A generous finite bound: no bound excuses a non-finite value.
        var r = One(1.5, actual, 1e300);
        Assert.False(r.Passed);
        Assert.Equal(double.PositiveInfinity, r.MaxRatio);
        Assert.Contains(problem, r.Problem);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void NoFiniteBoundAcceptsTheExactValue(double bound)
    {
        var r = One(735, 735, bound);
        Assert.True(r.Passed);
        Assert.Equal(0.0, r.MaxRatio);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void NoFiniteBoundRejectsTheSmallestError(double bound)
    {
        // One fp32 ulp off: under an infinite bound error/bound was 0, under a NaN bound NaN; both passed.
        var r = One(735, 735 + Math.Pow(2, -14), bound);
        Assert.False(r.Passed);
        Assert.Equal(double.PositiveInfinity, r.MaxRatio);
        Assert.Contains("no finite bound here", r.Problem);
        Assert.Contains("only the exact value passes", r.Problem);
    }

    [Fact]
    public void Fp16AccumulationOverThreeThousandTermsRejectsZeroFor735()
    {
        // u_acc = 2^-11 and n = 3,000 make n·u_acc ≥ 1, so γ_{n+1} = ∞ and the bound says nothing.
        var fp16Acc = new PrecisionClass("fp16acc", Math.Pow(2, -24), Math.Pow(2, -11), Math.Pow(2, -14));
        const int n = 3000;
        // 0.5·0.5 over the first 2,940 terms: y = 735; halves keep it out of the (integer) exact tier.
        var x = Enumerable.Repeat(0.5, n).ToArray();
        var w = Enumerable.Range(0, n).Select(i => i < 2940 ? 0.5 : 0).ToArray();
        var call = new OpCall("dense", new Dictionary<string, Tensor> { ["x"] = new([1, n], x), ["w"] = new([n, 1], w) },
            OpAttributes.Default);
        var expectation = CaseRunner.Expect(call, fp16Acc);
        Assert.Equal(735.0, expectation.Outputs["y"].Data[0]);
        Assert.Equal(double.PositiveInfinity, expectation.Bounds["y"].Data[0]);
        var r = Compare(expectation, 0, fp16Acc);
        Assert.False(r.Passed);
        Assert.Contains("no finite bound here", r.Problem);
        Assert.True(Compare(expectation, 735, fp16Acc).Passed);
    }

    [Fact]
    public void TheWorstElementReportedIsTheFailingOne()
    {
        // Element 0 fails (+∞ bound, NaN error/bound before); element 1 is within its bound.
        var expected = new Tensor([2], [double.PositiveInfinity, 1]);
        var actual = new Tensor([2], [42, 1 + 1e-7]);
        var bound = new Tensor([2], [double.PositiveInfinity, 2e-7]);
        var r = Comparison.Compare("y", expected, actual, bound, Fp32);
        Assert.False(r.Passed);
        Assert.Equal([0], r.WorstIndex);
        Assert.Equal(42.0, r.Actual);
        Assert.StartsWith("y[0]: expected ", r.Describe());
        Assert.Contains("actual 42, ", r.Describe());
    }

    [Fact]
    public void APassingNonFiniteElementDoesNotHideAFiniteError()
    {
        var expected = new Tensor([3], [double.NaN, double.NegativeInfinity, 2]);
        var actual = new Tensor([3], [double.NaN, double.NegativeInfinity, 2.5]);
        var r = Comparison.Compare("y", expected, actual, new Tensor([3], [0, 0, 0.25]), Fp32);
        Assert.False(r.Passed);
        Assert.Equal([2], r.WorstIndex);
        Assert.Equal(2.0, r.MaxRatio);
        Assert.Equal("error exceeds the bound", r.Problem);
    }

    private static OutputReport Compare(Expectation e, double actual, PrecisionClass? p = null) =>
        Comparison.Compare("y", e.Outputs["y"], new Tensor([1, 1], [actual]), e.Bounds["y"], p ?? Fp32);
}

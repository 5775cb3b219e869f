using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Numerics;

/// <summary>The bounds of spec/numerics.md on calls small enough to work out by hand.</summary>
public sealed class ErrorModelTests
{
    private static readonly double U = Math.Pow(2, -24);

    private static OpCall Dense(double[] x, double[] w) => new("dense",
        new Dictionary<string, Tensor> { ["x"] = new([1, x.Length], x), ["w"] = new([w.Length, 1], w) }, OpAttributes.Default);

    [Fact]
    public void DenseBoundIsTwoInputUnitsPlusGammaTimesTheAbsoluteSum()
    {
        // y = 0.5·(−0.25) + 0.75·0.125: mag = 0.125 + 0.09375, n = 2, so (2u + γ_3)·mag + 2·MinNormal.
        var call = Dense([0.5, 0.75], [-0.25, 0.125]);
        var bound = ErrorModel.Bounds(call, OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes), PrecisionClass.Fp32)["y"];
        double expected = (2 * U + 3 * U / (1 - 3 * U)) * 0.21875 + 2 * Math.Pow(2, -126);
        Assert.Equal(expected, bound.Data[0], 15);
    }

    [Fact]
    public void IntegerInputsGiveTheExactTier()
    {
        var call = Dense([3, -2, 1], [2, 2, -3]);
        var bound = ErrorModel.Bounds(call, OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes), PrecisionClass.Fp32)["y"];
        Assert.Equal(0.0, bound.Data[0]);
        // Past 2^24 in magnitude partial sums stop being exact in fp32, so the bound is no longer zero.
        var big = Dense([4096, 4096], [4096, 4096]);
        var bigBound = ErrorModel.Bounds(big, OpCatalog.Evaluate(big.Op, big.Inputs, big.Attributes), PrecisionClass.Fp32)["y"];
        Assert.True(bigBound.Data[0] > 0);
        // Winograd's own exact tier and its bounds are in WinogradBoundTests.
    }

    [Fact]
    public void SelectionOpsMustBeExact()
    {
        var call = new OpCall("relu", new Dictionary<string, Tensor> { ["x"] = new([3], [-0.3, 0, 0.7]) }, OpAttributes.Default);
        var bound = ErrorModel.Bounds(call, OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes), PrecisionClass.Bf16)["y"];
        Assert.All(bound.Data, b => Assert.Equal(0.0, b));
    }

    [Fact]
    public void AccumulatedTermsFollowTheTableOfTheSpec()
    {
        var x = Tensor.Zeros(2, 6, 6, 4);
        var w = Tensor.Zeros(3, 2, 2, 6);
        var a = new OpAttributes { Groups = 2, Padding = Padding.Same };
        var layer = new OpCall("conv2d_layer", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w, ["b"] = Tensor.Zeros(6) }, a);
        Assert.Equal(3 * 2 * 2 + 1, ErrorModel.AccumulatedTerms(layer, "y"));
        var backward = new OpCall("conv2d_layer_backward",
            new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w, ["dy"] = Tensor.Zeros(2, 6, 6, 6) }, a);
        Assert.Equal(6 / 2 * 3 * 2, ErrorModel.AccumulatedTerms(backward, "dx"));
        Assert.Equal(2 * 6 * 6, ErrorModel.AccumulatedTerms(backward, "dw"));
        var pool = new OpCall("avg_pool2d_backward", new Dictionary<string, Tensor> { ["x"] = x, ["dy"] = Tensor.Zeros(2, 3, 3, 4) },
            new OpAttributes { Pool = Pair.Of(3), Strides = Pair.Of(2), Padding = Padding.Same });
        Assert.Equal(2 * 2 * 2, ErrorModel.AccumulatedTerms(pool, "dx"));
    }

    [Fact]
    public void RoundingToTheInputFormatKeepsTheRightNumberOfBits()
    {
        double v = 1 + Math.Pow(2, -9) + Math.Pow(2, -20);
        Assert.Equal(1 + Math.Pow(2, -9) + Math.Pow(2, -20), PrecisionClass.Fp32.RoundToInput(v));
        Assert.Equal(1 + Math.Pow(2, -9), PrecisionClass.Tf32.RoundToInput(v));
        Assert.Equal(1.0, PrecisionClass.Bf16.RoundToInput(v));
        // Ties go to even: 1 + 2^-8 lies halfway between bf16's 1 and 1 + 2^-7.
        Assert.Equal(1.0, PrecisionClass.Bf16.RoundToInput(1 + Math.Pow(2, -8)));
        Assert.Equal(1 + 2 * Math.Pow(2, -7), PrecisionClass.Bf16.RoundToInput(1 + 3 * Math.Pow(2, -8)));
    }
}

/// <summary>The comparison's verdict, ratio and ULPs on hand-made tensors.</summary>
public sealed class ComparisonTests
{
    [Fact]
    public void ReportsTheWorstElementWithRatioAndUlps()
    {
        var expected = new Tensor([3], [1, 2, 4]);
        var actual = new Tensor([3], [1, 2 + Math.Pow(2, -22), 4]);
        var bound = new Tensor([3], [0, Math.Pow(2, -21), 0]);
        var r = Comparison.Compare("y", expected, actual, bound, PrecisionClass.Fp32);
        Assert.True(r.Passed);
        Assert.Equal([1], r.WorstIndex);
        Assert.Equal(0.5, r.MaxRatio);
        // fp32's ulp at 2 is 2^-22.
        Assert.Equal(1.0, r.Ulps);
    }

    [Fact]
    public void AnyErrorWhereTheBoundIsZeroFails()
    {
        var r = Comparison.Compare("y", new Tensor([2], [1, 0]), new Tensor([2], [1, 1e-30]), Tensor.Zeros(2), PrecisionClass.Fp32);
        Assert.False(r.Passed);
        Assert.Equal(double.PositiveInfinity, r.MaxRatio);
        Assert.Equal([1], r.WorstIndex);
    }

    [Fact]
    public void ShapeNaNAndMissingOutputsFail()
    {
        var e = new Tensor([2], [1, 2]);
        Assert.Contains("shape [1, 2]", Comparison.Compare("y", e, new Tensor([1, 2], [1, 2]), Tensor.Zeros(2), PrecisionClass.Fp32).Describe());
        Assert.False(Comparison.Compare("y", e, new Tensor([2], [1, double.NaN]), new Tensor([2], [1, 1]), PrecisionClass.Fp32).Passed);
        Assert.False(Comparison.Compare("y", e, null, Tensor.Zeros(2), PrecisionClass.Fp32).Passed);
        // −0 and +0 are the same value (ONNX Runtime's relu returns −0 for negative inputs).
        Assert.True(Comparison.Compare("y", new Tensor([1], [0.0]), new Tensor([1], [-0.0]), Tensor.Zeros(1), PrecisionClass.Fp32).Passed);
    }

    /// <summary>
    /// Dense's magnitudes are taken with |·| on the fly (no copy of the 822 MB fc1 weight), in the
    /// reference's summation order: the bounds are bit for bit those of the op evaluated on |inputs|.
    /// </summary>
    [Theory]
    [InlineData("dense", 3, 37, 5)]
    [InlineData("dense_backward", 4, 29, 6)]
    public void DenseBoundsEqualTheOpOnAbsoluteInputsBitForBit(string op, int batch, int nin, int nout)
    {
        var rng = new Random(5);
        Tensor R(params int[] shape)
        {
            var t = Tensor.Zeros(shape);
            for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
            return t;
        }
        var inputs = new Dictionary<string, Tensor> { ["x"] = R(batch, nin), ["w"] = R(nin, nout) };
        if (op == "dense") inputs["b"] = R(nout);
        else inputs["dy"] = R(batch, nout);
        var call = new OpCall(op, inputs, OpAttributes.Default);
        var magnitudes = OpCatalog.Evaluate(op, inputs.ToDictionary(kv => kv.Key, kv => kv.Value.Abs()), call.Attributes);
        foreach (var (name, bound) in ErrorModel.LinearBounds(call, PrecisionClass.Fp32))
        {
            long n = ErrorModel.AccumulatedTerms(call, name);
            var expected = magnitudes[name].Data.Select(m => ErrorModel.LinearBound(m, n, PrecisionClass.Fp32));
            Assert.Equal(expected, bound.Data);
        }
    }
}

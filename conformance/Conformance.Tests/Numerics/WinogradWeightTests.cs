using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Conformance.Tests.Properties;
using Xunit;
using Xunit.Abstractions;

namespace Conformance.Tests.Numerics;

/// <summary>
/// dw by Winograd F(2×2,3×3) transposed (spec/numerics.md, "Weight gradient") against the float
/// oracle <see cref="WinogradWeightOracle"/>: the transposed tiling is the reference's dw, a correct
/// fp32 one stays within the bound, W is the computation on absolute values, an adversarial tile
/// needs it, and a wrong one fails.
/// </summary>
public sealed class WinogradWeightTests(ITestOutputHelper output)
{
    private const int Cases = 200;

    /// <summary>Relative slack for comparing two double evaluations of W summed in different orders.</summary>
    private const double SummationOrderSlack = 1e-12;

    [ConformanceProperty(Cases)]
    public void TheTransposedTilingComputesTheReferenceWeightGradient(WinogradCase wc)
    {
        // In double: integers are exact in both, so they agree bit for bit; on reals each is within its fp64 bound.
        var c = wc.Case;
        var call = WinogradCalls.Backward(c);
        var expected = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
        var actual = WinogradWeightOracle.Weights<double>(c.X, c.W, c.Dy, c.A);
        if (wc.Integer) TT.Exact(expected["dw"], actual, "dw");
        else
        {
            var bound = ErrorModel.Bounds(call, expected, PrecisionClass.Fp64 with { Algorithm = ConvolutionAlgorithm.WinogradF2x2K3x3 })["dw"];
            TT.Close(expected["dw"], actual, i => 2 * bound.Data[i], "dw");
        }
    }

    [ConformanceProperty(Cases)]
    public void FloatWinogradWeightsAreWithinTheWinogradBound(WinogradCase wc)
    {
        var c = wc.Case;
        var dw = WinogradCalls.Judge(WinogradCalls.Backward(c), "dw", WinogradWeightOracle.Weights<float>(c.X, c.W, c.Dy, c.A), WinogradCalls.Fp32Winograd);
        Assert.True(dw.Passed, dw.Describe());
    }

    [ConformanceProperty(Cases)]
    public void TheWeightMagnitudeIsTheTransformsOnAbsoluteValues(WinogradCase wc)
    {
        var c = wc.Case;
        var call = WinogradCalls.Backward(c);
        var oracle = WinogradWeightOracle.Weights<double>(c.X.Abs(), c.W.Abs(), c.Dy.Abs(), c.A, WinogradWeightVariant.AbsoluteValues);
        var wm = WinogradMagnitudes.Evaluate(call, "dw");
        TT.Close(oracle, wm.Magnitude, i => SummationOrderSlack * oracle.Data[i], "W of dw");
        var direct = WinogradCalls.DirectMagnitudes(call)["dw"];
        for (int i = 0; i < direct.Length; i++)
            Assert.True(wm.Magnitude.Data[i] >= direct.Data[i] * (1 - SummationOrderSlack), $"W < direct magnitude at {i}");
        for (int i = 0; i < wm.Magnitude.Length; i++)
            Assert.Equal((wm.Magnitude.Data[i], wm.FlushUnits.Data[i]), WinogradMagnitudes.At(call, "dw", i));
        Assert.Equal(wm.Roundings, WinogradMagnitudes.Roundings(call, "dw"));
    }

    /// <summary>
    /// One tile (valid padding, one channel) with x[2,2] huge: tap (0, 0) reads x[i] for i in the
    /// 2×2 block at the origin only, so dw[0,0]'s direct magnitude is small, but x[2,2] enters the
    /// nine transformed elements that tap is made of, where its terms cancel only in exact arithmetic.
    /// </summary>
    [Fact]
    public void AnAdversarialTileExceedsTheDirectBoundButNotTheWinogradBound()
    {
        var rng = new Random(5);
        var x = Tensor.Zeros(1, 4, 4, 1);
        for (int i = 0; i < 16; i++) x.Data[i] = (float)(0.3 + 0.7 * rng.NextDouble());
        x[0, 2, 2, 0] = (float)(1_000_000 + rng.NextDouble());
        var dy = Tensor.Zeros(1, 2, 2, 1);
        for (int i = 0; i < 4; i++) dy.Data[i] = (float)(0.3 + 0.7 * rng.NextDouble());
        var c = new LayerCase(x, Tensor.Zeros(3, 3, 1, 1), null, dy, OpAttributes.Default);
        var call = WinogradCalls.Backward(c);
        var actual = WinogradWeightOracle.Weights<float>(x, c.W, dy, c.A);
        var direct = WinogradCalls.Judge(call, "dw", actual, PrecisionClass.Fp32);
        var winograd = WinogradCalls.Judge(call, "dw", actual, WinogradCalls.Fp32Winograd);
        output.WriteLine($"direct: {direct.Describe()}; Winograd: {winograd.Describe()}");
        Assert.False(direct.Passed);
        Assert.True(winograd.Passed, winograd.Describe());
        double ratio = WinogradMagnitudes.Evaluate(call, "dw").Magnitude[0, 0, 0, 0] / WinogradCalls.DirectMagnitudes(call)["dw"][0, 0, 0, 0];
        Assert.True(ratio > 1e5, $"W/mag at dw[0,0] = {ratio}");
    }

    [Fact]
    public void AWrongWinogradWeightGradientFailsOnOrdinaryRandomData()
    {
        var rng = new Random(23);
        var x = Random(rng, 2, 9, 9, 8);
        var w = Random(rng, 3, 3, 8, 8);
        var dy = Random(rng, 2, 9, 9, 8);
        var c = new LayerCase(x, w, null, dy, new OpAttributes { Padding = Padding.Same });
        var dw = WinogradCalls.Judge(WinogradCalls.Backward(c), "dw",
            WinogradWeightOracle.Weights<float>(x, w, dy, c.A, WinogradWeightVariant.SignErrorInA), WinogradCalls.Fp32Winograd);
        output.WriteLine(dw.Describe());
        Assert.False(dw.Passed);
        Assert.True(dw.MaxRatio > 10, dw.Describe());
    }

    [Fact]
    public void TheRoundingCountOfDwIsTheTilesPlusNine()
    {
        // Input 2 + gradient 2 + product 1 + (T − 1) + Gᵀ·S·G 4 + store 1.
        Assert.Equal((2, 4), (WinogradF2x2.GradientTransformRoundings, WinogradF2x2.WeightTransformRoundings));
        Assert.Equal(109, WinogradF2x2.WeightRoundings(100));
        // The gradient transform's flush units: corners carry none, edges one addition, the middle three.
        Assert.Equal([0, 1, 1, 0, 1, 3, 3, 1, 1, 3, 3, 1, 0, 1, 1, 0], WinogradF2x2.GradientUnits);
    }

    [Fact]
    public void TheNetworkToleranceBoundsOfDwHold()
    {
        // ‖W‖ ≤ 6κ_w·‖x‖·‖dy‖ and F ≤ its bound from max|x| and max|dy|, as the network tolerance uses them.
        var rng = new Random(31);
        foreach (var (cin, cout, groups, padding, reversal) in new[]
            { (4, 4, 1, Padding.Same, false), (6, 4, 2, Padding.Valid, false), (3, 5, 1, Padding.Full, true), (8, 8, 1, Padding.Same, true) })
        {
            var a = new OpAttributes { Padding = padding, Groups = groups, Reversal = reversal };
            var x = Random(rng, 2, 7, 9, cin);
            var w = Random(rng, 3, 3, cin / groups, cout);
            var dy = Random(rng, OpCatalog.Evaluate("conv2d_layer", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w }, a)["y"].Shape);
            var call = WinogradCalls.Backward(new LayerCase(x, w, null, dy, a));
            var wm = WinogradMagnitudes.Evaluate(call, "dw");
            double norm = Conformance.Core.Networks.NetworkTolerance.Norm(wm.Magnitude);
            double bound = WinogradF2x2.WeightMagnitudeNormBound(Conformance.Core.Networks.NetworkTolerance.Norm(x), Conformance.Core.Networks.NetworkTolerance.Norm(dy));
            Assert.True(norm <= bound, $"‖W‖ {norm} > {bound}");
            int tiles = dy.Shape[0] * ((dy.Shape[1] + 1) / 2) * ((dy.Shape[2] + 1) / 2);
            Assert.True(wm.FlushUnits.Data.Max() <= WinogradF2x2.WeightFlushUnitsBound(tiles, x.Data.Max(Math.Abs), dy.Data.Max(Math.Abs)));
            output.WriteLine($"cin {cin} cout {cout} groups {groups} {padding}: ‖W‖ / bound {norm / bound:G3}");
        }
    }

    private static Tensor Random(Random rng, params int[] shape) => WinogradBoundTests.Random(rng, shape);
}

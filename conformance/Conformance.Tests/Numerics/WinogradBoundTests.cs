using Conformance.Core.Backends;
using Conformance.Core.Networks;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Conformance.Tests.Properties;
using Xunit;
using Xunit.Abstractions;

namespace Conformance.Tests.Numerics;

/// <summary>
/// The Winograd F(2×2,3×3) bound of spec/numerics.md on hand-built and seeded random calls: why the
/// direct bound cannot hold Winograd, where the direct bound still applies, wrong Winograd
/// implementations it rejects, its exact tier, its constants, and its use by the network checks.
/// </summary>
public sealed class WinogradBoundTests(ITestOutputHelper output)
{
    private static readonly PrecisionClass Fp32Winograd = WinogradCalls.Fp32Winograd;

    /// <summary>Random fp32 data in [−1, 1) of a shape, from a fixed seed.</summary>
    internal static Tensor Random(Random rng, params int[] shape) => Backends.OnnxRuntimeTestSupport.Random(rng, shape);

    /// <summary>A same-padded layer with bias: x[2,9,9,cin], w[3,3,cin/G,cout], and dy.</summary>
    private static LayerCase Layer(Random rng, int cin, int cout, int groups = 1, OpAttributes? a = null, int k = 3)
    {
        a ??= new OpAttributes { Padding = Padding.Same, Groups = groups };
        var x = Random(rng, 2, 9, 9, cin);
        var w = Random(rng, k, k, cin / groups, cout);
        var shape = OpCatalog.Evaluate("conv2d_layer", new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w }, a)["y"].Shape;
        return new LayerCase(x, w, Random(rng, cout), Random(rng, shape), a);
    }

    /// <summary>
    /// One 4×4 tile (valid padding, one channel, output 2×2) whose x[2,2] is huge while w[2,2] = 0:
    /// y[0,0] does not depend on x[2,2], so its direct magnitude is small, but x[2,2] enters every
    /// transformed element y[0,0] is made of, and its rounding errors are not cancelled.
    /// </summary>
    private static LayerCase AdversarialTile()
    {
        var rng = new Random(11);
        var x = Tensor.Zeros(1, 4, 4, 1);
        for (int i = 0; i < 16; i++) x.Data[i] = (float)(0.3 + 0.7 * rng.NextDouble());
        x[0, 2, 2, 0] = (float)(1_000_000 + rng.NextDouble());
        var w = Tensor.Zeros(3, 3, 1, 1);
        for (int i = 0; i < 9; i++) w.Data[i] = (float)(0.3 + 0.7 * rng.NextDouble());
        w[2, 2, 0, 0] = 0;
        return new LayerCase(x, w, null, Tensor.Zeros(1, 2, 2, 1), OpAttributes.Default);
    }

    [Fact]
    public void AnAdversarialTileExceedsTheDirectBoundButNotTheWinogradBound()
    {
        var c = AdversarialTile();
        var call = WinogradCalls.Forward(c);
        var y = WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A);
        var direct = WinogradCalls.Judge(call, "y", y, PrecisionClass.Fp32);
        var winograd = WinogradCalls.Judge(call, "y", y, Fp32Winograd);
        var w = WinogradMagnitudes.Evaluate(call, "y").Magnitude;
        var mag = WinogradCalls.DirectMagnitudes(call)["y"];
        var expected = Ref.Layer(c.X, c.W, c.B, c.A);
        double atOrigin = Math.Abs(y.Data[0] - expected.Data[0]) / ErrorModel.LinearBounds(call, Fp32Winograd)["y"].Data[0];
        output.WriteLine($"y[0,0]: W/direct magnitude {w.Data[0] / mag.Data[0]:G3}, error/Winograd bound {atOrigin:G3}; direct: {direct.Describe()}; Winograd: {winograd.Describe()}");
        // A correct Winograd fails the direct bound by far (a constant factor would have to be this large, and data-dependent) ...
        Assert.False(direct.Passed);
        Assert.True(direct.MaxRatio > 100, direct.Describe());
        Assert.Equal(new[] { 0, 0, 0, 0 }, direct.WorstIndex);
        // ... and is well inside the Winograd bound.
        Assert.True(winograd.Passed, winograd.Describe());
        Assert.True(winograd.MaxRatio < 0.5, winograd.Describe());
    }

    [Fact]
    public void FlushToZeroLossesAreScaledByTheFilterSoTheFloorDependsOnTheData()
    {
        // x near the underflow threshold (normal, 2.0e-38 to 2.5e-38) with w near 1e30: the
        // differences Bᵀ·d forms are subnormal and flushed, and each lost part (< MinNormal) is then
        // multiplied by U ~ 1e30. No constant multiple of MinNormal covers that; F, which carries
        // the losses through |U|, does.
        var rng = new Random(13);
        var x = Tensor.Zeros(1, 4, 4, 1).Map(_ => (float)((20 + 5 * rng.NextDouble()) * 1e-39));
        var w = Tensor.Zeros(3, 3, 1, 1).Map(_ => (float)((1 + rng.NextDouble()) * 1e30));
        var c = new LayerCase(x, w, null, Tensor.Zeros(1, 2, 2, 1), OpAttributes.Default);
        var call = WinogradCalls.Forward(c);
        var y = WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A, WinogradVariant.FlushToZero);
        var report = WinogradCalls.Judge(call, "y", y, Fp32Winograd);
        Assert.True(report.Passed, report.Describe());
        var expected = Ref.Layer(c.X, c.W, c.B, c.A);
        var wm = WinogradMagnitudes.Evaluate(call, "y");
        double relative = 2 * Fp32Winograd.InputUnit + ErrorModel.Gamma(wm.Roundings, Fp32Winograd.AccumulationUnit);
        // A floor of 10^20 MinNormal per element, far beyond any count of operations, is still too small.
        const double GenerousConstantFloor = 1e20;
        double worst = Enumerable.Range(0, 4).Max(i =>
            Math.Abs(y.Data[i] - expected.Data[i]) / (relative * wm.Magnitude.Data[i] + GenerousConstantFloor * Fp32Winograd.MinNormal));
        output.WriteLine($"flush to zero: {report.Describe()}; error / (relative term + 1e20·MinNormal) up to {worst:G3}; F up to {wm.FlushUnits.Data.Max():G3}");
        Assert.True(worst > 1);
    }

    [Fact]
    public void OnRandomDataAFloatWinogradUsesASmallShareOfItsBound()
    {
        var rng = new Random(37);
        foreach (var (cin, cout) in new[] { (1, 1), (4, 4), (16, 8), (64, 8) })
        {
            var c = Layer(rng, cin, cout);
            var call = WinogradCalls.Forward(c);
            var y = WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A);
            var winograd = WinogradCalls.Judge(call, "y", y, Fp32Winograd);
            var direct = WinogradCalls.Judge(call, "y", y, PrecisionClass.Fp32);
            output.WriteLine($"C = {cin}: float Winograd error / bound: Winograd {winograd.MaxRatio:G3}, direct {direct.MaxRatio:G3}");
            Assert.True(winograd.Passed, winograd.Describe());
        }
    }

    [Fact]
    public void AnInfinityReachesOnlyTheWindowsThatHoldIt()
    {
        // x[3,3] = ∞ lies in the window of y[1,1] only: the three other outputs of the tile keep
        // a finite W, a finite bound and a finite, correct value.
        var c = AdversarialTile();
        c.X[0, 3, 3, 0] = double.PositiveInfinity;
        var call = WinogradCalls.Forward(c);
        var w = WinogradMagnitudes.Evaluate(call, "y").Magnitude.Data;
        Assert.Equal(new[] { true, true, true, false }, w.Select(double.IsFinite));
        var expected = Ref.Layer(c.X, c.W, c.B, c.A).Data;
        var y = WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A).Data;
        var bound = ErrorModel.LinearBounds(call, Fp32Winograd)["y"].Data;
        var direct = ErrorModel.LinearBounds(call, PrecisionClass.Fp32)["y"].Data;
        for (int i = 0; i < 3; i++)
        {
            Assert.True(double.IsFinite(bound[i]) && bound[i] >= direct[i]);
            Assert.True(Math.Abs(y[i] - expected[i]) <= bound[i], $"y[{i}]: {y[i]} vs {expected[i]}, bound {bound[i]}");
        }
        Assert.Equal(direct[3], bound[3]);
    }

    [Fact]
    public void NonEligibleCallsBiasGradientsAndOtherOpsKeepTheDirectBound()
    {
        var rng = new Random(3);
        var cases = new[]
        {
            Layer(rng, 4, 3, a: new OpAttributes { Padding = Padding.Same, Strides = Pair.Of(2) }),
            Layer(rng, 4, 3, a: new OpAttributes { Padding = Padding.Same, Strides = new Pair(1, 2) }),
            Layer(rng, 4, 3, a: new OpAttributes { Padding = Padding.Same, Dilation = Pair.Of(2) }),
            Layer(rng, 4, 3, k: 5),
        };
        foreach (var c in cases)
            foreach (var call in new[] { WinogradCalls.Forward(c), WinogradCalls.Backward(c) })
                AssertSameBounds(call, call.Info.Outputs);
        // Eligible: db keeps the direct bound, y, dx and dw get the larger of the two.
        var eligible = Layer(rng, 4, 3);
        AssertSameBounds(WinogradCalls.Backward(eligible), ["db"]);
        foreach (var (call, name) in new[]
            { (WinogradCalls.Forward(eligible), "y"), (WinogradCalls.Backward(eligible), "dx"), (WinogradCalls.Backward(eligible), "dw") })
        {
            var direct = ErrorModel.LinearBounds(call, PrecisionClass.Fp32)[name].Data;
            var winograd = ErrorModel.LinearBounds(call, Fp32Winograd)[name].Data;
            Assert.All(Enumerable.Range(0, direct.Length), i => Assert.True(winograd[i] >= direct[i]));
            Assert.Contains(Enumerable.Range(0, direct.Length), i => winograd[i] > direct[i]);
        }
        // Other ops ignore the algorithm.
        var dense = new OpCall("dense", new Dictionary<string, Tensor> { ["x"] = Random(rng, 2, 5), ["w"] = Random(rng, 5, 3) }, OpAttributes.Default);
        AssertSameBounds(dense, ["y"]);

        static void AssertSameBounds(OpCall call, IEnumerable<string> outputs)
        {
            var direct = ErrorModel.LinearBounds(call, PrecisionClass.Fp32);
            var winograd = ErrorModel.LinearBounds(call, Fp32Winograd);
            foreach (string name in outputs) Assert.Equal(direct[name].Data, winograd[name].Data);
        }
    }

    [Theory]
    [InlineData(WinogradVariant.SignErrorInBt)]
    [InlineData(WinogradVariant.Tf32Operands)]
    public void AWrongWinogradFailsOnOrdinaryRandomData(WinogradVariant variant)
    {
        var c = Layer(new Random(17), 8, 8);
        var y = WinogradCalls.Judge(WinogradCalls.Forward(c), "y", WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A, variant), Fp32Winograd);
        var dx = WinogradCalls.Judge(WinogradCalls.Backward(c), "dx", WinogradOracle.BackwardData<float>(c.X, c.W, c.Dy, c.A, variant), Fp32Winograd);
        output.WriteLine($"{variant}: y {y.Describe()}; dx {dx.Describe()}");
        Assert.False(y.Passed);
        Assert.False(dx.Passed);
        Assert.True(Math.Min(y.MaxRatio, dx.MaxRatio) > 10, $"{y.Describe()}; {dx.Describe()}");
    }

    [Fact]
    public void Tf32OperandsPassWhenTf32WinogradIsDeclared()
    {
        // The 2·u_in term is what covers a backend that rounds U and V to its input format.
        var tf32Winograd = PrecisionClass.Tf32 with { Algorithm = ConvolutionAlgorithm.WinogradF2x2K3x3 };
        var c0 = Layer(new Random(17), 8, 8);
        Tensor Tf32(Tensor t) => t.Map(tf32Winograd.RoundToInput);
        var c = c0 with { X = Tf32(c0.X), W = Tf32(c0.W), B = Tf32(c0.B!), Dy = Tf32(c0.Dy) };
        var variant = WinogradVariant.Tf32Operands;
        var y = WinogradCalls.Judge(WinogradCalls.Forward(c), "y", WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A, variant), tf32Winograd);
        var dx = WinogradCalls.Judge(WinogradCalls.Backward(c), "dx", WinogradOracle.BackwardData<float>(c.X, c.W, c.Dy, c.A, variant), tf32Winograd);
        Assert.True(y.Passed, y.Describe());
        Assert.True(dx.Passed, dx.Describe());
    }

    [Fact]
    public void SmallIntegersAreExactUnderWinograd()
    {
        var rng = new Random(23);
        Tensor Ints(params int[] shape) => Tensor.Zeros(shape).Map(_ => rng.Next(-4, 5));
        var a = new OpAttributes { Padding = Padding.Same, Reversal = true, Groups = 2 };
        var c = new LayerCase(Ints(2, 7, 6, 4), Ints(3, 3, 2, 6), Ints(6), Ints(2, 7, 6, 6), a);
        foreach (var (call, name, actual) in new[]
        {
            (WinogradCalls.Forward(c), "y", WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A)),
            (WinogradCalls.Backward(c), "dx", WinogradOracle.BackwardData<float>(c.X, c.W, c.Dy, c.A)),
        })
        {
            Assert.All(ErrorModel.LinearBounds(call, Fp32Winograd)[name].Data, b => Assert.Equal(0.0, b));
            var report = WinogradCalls.Judge(call, name, actual, Fp32Winograd);
            Assert.True(report.Passed && report.MaxRatio == 0, report.Describe());
        }
        // Integers of 2^18: the direct sums stay below 2^24 (exact), but the transformed ones pass 2^22.
        var big = new LayerCase(Ints(1, 6, 6, 1).Map(v => v * 65536), Ints(3, 3, 1, 1), null, Ints(1, 6, 6, 1), new OpAttributes { Padding = Padding.Same });
        var bigCall = WinogradCalls.Forward(big);
        Assert.All(ErrorModel.LinearBounds(bigCall, PrecisionClass.Fp32)["y"].Data, b => Assert.Equal(0.0, b));
        Assert.Contains(ErrorModel.LinearBounds(bigCall, Fp32Winograd)["y"].Data, b => b > 0);
    }

    [Fact]
    public void TheCountsFollowTheTransforms()
    {
        Assert.Equal((2, 4, 4), (WinogradF2x2.InputTransformRoundings, WinogradF2x2.FilterTransformRoundings, WinogradF2x2.OutputTransformRoundings));
        var c = Layer(new Random(5), 10, 6, groups: 2);
        // R = C + 11, + 1 with a bias: C = Cin/G = 5 for y, Cout/G = 3 for dx.
        Assert.Equal(5 + 11 + 1, WinogradMagnitudes.Roundings(WinogradCalls.Forward(c), "y"));
        Assert.Equal(3 + 11, WinogradMagnitudes.Roundings(WinogradCalls.Backward(c), "dx"));
        Assert.All(WinogradF2x2.InputUnits, u => Assert.Equal(3.0, u));
        Assert.Equal(new double[] { 0, 5, 5, 0, 5, 12.5, 12.5, 5, 5, 12.5, 12.5, 5, 0, 5, 5, 0 }, WinogradF2x2.FilterUnits);
        Assert.Equal(10.0, WinogradF2x2.Kappa);
    }

    [Fact]
    public void TheNetworkToleranceBoundsHoldAndWIsSeveralTimesTheDirectMagnitude()
    {
        var rng = new Random(29);
        var ratios = new List<double>();
        foreach (var c in new[] { Layer(rng, 4, 4), Layer(rng, 6, 4, groups: 2), Layer(rng, 16, 8), Layer(rng, 3, 3, a: new OpAttributes { Padding = Padding.Full, Reversal = true }) })
            foreach (var (call, name, data, bias) in new[]
            {
                (WinogradCalls.Forward(c), "y", c.X, c.B), (WinogradCalls.Backward(c), "dx", c.Dy, (Tensor?)null),
            })
            {
                var wm = WinogradMagnitudes.Evaluate(call, name);
                double positions = (double)wm.Magnitude.Length / wm.Magnitude.Shape[3];
                double normBound = WinogradF2x2.MagnitudeNormBound(NetworkTolerance.Norm(c.W), NetworkTolerance.Norm(data),
                    bias == null ? 0 : NetworkTolerance.Norm(bias), positions);
                double norm = NetworkTolerance.Norm(wm.Magnitude);
                Assert.True(norm <= normBound, $"‖W‖ {norm} > {normBound}");
                int channels = name == "y" ? c.W.Shape[2] : c.W.Shape[3] / c.A.Groups;
                double flush = WinogradF2x2.FlushUnitsBound(channels, c.W.Data.Max(v => Math.Abs(v)), data.Data.Max(v => Math.Abs(v)), bias != null);
                Assert.True(wm.FlushUnits.Data.Max() <= flush);
                var mag = WinogradCalls.DirectMagnitudes(call)[name].Data;
                ratios.AddRange(mag.Select((m, i) => wm.Magnitude.Data[i] / m));
                output.WriteLine($"{call.Op} {name}: ‖W‖ / Cauchy–Schwarz bound {norm / normBound:G3}; mean W/direct {mag.Select((m, i) => wm.Magnitude.Data[i] / m).Average():G3}");
            }
        output.WriteLine($"W / direct magnitude over {ratios.Count} elements: min {ratios.Min():G3}, mean {ratios.Average():G3}, max {ratios.Max():G3}");
        Assert.True(ratios.Min() >= 1 - 1e-12);
    }

    [Fact]
    public void TheChainedCheckHoldsAWinogradStepToTheWinogradBound()
    {
        var c = AdversarialTile();
        var call = WinogradCalls.Forward(c);
        var step = new StepResult("block1_conv1/conv2d_layer", "block1_conv1", call, "y", WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A));
        long[] positions = [0, 1, 2, 3];
        Assert.False(ChainedCheck.Judge(step, positions, PrecisionClass.Fp32).Passed);
        var verdict = ChainedCheck.Judge(step, positions, Fp32Winograd);
        Assert.True(verdict.Passed, verdict.Detail);
    }

    [Fact]
    public void TheNetworkToleranceAddsTheWinogradTermOnlyWhereWinogradIsDeclared()
    {
        var c = Layer(new Random(31), 8, 8);
        var call = WinogradCalls.Forward(c);
        var y = WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A);
        var steps = new[] { new StepResult("conv/conv2d_layer", "conv", call, "y", y) };
        var golden = new Dictionary<string, double> { ["conv/conv2d_layer"] = NetworkTolerance.Norm(Ref.Layer(c.X, c.W, c.B, c.A)) };
        double direct = NetworkTolerance.Propagate(steps, golden, _ => PrecisionClass.Fp32)["conv/conv2d_layer"];
        double winograd = NetworkTolerance.Propagate(steps, golden, _ => Fp32Winograd)["conv/conv2d_layer"];
        double deviation = NetworkTolerance.Norm(TT.Combine(y, 1, Ref.Layer(c.X, c.W, c.B, c.A), -1));
        output.WriteLine($"E direct {direct:G3}, E Winograd {winograd:G3}, ‖float Winograd − reference‖ {deviation:G3}");
        Assert.True(winograd > direct);
        Assert.True(deviation <= winograd);
    }
}

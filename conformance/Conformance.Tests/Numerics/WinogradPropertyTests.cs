using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Conformance.Tests.Properties;
using Xunit;

namespace Conformance.Tests.Numerics;

/// <summary>Calls and verdicts shared by the Winograd tests.</summary>
public static class WinogradCalls
{
    /// <summary>fp32 with Winograd F(2×2,3×3) declared, as a GPU backend declares it.</summary>
    public static readonly PrecisionClass Fp32Winograd = PrecisionClass.Fp32 with { Algorithm = ConvolutionAlgorithm.WinogradF2x2K3x3 };

    /// <summary>The conv2d_layer call of a case.</summary>
    public static OpCall Forward(LayerCase c) => new("conv2d_layer", c.ForwardInputs(), c.A);

    /// <summary>The conv2d_layer_backward call of a case.</summary>
    public static OpCall Backward(LayerCase c) =>
        new("conv2d_layer_backward", new Dictionary<string, Tensor> { ["x"] = c.X, ["w"] = c.W, ["dy"] = c.Dy }, c.A);

    /// <summary>The suite's verdict on <paramref name="actual"/> as output <paramref name="output"/> of <paramref name="call"/> in <paramref name="p"/>.</summary>
    public static OutputReport Judge(OpCall call, string output, Tensor actual, PrecisionClass p)
    {
        var expected = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
        return Comparison.Compare(output, expected[output], actual, ErrorModel.Bounds(call, expected, p)[output], p);
    }

    /// <summary>The op of <paramref name="call"/> on |inputs|: the direct magnitude term of each output.</summary>
    public static IReadOnlyDictionary<string, Tensor> DirectMagnitudes(OpCall call) =>
        OpCatalog.Evaluate(call.Op, call.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value.Abs()), call.Attributes);
}

/// <summary>
/// Random Winograd-eligible calls (every padding mode, reversal, groups, bias, odd extents, y and
/// dx) against the float oracle <see cref="WinogradOracle"/>: the normative tiling is the
/// reference's convolution, a correct fp32 Winograd stays within the bound, and the bound's
/// magnitude W is the Winograd computation on absolute values.
/// </summary>
public sealed class WinogradPropertyTests
{
    private const int Cases = 200;

    /// <summary>Relative slack for comparing two double evaluations of W summed in different orders.</summary>
    private const double SummationOrderSlack = 1e-12;

    [ConformanceProperty(Cases)]
    public void WinogradTilingComputesTheReferenceConvolution(WinogradCase wc)
    {
        // In double: integer data makes both exact, so they must agree bit for bit; on reals each
        // is within its own fp64 bound of the exact value (the larger of the two bounds, twice).
        var c = wc.Case;
        var p64 = PrecisionClass.Fp64 with { Algorithm = ConvolutionAlgorithm.WinogradF2x2K3x3 };
        foreach (var (call, output, actual) in new[]
        {
            (WinogradCalls.Forward(c), "y", WinogradOracle.Forward<double>(c.X, c.W, c.B, c.A)),
            (WinogradCalls.Backward(c), "dx", WinogradOracle.BackwardData<double>(c.X, c.W, c.Dy, c.A)),
        })
        {
            var expected = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
            if (wc.Integer) TT.Exact(expected[output], actual, output);
            else
            {
                var bound = ErrorModel.Bounds(call, expected, p64)[output];
                TT.Close(expected[output], actual, i => 2 * bound.Data[i], output);
            }
        }
    }

    [ConformanceProperty(Cases)]
    public void FloatWinogradIsWithinTheWinogradBound(WinogradCase wc)
    {
        var c = wc.Case;
        var y = WinogradCalls.Judge(WinogradCalls.Forward(c), "y", WinogradOracle.Forward<float>(c.X, c.W, c.B, c.A), WinogradCalls.Fp32Winograd);
        Assert.True(y.Passed, y.Describe());
        var dx = WinogradCalls.Judge(WinogradCalls.Backward(c), "dx", WinogradOracle.BackwardData<float>(c.X, c.W, c.Dy, c.A), WinogradCalls.Fp32Winograd);
        Assert.True(dx.Passed, dx.Describe());
    }

    [ConformanceProperty(Cases)]
    public void WinogradMagnitudeIsTheTransformsOnAbsoluteValues(WinogradCase wc)
    {
        var c = wc.Case;
        var (x, w, b, dy) = (c.X.Abs(), c.W.Abs(), c.B?.Abs(), c.Dy.Abs());
        Check(WinogradCalls.Forward(c), "y", WinogradOracle.Forward<double>(x, w, b, c.A, WinogradVariant.AbsoluteValues));
        Check(WinogradCalls.Backward(c), "dx", WinogradOracle.BackwardData<double>(x, w, dy, c.A, WinogradVariant.AbsoluteValues));

        static void Check(OpCall call, string output, Tensor oracle)
        {
            var wm = WinogradMagnitudes.Evaluate(call, output);
            TT.Close(oracle, wm.Magnitude, i => SummationOrderSlack * oracle.Data[i], $"W of {output}");
            // Σ|monomials| ≥ |Σ of each (x, w) pair's monomials| = the direct term: W is never below the direct magnitude.
            var direct = WinogradCalls.DirectMagnitudes(call)[output];
            for (int i = 0; i < direct.Length; i++)
                Assert.True(wm.Magnitude.Data[i] >= direct.Data[i] * (1 - SummationOrderSlack), $"W < direct magnitude at {i}");
            // The chained check's single elements are bit for bit the whole evaluation's.
            for (int i = 0; i < wm.Magnitude.Length; i++)
                Assert.Equal((wm.Magnitude.Data[i], wm.FlushUnits.Data[i]), WinogradMagnitudes.At(call, output, i));
        }
    }
}

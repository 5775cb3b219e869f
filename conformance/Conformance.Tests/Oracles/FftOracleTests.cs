using Conformance.Reference;
using Conformance.Tests.Properties;
using Xunit;

namespace Conformance.Tests.Oracles;

/// <summary>The reference's full convolution with reversal against MathNet's FFT.</summary>
public class FftOracleTests
{
    private static readonly OpAttributes FullConvolution = new() { Padding = Padding.Full, Reversal = true };

    [ConformanceProperty(500)]
    public void FullConvolutionWithReversalMatchesTheFft(SignalPair p)
    {
        bool oneD = p.X.Rank == 1;
        var reference = Ref.One(oneD ? "conv1d" : "conv2d", FullConvolution, ("x", p.X), ("w", p.W));
        var fft = oneD ? FftOracle.Full1D(p.X, p.W) : FftOracle.Full2D(p.X, p.W);
        int l = oneD
            ? FftOracle.PowerOfTwo(p.X.Length + p.W.Length - 1)
            : FftOracle.PowerOfTwo(p.X.Shape[0] + p.W.Shape[0] - 1) * FftOracle.PowerOfTwo(p.X.Shape[1] + p.W.Shape[1] - 1);
        TT.Close(fft, reference, FftOracle.Tolerance(l, p.X, p.W), "reference vs FFT");
    }

    [Fact]
    public void TheFftOracleFindsAnOffByOne()
    {
        // The oracle must be sharp enough to see a one-sample shift of the kernel.
        var x = new Tensor([6], [0.5, -1, 2, 0.25, 3, -2]);
        var w = new Tensor([3], [1, 2, -1]);
        var shifted = new Tensor([4], [0, 1, 2, -1]);
        var good = FftOracle.Full1D(x, w);
        var bad = Ref.One("conv1d", FullConvolution, ("x", x), ("w", shifted));
        double tol = FftOracle.Tolerance(8, x, w);
        Assert.True(tol < 1e-12, $"tolerance {tol} is too loose");
        Assert.Contains(Enumerable.Range(0, good.Length), i => Math.Abs(good.Data[i] - bad.Data[i]) > tol);
    }
}

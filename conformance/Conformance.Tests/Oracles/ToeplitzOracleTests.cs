using Conformance.Reference;
using Conformance.Tests.Properties;
using Xunit;

namespace Conformance.Tests.Oracles;

/// <summary>conv2d_layer and its backward against the explicit Toeplitz matrices of <see cref="ToeplitzOracle"/>.</summary>
public class ToeplitzOracleTests
{
    /// <summary>
    /// Real data: both sides sum the same ≤ K1·K2·Cin/G + 1 ≤ 33 products per forward output (≤ B·M1·M2 ≤ 450
    /// per weight gradient) in different orders, each within γ_n·Σ|terms| of exact; 1e−12 relative to Σ|terms|
    /// is above 2·450·2^−53 ≈ 1e−13.
    /// </summary>
    private const double RelativeTolerance = 1e-12;

    [ConformanceProperty(400)]
    public void LayerAndBackwardEqualTheToeplitzMatricesExactlyOnIntegers(LayerCase c)
    {
        var t = new ToeplitzOracle(c.X, c.W, c.A);
        TT.Exact(t.Forward(c.X, c.B), Ref.Layer(c.X, c.W, c.B, c.A), "y = T·vec(x) + b");
        var viaS = new Tensor(t.OutputShape, (t.S * MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(c.W.Data)).ToArray());
        TT.Exact(viaS, Ref.Layer(c.X, c.W, null, c.A), "y = S·vec(w)");
        var g = Ref.LayerBackward(c.X, c.W, c.Dy, c.A);
        TT.Exact(t.Dx(c.Dy, c.X.Shape), g["dx"], "dx = Tᵀ·vec(dy)");
        TT.Exact(t.Dw(c.Dy, c.W.Shape), g["dw"], "dw = Sᵀ·vec(dy)");
        TT.Exact(t.Db(c.Dy), g["db"], "db = Biasᵀ·vec(dy)");
    }

    [ConformanceProperty(200)]
    public void LayerAndBackwardMatchTheToeplitzMatricesOnRealData(RealLayerCase r)
    {
        var c = r.Case;
        var t = new ToeplitzOracle(c.X, c.W, c.A);
        var tAbs = new ToeplitzOracle(c.X.Abs(), c.W.Abs(), c.A);
        var yMag = tAbs.Forward(c.X.Abs(), c.B?.Abs());
        TT.Close(t.Forward(c.X, c.B), Ref.Layer(c.X, c.W, c.B, c.A), i => RelativeTolerance * yMag.Data[i], "y");
        var g = Ref.LayerBackward(c.X, c.W, c.Dy, c.A);
        var dxMag = tAbs.Dx(c.Dy.Abs(), c.X.Shape);
        var dwMag = tAbs.Dw(c.Dy.Abs(), c.W.Shape);
        var dbMag = tAbs.Db(c.Dy.Abs());
        TT.Close(t.Dx(c.Dy, c.X.Shape), g["dx"], i => RelativeTolerance * dxMag.Data[i], "dx");
        TT.Close(t.Dw(c.Dy, c.W.Shape), g["dw"], i => RelativeTolerance * dwMag.Data[i], "dw");
        TT.Close(t.Db(c.Dy), g["db"], i => RelativeTolerance * dbMag.Data[i], "db");
    }

    [Fact]
    public void ToeplitzMatrixOfTheLectureExampleHasTheKernelOnItsRows()
    {
        // 1D lecture example as a layer: x = [1,2,3,4], w = [1,2], full with reversal → rows of T are shifted flipped kernels.
        var x = new Tensor([1, 1, 4, 1], [1, 2, 3, 4]);
        var w = new Tensor([1, 2, 1, 1], [1, 2]);
        var a = new OpAttributes { Padding = Padding.Full, Reversal = true };
        var t = new ToeplitzOracle(x, w, a);
        Assert.Equal(5, t.T.RowCount);
        Assert.Equal([1, 0, 0, 0], t.T.Row(0).ToArray());
        Assert.Equal([2, 1, 0, 0], t.T.Row(1).ToArray());
        Assert.Equal([0, 0, 0, 2], t.T.Row(4).ToArray());
        TT.Exact(new Tensor([1, 1, 5, 1], [1, 4, 7, 10, 8]), t.Forward(x, null), "T·x");
    }
}

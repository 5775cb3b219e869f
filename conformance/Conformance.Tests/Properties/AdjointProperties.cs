using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Properties;

/// <summary>
/// Dot-product tests: a backward op is the adjoint of its linear forward map, so
/// ⟨f(x), v⟩ = ⟨x, dx(v)⟩ (and ⟨w, dw(v)⟩, ⟨b, db(v)⟩ for the bilinear layers).
/// Integer data makes both sides exact; real data is compared within a rounding bound.
/// </summary>
public class AdjointProperties
{
    private const int Cases = 400;

    /// <summary>
    /// Both sides are sums of at most a few thousand products of the same numbers in different
    /// orders, so each differs from the exact value by at most γ_n·Σ|terms| with n ≤ 4000 and
    /// u = 2^−53: 4000·1.1e−16 ≈ 4.4e−13. 1e−12 relative to Σ|terms| keeps a 2× margin.
    /// </summary>
    private const double RealDotTolerance = 1e-12;

    [ConformanceProperty(Cases)]
    public void LayerBackwardIsTheAdjointOfTheLayer(LayerCase c)
    {
        var y = Ref.Layer(c.X, c.W, null, c.A);
        var g = Ref.LayerBackward(c.X, c.W, c.Dy, c.A);
        double lhs = TT.Dot(y, c.Dy);
        Assert.Equal(lhs, TT.Dot(c.X, g["dx"]));
        Assert.Equal(lhs, TT.Dot(c.W, g["dw"]));
        var b = c.B ?? new Tensor([c.Cout], Enumerable.Repeat(1.0, c.Cout).ToArray());
        var biasOnly = TT.Combine(Ref.Layer(c.X, c.W, b, c.A), 1, y, -1);
        Assert.Equal(TT.Dot(biasOnly, c.Dy), TT.Dot(b, g["db"]));
    }

    [ConformanceProperty(Cases)]
    public void LayerBackwardIsTheAdjointOnRealData(RealLayerCase r)
    {
        var c = r.Case;
        var y = Ref.Layer(c.X, c.W, null, c.A);
        var g = Ref.LayerBackward(c.X, c.W, c.Dy, c.A);
        double mag = TT.Dot(Ref.Layer(c.X.Abs(), c.W.Abs(), null, c.A), c.Dy.Abs());
        double lhs = TT.Dot(y, c.Dy);
        Assert.InRange(TT.Dot(c.X, g["dx"]) - lhs, -RealDotTolerance * mag, RealDotTolerance * mag);
        Assert.InRange(TT.Dot(c.W, g["dw"]) - lhs, -RealDotTolerance * mag, RealDotTolerance * mag);
    }

    [ConformanceProperty(Cases)]
    public void DenseBackwardIsTheAdjointOfDense(DenseCase c)
    {
        var y = Ref.One("dense", OpAttributes.Default, ("x", c.X), ("w", c.W));
        var g = Ref.All("dense_backward", OpAttributes.Default, ("x", c.X), ("w", c.W), ("dy", c.Dy));
        double lhs = TT.Dot(y, c.Dy);
        Assert.Equal(lhs, TT.Dot(c.X, g["dx"]));
        Assert.Equal(lhs, TT.Dot(c.W, g["dw"]));
        var biasOnly = TT.Combine(Ref.One("dense", OpAttributes.Default, ("x", c.X), ("w", c.W), ("b", c.B)), 1, y, -1);
        Assert.Equal(TT.Dot(biasOnly, c.Dy), TT.Dot(c.B, g["db"]));
    }

    [ConformanceProperty(Cases)]
    public void AvgPoolBackwardIsTheAdjointOfAvgPool(PoolCase c)
    {
        var y = Ref.One("avg_pool2d", c.A, ("x", c.X));
        var dx = Ref.One("avg_pool2d_backward", c.A, ("x", c.X), ("dy", c.Dy));
        // Divisions by the window count round, so this side is not exact.
        double mag = TT.AbsDot(Ref.One("avg_pool2d", c.A, ("x", c.X.Abs())), c.Dy);
        Assert.InRange(TT.Dot(c.X, dx) - TT.Dot(y, c.Dy), -RealDotTolerance * mag, RealDotTolerance * mag);
    }

    [ConformanceProperty(Cases)]
    public void MaxPoolBackwardIsTheAdjointOfTheSelection(PoolCase c)
    {
        // For a fixed x, max pooling selects one element per window; its backward must be that selection's transpose.
        var y = Ref.One("max_pool2d", c.A, ("x", c.X));
        var dx = Ref.One("max_pool2d_backward", c.A, ("x", c.X), ("dy", c.Dy));
        Assert.Equal(TT.Dot(y, c.Dy), TT.Dot(c.X, dx));
    }
}

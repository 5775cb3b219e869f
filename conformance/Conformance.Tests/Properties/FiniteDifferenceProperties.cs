using Conformance.Reference;
using Xunit.Sdk;

namespace Conformance.Tests.Properties;

/// <summary>
/// Every backward op against central finite differences of J = ⟨forward(inputs), v⟩ (double,
/// h = 1e−6·max(1, |t|)), perturbing every element of every differentiated input.
/// </summary>
public class FiniteDifferenceProperties
{
    private const int Cases = 150;

    /// <summary>
    /// J is computed with a rounding error of at most n·u·S (S = Σ|terms| of J, n ≤ 1000 terms,
    /// u = 2^−53); the central difference divides it by h = 1e−6, giving ≤ 1.1e−7·S. The truncation
    /// term h²/6·|J'''| is 0 for the piecewise-linear ops and ≤ 1e−12 for softmax cross-entropy.
    /// 1e−6·(S + 1) leaves a 10× margin while a wrong gradient element is off by O(1).
    /// </summary>
    private const double FdTolerance = 1e-6;

    /// <summary>Compares grad[i] with (J(t+h) − J(t−h)) / (2h) for every element of t.</summary>
    private static void Check(string what, Tensor t, Tensor grad, Func<double> j, double scale)
    {
        for (int i = 0; i < t.Length; i++)
        {
            double orig = t.Data[i], h = 1e-6 * Math.Max(1, Math.Abs(orig));
            t.Data[i] = orig + h;
            double up = t.Data[i], jp = j();
            t.Data[i] = orig - h;
            double down = t.Data[i], jm = j();
            t.Data[i] = orig;
            double fd = (jp - jm) / (up - down), tol = FdTolerance * (scale + 1);
            if (!(Math.Abs(fd - grad.Data[i]) <= tol))
                throw new XunitException($"{what}[{string.Join(",", t.IndexOf(i))}]: backward {grad.Data[i]:R}, finite difference {fd:R}, tolerance {tol:G3}");
        }
    }

    [ConformanceProperty(Cases)]
    public void LayerBackwardMatchesFiniteDifferences(RealLayerCase r)
    {
        var c = r.Case;
        var (x, w, a) = (c.X.Clone(), c.W.Clone(), c.A);
        var b = c.B?.Clone() ?? Tensor.Zeros(c.Cout);
        var g = Ref.LayerBackward(x, w, c.Dy, a);
        double scale = TT.Dot(Ref.Layer(x.Abs(), w.Abs(), b.Abs(), a), c.Dy.Abs());
        double J() => TT.Dot(Ref.Layer(x, w, b, a), c.Dy);
        Check("dx", x, g["dx"], J, scale);
        Check("dw", w, g["dw"], J, scale);
        Check("db", b, g["db"], J, scale);
    }

    [ConformanceProperty(Cases)]
    public void ReluBackwardMatchesFiniteDifferencesAwayFromZero(RealLayerCase r)
    {
        // |x| ≥ 0.01 ≫ h keeps every sample on one side of the kink.
        var x = r.Case.X.Map(v => v >= 0 ? v + 0.01 : v - 0.01);
        var dy = r.Case.X.Map(v => 1 - 2 * v * v);
        var dx = Ref.One("relu_backward", OpAttributes.Default, ("x", x), ("dy", dy));
        Check("dx", x, dx, () => TT.Dot(Ref.One("relu", OpAttributes.Default, ("x", x)), dy), TT.AbsDot(x, dy));
    }

    [ConformanceProperty(Cases)]
    public void MaxPoolBackwardMatchesFiniteDifferencesWithDistinctValues(PoolCase c)
    {
        // Integers in −2..2 plus i/1000 with fewer than 1000 elements: all distinct, gaps ≥ 1e−3 ≫ h.
        var x = new Tensor(c.X.Shape, c.X.Data.Select((v, i) => v + i / 1000.0).ToArray());
        var dx = Ref.One("max_pool2d_backward", c.A, ("x", x), ("dy", c.Dy));
        Check("dx", x, dx, () => TT.Dot(Ref.One("max_pool2d", c.A, ("x", x)), c.Dy), TT.AbsDot(Ref.One("max_pool2d", c.A, ("x", x.Abs())), c.Dy));
    }

    [ConformanceProperty(Cases)]
    public void AvgPoolBackwardMatchesFiniteDifferences(PoolCase c)
    {
        var x = c.X.Clone();
        var dx = Ref.One("avg_pool2d_backward", c.A, ("x", x), ("dy", c.Dy));
        Check("dx", x, dx, () => TT.Dot(Ref.One("avg_pool2d", c.A, ("x", x)), c.Dy), TT.AbsDot(Ref.One("avg_pool2d", c.A, ("x", x.Abs())), c.Dy));
    }

    [ConformanceProperty(Cases)]
    public void DenseBackwardMatchesFiniteDifferences(DenseCase c)
    {
        var (x, w, b) = (c.X.Map(v => v / 3), c.W.Map(v => v / 7), c.B.Clone());
        var g = Ref.All("dense_backward", OpAttributes.Default, ("x", x), ("w", w), ("dy", c.Dy));
        double J() => TT.Dot(Ref.One("dense", OpAttributes.Default, ("x", x), ("w", w), ("b", b)), c.Dy);
        double scale = TT.AbsDot(Ref.One("dense", OpAttributes.Default, ("x", x.Abs()), ("w", w.Abs()), ("b", b.Abs())), c.Dy);
        Check("dx", x, g["dx"], J, scale);
        Check("dw", w, g["dw"], J, scale);
        Check("db", b, g["db"], J, scale);
    }

    [ConformanceProperty(Cases)]
    public void SoftmaxCrossEntropyBackwardMatchesFiniteDifferences(LogitsCase c)
    {
        var x = c.X.Clone();
        var dyT = new Tensor([], [c.Dy]);
        var dx = Ref.One("softmax_cross_entropy_backward", OpAttributes.Default, ("x", x), ("labels", c.Labels), ("dy", dyT));
        double scale = Math.Abs(c.Dy) * (1 + x.Data.Sum(Math.Abs));
        double J() => c.Dy * Ref.One("softmax_cross_entropy", OpAttributes.Default, ("x", x), ("labels", c.Labels)).Data[0];
        Check("dx", x, dx, J, scale);
        // Without dy the upstream gradient is 1.
        var dx1 = Ref.One("softmax_cross_entropy_backward", OpAttributes.Default, ("x", x), ("labels", c.Labels));
        Check("dx (dy = 1)", x, dx1, () => Ref.One("softmax_cross_entropy", OpAttributes.Default, ("x", x), ("labels", c.Labels)).Data[0],
            1 + x.Data.Sum(Math.Abs));
    }
}

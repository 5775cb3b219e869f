using System.Globalization;
using Conformance.Reference;
using Xunit;
using Xunit.Sdk;

namespace Conformance.Tests.Properties;

/// <summary>Calls into the reference through the catalogue, so that the dispatch is exercised too.</summary>
public static class Ref
{
    /// <summary>Evaluates <paramref name="op"/> and returns all outputs.</summary>
    public static IReadOnlyDictionary<string, Tensor> All(string op, OpAttributes a, params (string Name, Tensor? T)[] inputs) =>
        OpCatalog.Evaluate(op, inputs.Where(i => i.T != null).ToDictionary(i => i.Name, i => i.T!), a);

    /// <summary>Evaluates <paramref name="op"/> and returns its single output.</summary>
    public static Tensor One(string op, OpAttributes a, params (string Name, Tensor? T)[] inputs) => All(op, a, inputs).Values.Single();

    /// <summary>conv2d_layer forward.</summary>
    public static Tensor Layer(Tensor x, Tensor w, Tensor? b, OpAttributes a) => One("conv2d_layer", a, ("x", x), ("w", w), ("b", b));

    /// <summary>conv2d_layer_backward: dx, dw, db.</summary>
    public static IReadOnlyDictionary<string, Tensor> LayerBackward(Tensor x, Tensor w, Tensor dy, OpAttributes a) =>
        All("conv2d_layer_backward", a, ("x", x), ("w", w), ("dy", dy));
}

/// <summary>Assertions and small tensor manipulations used by the properties and oracles.</summary>
public static class TT
{
    /// <summary>Shapes equal and every element equal (0 and −0 count as equal).</summary>
    public static void Exact(Tensor expected, Tensor actual, string what)
    {
        SameShape(expected, actual, what);
        for (int i = 0; i < expected.Length; i++)
            if (!(expected.Data[i] == actual.Data[i]) && !(double.IsNaN(expected.Data[i]) && double.IsNaN(actual.Data[i])))
                throw Fail(what, expected, actual, i, 0);
    }

    /// <summary>Shapes equal and |expected − actual| ≤ tolerance[i] for every element.</summary>
    public static void Close(Tensor expected, Tensor actual, Func<int, double> tolerance, string what)
    {
        SameShape(expected, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = tolerance(i);
            if (!(Math.Abs(expected.Data[i] - actual.Data[i]) <= tol)) throw Fail(what, expected, actual, i, tol);
        }
    }

    /// <summary>Shapes equal and every element within an absolute tolerance.</summary>
    public static void Close(Tensor expected, Tensor actual, double tolerance, string what) =>
        Close(expected, actual, _ => tolerance, what);

    private static void SameShape(Tensor expected, Tensor actual, string what)
    {
        if (!expected.Shape.SequenceEqual(actual.Shape))
            throw new XunitException($"{what}: shape {Tensor.Format(actual.Shape)}, expected {Tensor.Format(expected.Shape)}");
    }

    private static XunitException Fail(string what, Tensor expected, Tensor actual, int i, double tol) =>
        new($"{what}: element {Tensor.Format(expected.IndexOf(i))} is {actual.Data[i].ToString("R", CultureInfo.InvariantCulture)}, " +
            $"expected {expected.Data[i].ToString("R", CultureInfo.InvariantCulture)} (tolerance {tol:G3}); " +
            $"expected {Describe.Of(expected)} actual {Describe.Of(actual)}");

    /// <summary>Σ a·b over all elements.</summary>
    public static double Dot(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape, b.Shape);
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a.Data[i] * b.Data[i];
        return s;
    }

    /// <summary>Σ |a|·|b| over all elements: the magnitude that bounds the rounding error of <see cref="Dot"/>.</summary>
    public static double AbsDot(Tensor a, Tensor b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += Math.Abs(a.Data[i] * b.Data[i]);
        return s;
    }

    /// <summary>A new tensor a·α + b·β element-wise.</summary>
    public static Tensor Combine(Tensor a, double alpha, Tensor b, double beta)
    {
        var r = Tensor.Zeros(a.Shape);
        for (int i = 0; i < a.Length; i++) r.Data[i] = alpha * a.Data[i] + beta * b.Data[i];
        return r;
    }

    /// <summary>A kernel reversed in its first two axes (or the one axis of a 1D kernel), written without the reference's Flip.</summary>
    public static Tensor Reverse(Tensor w)
    {
        var r = Tensor.Zeros(w.Shape);
        if (w.Rank == 1)
        {
            for (int k = 0; k < w.Length; k++) r.Data[k] = w.Data[w.Length - 1 - k];
            return r;
        }
        int k1n = w.Shape[0], k2n = w.Shape[1], inner = w.Length / (k1n * k2n);
        for (int k1 = 0; k1 < k1n; k1++)
            for (int k2 = 0; k2 < k2n; k2++)
                Array.Copy(w.Data, ((k1n - 1 - k1) * k2n + (k2n - 1 - k2)) * inner, r.Data, (k1 * k2n + k2) * inner, inner);
        return r;
    }

    /// <summary>The kernel with d−1 zeros inserted between taps on each spatial axis (1D: the one axis).</summary>
    public static Tensor ZeroDilate(Tensor w, int d1, int d2)
    {
        if (w.Rank == 1)
        {
            var r1 = Tensor.Zeros((w.Length - 1) * d2 + 1);
            for (int k = 0; k < w.Length; k++) r1.Data[k * d2] = w.Data[k];
            return r1;
        }
        int k1n = w.Shape[0], k2n = w.Shape[1], inner = w.Length / (k1n * k2n);
        int e1 = (k1n - 1) * d1 + 1, e2 = (k2n - 1) * d2 + 1;
        var r = Tensor.Zeros([e1, e2, .. w.Shape[2..]]);
        for (int k1 = 0; k1 < k1n; k1++)
            for (int k2 = 0; k2 < k2n; k2++)
                Array.Copy(w.Data, (k1 * k2n + k2) * inner, r.Data, (k1 * d1 * e2 + k2 * d2) * inner, inner);
        return r;
    }

    /// <summary>The 2D plane x[b,:,:,c] of an NHWC tensor.</summary>
    public static Tensor Plane(Tensor x, int b, int c)
    {
        var p = Tensor.Zeros(x.Shape[1], x.Shape[2]);
        for (int i = 0; i < x.Shape[1]; i++)
            for (int j = 0; j < x.Shape[2]; j++) p[i, j] = x[b, i, j, c];
        return p;
    }

    /// <summary>The kernel plane w[:,:,n,m] of an HWIO tensor.</summary>
    public static Tensor KernelPlane(Tensor w, int n, int m)
    {
        var p = Tensor.Zeros(w.Shape[0], w.Shape[1]);
        for (int i = 0; i < w.Shape[0]; i++)
            for (int j = 0; j < w.Shape[1]; j++) p[i, j] = w[i, j, n, m];
        return p;
    }

    /// <summary>The last-axis slice [start, start+count) of a tensor.</summary>
    public static Tensor SliceLast(Tensor t, int start, int count)
    {
        int c = t.Shape[^1], rows = t.Length / c;
        var r = Tensor.Zeros([.. t.Shape[..^1], count]);
        for (int i = 0; i < rows; i++) Array.Copy(t.Data, i * c + start, r.Data, i * count, count);
        return r;
    }

    /// <summary>Concatenation along the last axis.</summary>
    public static Tensor ConcatLast(IReadOnlyList<Tensor> parts)
    {
        int total = parts.Sum(p => p.Shape[^1]), rows = parts[0].Length / parts[0].Shape[^1];
        var r = Tensor.Zeros([.. parts[0].Shape[..^1], total]);
        for (int i = 0; i < rows; i++)
        {
            int offset = 0;
            foreach (var p in parts)
            {
                int c = p.Shape[^1];
                Array.Copy(p.Data, i * c, r.Data, i * total + offset, c);
                offset += c;
            }
        }
        return r;
    }
}

using Conformance.Reference;
using MathNet.Numerics.LinearAlgebra;

namespace Conformance.Tests.Oracles;

/// <summary>
/// A second implementation of every catalogued op, written from the catalogue text in a different
/// style from the reference (im2col + MathNet products for convolutions and dense, per-plane
/// scans of a padded index space for pooling, log-sum-exp for softmax). Inputs are assumed
/// valid: the reference's argument checks are tested separately.
/// </summary>
public static partial class IndependentOps
{
    /// <summary>The ops implemented here; must equal the catalogue.</summary>
    public static readonly IReadOnlyList<string> Ops =
    [
        "conv1d", "conv2d", "conv2d_layer", "conv2d_layer_backward", "relu", "relu_backward", "max_pool2d",
        "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward", "dense", "dense_backward", "flatten", "softmax",
        "softmax_cross_entropy", "softmax_cross_entropy_backward",
    ];

    /// <summary>Evaluates <paramref name="op"/> with the catalogue's input and output names.</summary>
    public static IReadOnlyDictionary<string, Tensor> Evaluate(string op, IReadOnlyDictionary<string, Tensor> inputs, OpAttributes a)
    {
        Tensor I(string n) => inputs[n];
        Tensor? O(string n) => inputs.TryGetValue(n, out var t) ? t : null;
        static Dictionary<string, Tensor> Out(string name, Tensor t) => new() { [name] = t };
        static Dictionary<string, Tensor> Grads((Tensor Dx, Tensor Dw, Tensor Db) g) => new() { ["dx"] = g.Dx, ["dw"] = g.Dw, ["db"] = g.Db };
        return op switch
        {
            "conv1d" => Out("y", Conv1d(I("x"), I("w"), a)),
            "conv2d" => Out("y", Conv2d(I("x"), I("w"), a)),
            "conv2d_layer" => Out("y", Layer(I("x"), I("w"), O("b"), a)),
            "conv2d_layer_backward" => Grads(LayerBackward(I("x"), I("w"), I("dy"), a)),
            "relu" => Out("y", new Tensor(I("x").Shape, I("x").Data.Select(v => Math.Max(v, 0.0) + 0.0).ToArray())),
            "relu_backward" => Out("dx", new Tensor(I("x").Shape, I("x").Data.Zip(I("dy").Data, (v, d) => v > 0 ? d : 0.0).ToArray())),
            "max_pool2d" => Out("y", Pool(I("x"), null, a, PoolKind.Max)),
            "max_pool2d_backward" => Out("dx", Pool(I("x"), I("dy"), a, PoolKind.MaxBackward)),
            "avg_pool2d" => Out("y", Pool(I("x"), null, a, PoolKind.Avg)),
            "avg_pool2d_backward" => Out("dx", Pool(I("x"), I("dy"), a, PoolKind.AvgBackward)),
            "dense" => Out("y", DenseForward(I("x"), I("w"), O("b"))),
            "dense_backward" => Grads(DenseBackward(I("x"), I("w"), I("dy"))),
            "flatten" => Out("y", Flatten(I("x"))),
            "softmax" => Out("y", Softmax(I("x"))),
            "softmax_cross_entropy" => Out("loss", CrossEntropy(I("x"), I("labels"))),
            "softmax_cross_entropy_backward" => Out("dx", CrossEntropyBackward(I("x"), I("labels"), O("dy"))),
            _ => throw new ArgumentException($"no independent implementation of {op}", nameof(op)),
        };
    }

    private enum PoolKind { Max, MaxBackward, Avg, AvgBackward }

    /// <summary>
    /// One scan per (batch, channel) plane over the windows of the padded index space; positions
    /// outside the real input are skipped, so they are neither compared nor counted.
    /// </summary>
    private static Tensor Pool(Tensor x, Tensor? dy, OpAttributes a, PoolKind kind)
    {
        int batch = x.Shape[0], n1 = x.Shape[1], n2 = x.Shape[2], ch = x.Shape[3];
        Pair pool = a.Pool!.Value, s = a.Strides ?? pool;
        SpecAxis rows = SpecGeometry.PoolAxis(a, 0, n1), cols = SpecGeometry.PoolAxis(a, 1, n2);
        bool backward = kind is PoolKind.MaxBackward or PoolKind.AvgBackward;
        var result = backward ? Tensor.Zeros(x.Shape) : Tensor.Zeros(batch, rows.Out, cols.Out, ch);
        int At(int b, int r, int q, int c) => ((b * n1 + r) * n2 + q) * ch + c;
        var members = new List<int>();
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < ch; c++)
                for (int i1 = 0; i1 < rows.Out; i1++)
                    for (int i2 = 0; i2 < cols.Out; i2++)
                    {
                        members.Clear();
                        // Window corner in padded coordinates is (i1·s1, i2·s2); real index = padded − before.
                        for (int pr = i1 * s.Rows; pr < i1 * s.Rows + pool.Rows; pr++)
                            for (int pq = i2 * s.Cols; pq < i2 * s.Cols + pool.Cols; pq++)
                            {
                                int r = pr - rows.Before, q = pq - cols.Before;
                                if ((uint)r < (uint)n1 && (uint)q < (uint)n2) members.Add(At(b, r, q, c));
                            }
                        int outAt = ((b * rows.Out + i1) * cols.Out + i2) * ch + c;
                        switch (kind)
                        {
                            case PoolKind.Max:
                                result.Data[outAt] = WindowMax(members.Select(i => x.Data[i]));
                                break;
                            case PoolKind.MaxBackward:
                                double best = WindowMax(members.Select(i => x.Data[i]));
                                result.Data[members.First(i => x.Data[i] == best || (double.IsNaN(best) && double.IsNaN(x.Data[i])))] += dy!.Data[outAt];
                                break;
                            case PoolKind.Avg:
                                result.Data[outAt] = members.Sum(i => x.Data[i]) / members.Count;
                                break;
                            case PoolKind.AvgBackward:
                                foreach (int i in members) result.Data[i] += dy!.Data[outAt] / members.Count;
                                break;
                        }
                    }
        return result;
    }

    /// <summary>NaN when a member is NaN (it propagates), else the largest; Enumerable.Max alone ranks NaN lowest.</summary>
    private static double WindowMax(IEnumerable<double> values) =>
        values.Any(double.IsNaN) ? double.NaN : values.Max();

    private static Matrix<double> M(Tensor t) => Matrix<double>.Build.Dense(t.Shape[0], t.Shape[1], (i, j) => t.Data[i * t.Shape[1] + j]);

    private static Tensor T(Matrix<double> m) => new([m.RowCount, m.ColumnCount], m.ToRowMajorArray());

    /// <summary>Y = X·W + 1·bᵀ.</summary>
    private static Tensor DenseForward(Tensor x, Tensor w, Tensor? b)
    {
        var y = M(x) * M(w);
        if (b != null) y += Matrix<double>.Build.Dense(y.RowCount, y.ColumnCount, (_, j) => b.Data[j]);
        return T(y);
    }

    /// <summary>dX = dY·Wᵀ, dW = Xᵀ·dY, db = column sums of dY.</summary>
    private static (Tensor, Tensor, Tensor) DenseBackward(Tensor x, Tensor w, Tensor dy)
    {
        var dY = M(dy);
        return (T(dY.TransposeAndMultiply(M(w))), T(M(x).TransposeThisAndMultiply(dY)), new Tensor([dy.Shape[1]], dY.ColumnSums().ToArray()));
    }

    /// <summary>[B, d1, …] → [B, d1·…]: an odometer over the trailing axes writes each element to its running position.</summary>
    private static Tensor Flatten(Tensor x)
    {
        int rest = 1;
        for (int k = 1; k < x.Rank; k++) rest *= x.Shape[k];
        var y = Tensor.Zeros(x.Shape[0], rest);
        var index = new int[x.Rank];
        for (int b = 0; b < x.Shape[0]; b++)
            for (int pos = 0; pos < rest; pos++)
            {
                index[0] = b;
                int v = pos;
                for (int k = x.Rank - 1; k >= 1; k--)
                {
                    index[k] = v % x.Shape[k];
                    v /= x.Shape[k];
                }
                y[b, pos] = x[index];
            }
        return y;
    }

    /// <summary>log Σ_j exp(x_j) of each row of the last axis, stabilised by the row maximum.</summary>
    private static double[] LogSumExp(Tensor x)
    {
        int c = x.Shape[^1];
        var lse = new double[x.Length / c];
        for (int row = 0; row < lse.Length; row++)
        {
            var v = x.Data.AsSpan(row * c, c);
            double m = double.NegativeInfinity;
            foreach (double e in v) m = Math.Max(m, e);
            double s = 0;
            foreach (double e in v) s += Math.Exp(e - m);
            lse[row] = m + Math.Log(s);
        }
        return lse;
    }

    /// <summary>y = exp(x − logsumexp(x)) over the last axis.</summary>
    private static Tensor Softmax(Tensor x)
    {
        int c = x.Shape[^1];
        var lse = LogSumExp(x);
        return new Tensor(x.Shape, x.Data.Select((v, i) => Math.Exp(v - lse[i / c])).ToArray());
    }

    /// <summary>mean over rows of logsumexp(x_b) − x_b[label_b].</summary>
    private static Tensor CrossEntropy(Tensor x, Tensor labels)
    {
        var lse = LogSumExp(x);
        int c = x.Shape[1];
        return new Tensor([], [lse.Select((l, b) => l - x.Data[b * c + (int)labels.Data[b]]).Average()]);
    }

    /// <summary>dy·(softmax(x) − onehot(labels))/B.</summary>
    private static Tensor CrossEntropyBackward(Tensor x, Tensor labels, Tensor? dy)
    {
        double up = dy?.Data[0] ?? 1.0;
        int batch = x.Shape[0], c = x.Shape[1];
        var y = Softmax(x);
        return new Tensor(x.Shape, y.Data.Select((p, i) => up * (p - (i % c == (int)labels.Data[i / c] ? 1 : 0)) / batch).ToArray());
    }
}

using Conformance.Reference;
using MathNet.Numerics.LinearAlgebra;

namespace Conformance.Tests.Oracles;

/// <summary>
/// Convolutions written from the spec text in the im2col style: an explicit zero-padded copy of the
/// input, the kernel turned around when reversal is on, a gather of every receptive field into a
/// MathNet matrix, and one matrix product per group. Gradients are the transposed products with
/// a col2im scatter for dx. conv1d and conv2d are the one-channel, one-batch layer.
/// </summary>
public static partial class IndependentOps
{
    private sealed record ConvPlan(
        int B, int N1, int N2, int Cin, int K1, int K2, int CinG, int Cout, int CoutG, int S1, int S2, int D1, int D2,
        SpecAxis Rows, SpecAxis Cols)
    {
        public int P1 => N1 + Rows.Before + Rows.After;
        public int P2 => N2 + Cols.Before + Cols.After;
        public int Fields => B * Rows.Out * Cols.Out;
        public int Taps => K1 * K2 * CinG;
    }

    private static ConvPlan Plan(int[] x, int[] w, OpAttributes a)
    {
        Pair s = a.Strides ?? Pair.Of(1);
        return new ConvPlan(x[0], x[1], x[2], x[3], w[0], w[1], w[2], w[3], w[3] / a.Groups, s.Rows, s.Cols,
            a.Dilation.Rows, a.Dilation.Cols, SpecGeometry.Rows(a, x[1], w[0]), SpecGeometry.Cols(a, x[2], w[1]));
    }

    /// <summary>x copied into the middle of a zero array of the padded size.</summary>
    private static double[] ZeroPadded(Tensor x, ConvPlan p)
    {
        var padded = new double[p.B * p.P1 * p.P2 * p.Cin];
        for (int b = 0; b < p.B; b++)
            for (int r = 0; r < p.N1; r++)
                for (int c = 0; c < p.N2; c++)
                    Array.Copy(x.Data, ((b * p.N1 + r) * p.N2 + c) * p.Cin, padded,
                        ((b * p.P1 + r + p.Rows.Before) * p.P2 + c + p.Cols.Before) * p.Cin, p.Cin);
        return padded;
    }

    /// <summary>Turns an HWIO kernel around in both spatial axes when <paramref name="reversal"/> is set.</summary>
    private static double[] Orient(double[] w, int k1n, int k2n, bool reversal)
    {
        if (!reversal) return (double[])w.Clone();
        int inner = w.Length / (k1n * k2n);
        var r = new double[w.Length];
        for (int t = 0; t < k1n * k2n; t++)
        {
            int k1 = t / k2n, k2 = t % k2n, mirrored = (k1n - 1 - k1) * k2n + (k2n - 1 - k2);
            Array.Copy(w, mirrored * inner, r, t * inner, inner);
        }
        return r;
    }

    /// <summary>Offset in the padded input of receptive field <paramref name="field"/>, tap <paramref name="tap"/>, group <paramref name="g"/>.</summary>
    private static int PaddedOffset(ConvPlan p, int field, int tap, int g)
    {
        int i2 = field % p.Cols.Out, i1 = field / p.Cols.Out % p.Rows.Out, b = field / (p.Cols.Out * p.Rows.Out);
        int n = tap % p.CinG, k2 = tap / p.CinG % p.K2, k1 = tap / (p.CinG * p.K2);
        int r = i1 * p.S1 + k1 * p.D1, c = i2 * p.S2 + k2 * p.D2;
        return ((b * p.P1 + r) * p.P2 + c) * p.Cin + g * p.CinG + n;
    }

    private static Matrix<double> Im2Col(double[] padded, ConvPlan p, int g) =>
        Matrix<double>.Build.Dense(p.Fields, p.Taps, (field, tap) => padded[PaddedOffset(p, field, tap, g)]);

    /// <summary>The group's kernel as a Taps × Cout/G matrix (HWIO rows are already tap-major).</summary>
    private static Matrix<double> KernelMatrix(double[] oriented, ConvPlan p, int g) =>
        Matrix<double>.Build.Dense(p.Taps, p.CoutG, (tap, j) => oriented[tap * p.Cout + g * p.CoutG + j]);

    /// <summary>conv2d_layer: y = im2col(pad(x)) · W' per group, plus b.</summary>
    public static Tensor Layer(Tensor x, Tensor w, Tensor? bias, OpAttributes a)
    {
        var p = Plan(x.Shape, w.Shape, a);
        var padded = ZeroPadded(x, p);
        var oriented = Orient(w.Data, p.K1, p.K2, a.Reversal);
        var y = Tensor.Zeros(p.B, p.Rows.Out, p.Cols.Out, p.Cout);
        for (int g = 0; g < a.Groups; g++)
        {
            var product = Im2Col(padded, p, g) * KernelMatrix(oriented, p, g);
            for (int field = 0; field < p.Fields; field++)
                for (int j = 0; j < p.CoutG; j++)
                {
                    int m = g * p.CoutG + j;
                    y.Data[field * p.Cout + m] = product[field, j] + (bias?.Data[m] ?? 0.0);
                }
        }
        return y;
    }

    /// <summary>conv2d_layer_backward: dW' = colsᵀ·dY, dcols = dY·W'ᵀ scattered back (col2im) and cropped, db = Σ dY.</summary>
    public static (Tensor Dx, Tensor Dw, Tensor Db) LayerBackward(Tensor x, Tensor w, Tensor dy, OpAttributes a)
    {
        var p = Plan(x.Shape, w.Shape, a);
        var padded = ZeroPadded(x, p);
        var oriented = Orient(w.Data, p.K1, p.K2, a.Reversal);
        var dPadded = new double[padded.Length];
        var dOriented = new double[w.Length];
        var db = Tensor.Zeros(p.Cout);
        for (int g = 0; g < a.Groups; g++)
        {
            var dY = Matrix<double>.Build.Dense(p.Fields, p.CoutG, (field, j) => dy.Data[field * p.Cout + g * p.CoutG + j]);
            var dK = Im2Col(padded, p, g).TransposeThisAndMultiply(dY);
            for (int tap = 0; tap < p.Taps; tap++)
                for (int j = 0; j < p.CoutG; j++) dOriented[tap * p.Cout + g * p.CoutG + j] = dK[tap, j];
            var dCols = dY.TransposeAndMultiply(KernelMatrix(oriented, p, g));
            for (int field = 0; field < p.Fields; field++)
                for (int tap = 0; tap < p.Taps; tap++) dPadded[PaddedOffset(p, field, tap, g)] += dCols[field, tap];
            var sums = dY.ColumnSums();
            for (int j = 0; j < p.CoutG; j++) db.Data[g * p.CoutG + j] = sums[j];
        }
        var dx = Tensor.Zeros(x.Shape);
        for (int b = 0; b < p.B; b++)
            for (int r = 0; r < p.N1; r++)
                for (int c = 0; c < p.N2; c++)
                    Array.Copy(dPadded, ((b * p.P1 + r + p.Rows.Before) * p.P2 + c + p.Cols.Before) * p.Cin, dx.Data,
                        ((b * p.N1 + r) * p.N2 + c) * p.Cin, p.Cin);
        // Orienting twice is the identity, so the same helper maps dW' back to dW.
        return (dx, new Tensor(w.Shape, Orient(dOriented, p.K1, p.K2, a.Reversal)), db);
    }

    /// <summary>conv2d: the layer with one batch, one channel in and out.</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, OpAttributes a)
    {
        var y = Layer(x.Reshape(1, x.Shape[0], x.Shape[1], 1), w.Reshape(w.Shape[0], w.Shape[1], 1, 1), null, a with { Groups = 1 });
        return y.Reshape(y.Shape[1], y.Shape[2]);
    }

    /// <summary>conv1d: conv2d on a 1×N image with a 1×K kernel and the column components of the attributes.</summary>
    public static Tensor Conv1d(Tensor x, Tensor w, OpAttributes a)
    {
        var p = a.Padding.Mode == PaddingMode.Explicit ? Padding.Explicit(0, 0, a.Padding.Left, a.Padding.Right) : a.Padding;
        var a2 = a with
        {
            Padding = p,
            Strides = new Pair(1, (a.Strides ?? Pair.Of(1)).Cols),
            Dilation = new Pair(1, a.Dilation.Cols),
        };
        var y = Conv2d(x.Reshape(1, x.Length), w.Reshape(1, w.Length), a2);
        return y.Reshape(y.Length);
    }
}

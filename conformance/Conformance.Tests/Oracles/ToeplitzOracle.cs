using Conformance.Reference;
using MathNet.Numerics.LinearAlgebra;

namespace Conformance.Tests.Oracles;

/// <summary>
/// conv2d_layer as explicit MathNet matrices, built from the spec formula
///   Z[b,i1,i2,m] = Σ_{k1,k2,n} W'[k1,k2,n,m]·X[b, i1·s1 + k1·d1 − pad_top, i2·s2 + k2·d2 − pad_left, g·Cin/G + n] + b[m]
/// with padding from <see cref="SpecGeometry"/>, never by calling the reference. Rows are output
/// elements in NHWC row-major order; columns are input (or weight, or bias) elements. Then
/// y = T·vec(x) + Bias·b = S·vec(w) + Bias·b, and the gradients are the transposes:
/// dx = Tᵀ·vec(dy), dw = Sᵀ·vec(dy), db = Biasᵀ·vec(dy).
/// </summary>
public sealed class ToeplitzOracle
{
    /// <summary>∂y/∂x: rows B·M1·M2·Cout, columns B·N1·N2·Cin.</summary>
    public Matrix<double> T { get; }

    /// <summary>∂y/∂w: rows B·M1·M2·Cout, columns K1·K2·(Cin/G)·Cout.</summary>
    public Matrix<double> S { get; }

    /// <summary>∂y/∂b: rows B·M1·M2·Cout, columns Cout.</summary>
    public Matrix<double> Bias { get; }

    /// <summary>The output shape [B, M1, M2, Cout].</summary>
    public int[] OutputShape { get; }

    /// <summary>Builds the three operators for input x (for S) and kernel w (for T).</summary>
    public ToeplitzOracle(Tensor x, Tensor w, OpAttributes a)
    {
        int batch = x.Shape[0], n1 = x.Shape[1], n2 = x.Shape[2], cin = x.Shape[3];
        int k1n = w.Shape[0], k2n = w.Shape[1], cinG = w.Shape[2], cout = w.Shape[3];
        int coutG = cout / a.Groups;
        SpecAxis rows = SpecGeometry.Rows(a, n1, k1n), cols = SpecGeometry.Cols(a, n2, k2n);
        Pair s = a.Strides ?? Pair.Of(1);
        OutputShape = [batch, rows.Out, cols.Out, cout];
        int outputs = batch * rows.Out * cols.Out * cout;
        T = Matrix<double>.Build.Sparse(outputs, x.Length);
        S = Matrix<double>.Build.Sparse(outputs, w.Length);
        Bias = Matrix<double>.Build.Sparse(outputs, cout);

        int row = 0;
        for (int b = 0; b < batch; b++)
            for (int i1 = 0; i1 < rows.Out; i1++)
                for (int i2 = 0; i2 < cols.Out; i2++)
                    for (int m = 0; m < cout; m++, row++)
                    {
                        Bias[row, m] = 1;
                        int g = m / coutG;
                        for (int k1 = 0; k1 < k1n; k1++)
                            for (int k2 = 0; k2 < k2n; k2++)
                            {
                                int r = i1 * s.Rows + k1 * a.Dilation.Rows - rows.Before;
                                int c = i2 * s.Cols + k2 * a.Dilation.Cols - cols.Before;
                                if (r < 0 || r >= n1 || c < 0 || c >= n2) continue;
                                // W'[k1,k2] is W at the mirrored tap when reversal is on.
                                int wk1 = a.Reversal ? k1n - 1 - k1 : k1, wk2 = a.Reversal ? k2n - 1 - k2 : k2;
                                for (int n = 0; n < cinG; n++)
                                {
                                    int xi = ((b * n1 + r) * n2 + c) * cin + g * cinG + n;
                                    int wi = ((wk1 * k2n + wk2) * cinG + n) * cout + m;
                                    T[row, xi] = w.Data[wi];
                                    S[row, wi] = x.Data[xi];
                                }
                            }
                    }
    }

    /// <summary>T·vec(x) + Bias·b.</summary>
    public Tensor Forward(Tensor x, Tensor? b)
    {
        var y = T * Vector<double>.Build.DenseOfArray(x.Data);
        if (b != null) y += Bias * Vector<double>.Build.DenseOfArray(b.Data);
        return new Tensor(OutputShape, y.ToArray());
    }

    /// <summary>Tᵀ·vec(dy), shaped like x.</summary>
    public Tensor Dx(Tensor dy, int[] xShape) => new(xShape, T.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(dy.Data)).ToArray());

    /// <summary>Sᵀ·vec(dy), shaped like w.</summary>
    public Tensor Dw(Tensor dy, int[] wShape) => new(wShape, S.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(dy.Data)).ToArray());

    /// <summary>Biasᵀ·vec(dy).</summary>
    public Tensor Db(Tensor dy) => new([Bias.ColumnCount], Bias.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(dy.Data)).ToArray());
}

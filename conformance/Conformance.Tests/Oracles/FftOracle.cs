using System.Numerics;
using Conformance.Reference;
using MathNet.Numerics.IntegralTransforms;

namespace Conformance.Tests.Oracles;

/// <summary>
/// Full linear convolution (with reversal) through the convolution theorem: zero-pad both signals
/// to a power of two L ≥ N + K − 1 (so the circular convolution equals the linear one), multiply
/// the DFTs from MathNet, transform back. 2D transforms run over rows, then over columns.
/// </summary>
public static class FftOracle
{
    /// <summary>
    /// Error factor c in |error| ≤ c·log2(L)·u·‖x‖₁·‖w‖₁. A radix-2 FFT's computed transform has
    /// ‖Δy‖₂ ≤ log2(L)·η·‖y‖₂ with η ≈ (1 + 4√2)·u ≈ 7u including twiddle errors (Higham, Accuracy and
    /// Stability of Numerical Algorithms, Thm 24.2); two forward and one inverse transform and the
    /// pointwise product give about 3·log2(L)·7u·‖x‖₁‖w‖₁ on the output (‖·‖∞ ≤ ‖·‖₂ ≤ ‖·‖₁,
    /// |X_k| ≤ ‖x‖₁). c = 30 rounds 21 up for MathNet's non-ideal twiddles.
    /// </summary>
    public const double FftErrorFactor = 30;

    /// <summary>2^−53.</summary>
    public const double UnitRoundoff = 1.1102230246251565e-16;

    /// <summary>The smallest power of two ≥ n.</summary>
    public static int PowerOfTwo(int n)
    {
        int l = 1;
        while (l < n) l *= 2;
        return l;
    }

    /// <summary>Bound on the element-wise difference from exact for a transform of total length <paramref name="l"/>.</summary>
    public static double Tolerance(int l, Tensor x, Tensor w) =>
        FftErrorFactor * Math.Max(1, Math.Log2(l)) * UnitRoundoff * x.Data.Sum(Math.Abs) * w.Data.Sum(Math.Abs);

    /// <summary>z[n] = Σ_k w[k]·x[n − k], n = 0 … N+K−2.</summary>
    public static Tensor Full1D(Tensor x, Tensor w)
    {
        int n = x.Length + w.Length - 1, l = PowerOfTwo(n);
        var xf = new Complex[l];
        var wf = new Complex[l];
        for (int i = 0; i < x.Length; i++) xf[i] = x.Data[i];
        for (int i = 0; i < w.Length; i++) wf[i] = w.Data[i];
        Fourier.Forward(xf, FourierOptions.Matlab);
        Fourier.Forward(wf, FourierOptions.Matlab);
        for (int i = 0; i < l; i++) xf[i] *= wf[i];
        Fourier.Inverse(xf, FourierOptions.Matlab);
        return new Tensor([n], xf.Take(n).Select(c => c.Real).ToArray());
    }

    /// <summary>Z[n1,n2] = Σ_k1 Σ_k2 W[k1,k2]·X[n1 − k1, n2 − k2] over the full (N+K−1) extent.</summary>
    public static Tensor Full2D(Tensor x, Tensor w)
    {
        int m1 = x.Shape[0] + w.Shape[0] - 1, m2 = x.Shape[1] + w.Shape[1] - 1;
        int l1 = PowerOfTwo(m1), l2 = PowerOfTwo(m2);
        var xf = Embed(x, l1, l2);
        var wf = Embed(w, l1, l2);
        Transform2D(xf, l1, l2, forward: true);
        Transform2D(wf, l1, l2, forward: true);
        for (int i = 0; i < xf.Length; i++) xf[i] *= wf[i];
        Transform2D(xf, l1, l2, forward: false);
        var z = Tensor.Zeros(m1, m2);
        for (int i = 0; i < m1; i++)
            for (int j = 0; j < m2; j++) z[i, j] = xf[i * l2 + j].Real;
        return z;
    }

    private static Complex[] Embed(Tensor t, int l1, int l2)
    {
        var r = new Complex[l1 * l2];
        for (int i = 0; i < t.Shape[0]; i++)
            for (int j = 0; j < t.Shape[1]; j++) r[i * l2 + j] = t[i, j];
        return r;
    }

    /// <summary>In-place 2D DFT of a row-major l1×l2 array: every row, then every column.</summary>
    private static void Transform2D(Complex[] a, int l1, int l2, bool forward)
    {
        var row = new Complex[l2];
        for (int i = 0; i < l1; i++)
        {
            Array.Copy(a, i * l2, row, 0, l2);
            Run(row, forward);
            Array.Copy(row, 0, a, i * l2, l2);
        }
        var col = new Complex[l1];
        for (int j = 0; j < l2; j++)
        {
            for (int i = 0; i < l1; i++) col[i] = a[i * l2 + j];
            Run(col, forward);
            for (int i = 0; i < l1; i++) a[i * l2 + j] = col[i];
        }
    }

    private static void Run(Complex[] v, bool forward)
    {
        if (forward) Fourier.Forward(v, FourierOptions.Matlab);
        else Fourier.Inverse(v, FourierOptions.Matlab);
    }
}

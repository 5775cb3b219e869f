using System.Numerics;
using Conformance.Reference;

namespace Conformance.Tests.Numerics;

/// <summary>How the dw Winograd under test computes: correctly, with a bug, or on absolute values.</summary>
public enum WinogradWeightVariant
{
    /// <summary>The transposed Winograd of spec/numerics.md ("Weight gradient") in IEEE arithmetic.</summary>
    None,

    /// <summary>A sign error in A: its last row is [0, +1] instead of [0, −1].</summary>
    SignErrorInA,

    /// <summary>Every transform constant replaced by its absolute value: on |inputs|, this evaluates W of the bound.</summary>
    AbsoluteValues,
}

/// <summary>
/// dw of conv2d_layer_backward by Winograd F(2×2,3×3) transposed, written from spec/numerics.md
/// alone in the arithmetic of T (V by <see cref="WinogradOracle"/>'s input transform): per 2×2 tile t of dy, Ŷ = A·dy_t·Aᵀ and V = Bᵀ·x_t·B (x_t the
/// forward's 4×4 input tile of t), S = Σ_t Ŷ ⊙ V in tile order, dw_eff = Gᵀ·S·G, each transform in
/// two stages of one sum per element. With T = float it is what a correct fp32 backend computes;
/// with T = double on integers it is exact. Independent of Conformance.Core's magnitudes on purpose.
/// </summary>
public static class WinogradWeightOracle
{
    /// <summary>dw (shape [3, 3, Cin/G, Cout]) of a 3×3, stride-1, dilation-1 call.</summary>
    public static Tensor Weights<T>(Tensor x, Tensor w, Tensor dy, OpAttributes a, WinogradWeightVariant variant = WinogradWeightVariant.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var top = a.Padding.Resolve(0, x.Shape[1], 3, 1, 1, "w");
        var left = a.Padding.Resolve(1, x.Shape[2], 3, 1, 1, "w");
        int batch = x.Shape[0], h = x.Shape[1], wd = x.Shape[2], cin = x.Shape[3];
        int m1 = dy.Shape[1], m2 = dy.Shape[2], cout = dy.Shape[3];
        int cinG = cin / a.Groups, coutG = cout / a.Groups;
        bool abs = variant == WinogradWeightVariant.AbsoluteValues;
        var s = new T[cin * cout * 16];
        Span<T> d = stackalloc T[16], g = stackalloc T[4], yt = stackalloc T[16];
        var vAll = new T[cin * 16];
        for (int b = 0; b < batch; b++)
            for (int p = 0; 2 * p < m1; p++)
                for (int q = 0; 2 * q < m2; q++)
                {
                    for (int c = 0; c < cin; c++)
                    {
                        for (int r = 0; r < 4; r++)
                            for (int col = 0; col < 4; col++)
                            {
                                int row = 2 * p - top.Before + r, cc = 2 * q - left.Before + col;
                                d[r * 4 + col] = row >= 0 && row < h && cc >= 0 && cc < wd ? T.CreateChecked(x[b, row, cc, c]) : T.Zero;
                            }
                        WinogradOracle.InputTransform<T>(d, vAll.AsSpan(c * 16, 16), abs ? WinogradVariant.AbsoluteValues : WinogradVariant.None);
                    }
                    for (int o = 0; o < cout; o++)
                    {
                        for (int i = 0; i < 2; i++)
                            for (int j = 0; j < 2; j++)
                                g[i * 2 + j] = 2 * p + i < m1 && 2 * q + j < m2 ? T.CreateChecked(dy[b, 2 * p + i, 2 * q + j, o]) : T.Zero;
                        GradientTransform<T>(g, yt, variant);
                        int grp = o / coutG;
                        for (int c = grp * cinG; c < (grp + 1) * cinG; c++)
                            for (int k = 0; k < 16; k++)
                                s[(c * cout + o) * 16 + k] += yt[k] * vAll[c * 16 + k];
                    }
                }
        var dw = Tensor.Zeros(3, 3, cinG, cout);
        Span<T> stage = stackalloc T[12], taps = stackalloc T[9];
        for (int o = 0; o < cout; o++)
            for (int n = 0; n < cinG; n++)
            {
                int c = o / coutG * cinG + n;
                ReadOnlySpan<T> sum = s.AsSpan((c * cout + o) * 16, 16);
                for (int col = 0; col < 4; col++) Gt(sum, col, 4, stage, col, 4, abs);
                for (int row = 0; row < 3; row++) Gt(stage.Slice(row * 4), 0, 1, taps.Slice(row * 3), 0, 1, abs);
                for (int k = 0; k < 9; k++)
                {
                    int k1 = k / 3, k2 = k % 3;
                    // Under reversal the layer's kernel is w_eff flipped, and so is its gradient.
                    dw[a.Reversal ? 2 - k1 : k1, a.Reversal ? 2 - k2 : k2, n, o] = double.CreateChecked(taps[k]);
                }
            }
        return dw;
    }

    private static void GradientTransform<T>(ReadOnlySpan<T> g, Span<T> y, WinogradWeightVariant variant) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[8];
        for (int col = 0; col < 2; col++) Am(g, col, 2, t, col, 2, variant);
        for (int row = 0; row < 4; row++) Am(t.Slice(row * 2), 0, 1, y.Slice(row * 4), 0, 1, variant);
    }

    // out = A·in with rows [1,0], [1,1], [1,−1], [0,−1].
    private static void Am<T>(ReadOnlySpan<T> a, int i, int s, Span<T> o, int j, int t, WinogradWeightVariant variant) where T : IFloatingPointIeee754<T>
    {
        T a0 = a[i], a1 = a[i + s];
        bool abs = variant == WinogradWeightVariant.AbsoluteValues;
        o[j] = a0;
        o[j + t] = a0 + a1;
        o[j + 2 * t] = abs ? a0 + a1 : a0 - a1;
        o[j + 3 * t] = abs || variant == WinogradWeightVariant.SignErrorInA ? a1 : -a1;
    }

    // out = Gᵀ·in with rows [1,½,½,0], [0,½,−½,0], [0,½,½,1].
    private static void Gt<T>(ReadOnlySpan<T> a, int i, int s, Span<T> o, int j, int t, bool abs) where T : IFloatingPointIeee754<T>
    {
        T m0 = a[i], m1 = a[i + s], m2 = a[i + 2 * s], m3 = a[i + 3 * s], half = T.One / (T.One + T.One);
        o[j] = m0 + (m1 + m2) * half;
        o[j + t] = (abs ? m1 + m2 : m1 - m2) * half;
        o[j + 2 * t] = (m1 + m2) * half + m3;
    }
}

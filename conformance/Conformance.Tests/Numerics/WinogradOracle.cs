using System.Numerics;
using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Tests.Numerics;

/// <summary>How the Winograd implementation under test computes: correctly, with a flush to zero, or with a bug.</summary>
public enum WinogradVariant
{
    /// <summary>The transforms and tiling of spec/numerics.md in IEEE arithmetic with subnormals.</summary>
    None,

    /// <summary>Correct, but every subnormal result of an operation is flushed to zero, as GPUs do by default.</summary>
    FlushToZero,

    /// <summary>A sign error in Bᵀ: its last row is [0, 1, 0, +1] instead of [0, 1, 0, −1].</summary>
    SignErrorInBt,

    /// <summary>The transformed tiles U and V rounded to TF32 (10 stored bits) before the products, as a tensor-core path does.</summary>
    Tf32Operands,

    /// <summary>Every transform constant replaced by its absolute value: on |inputs|, this evaluates W of the bound.</summary>
    AbsoluteValues,
}

/// <summary>
/// Winograd F(2×2,3×3) written from spec/numerics.md alone, in the arithmetic of T: with
/// T = float it is what a correct fp32 Winograd backend computes (transforms in float, each stage
/// one sum per element, products and the channel sum in float in increasing channel order, bias
/// last); with T = double on integers it is exact, so it checks the normative tiling against the
/// reference bit for bit. Its variants flush subnormals or carry a bug. Independent of
/// Conformance.Core's WinogradMagnitudes on purpose.
/// </summary>
public static class WinogradOracle
{
    /// <summary>y of conv2d_layer (3×3 kernel, strides and dilation 1).</summary>
    public static Tensor Forward<T>(Tensor x, Tensor w, Tensor? bias, OpAttributes a, WinogradVariant variant = WinogradVariant.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var top = a.Padding.Resolve(0, x.Shape[1], 3, 1, 1, "w");
        var left = a.Padding.Resolve(1, x.Shape[2], 3, 1, 1, "w");
        // The input tile of output tile (p, q) starts at x[2p − pT, 2q − pL]; the kernel is w_eff[j1, j2, n, m].
        return Correlate<T>(x, -top.Before, -left.Before, top.OutputSize, left.OutputSize, w.Shape[3], a.Groups,
            (m, n, j1, j2) => Effective(w, a, j1, j2, n, m), bias, variant);
    }

    /// <summary>dx of conv2d_layer_backward (3×3 kernel, strides and dilation 1).</summary>
    public static Tensor BackwardData<T>(Tensor x, Tensor w, Tensor dy, OpAttributes a, WinogradVariant variant = WinogradVariant.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var top = a.Padding.Resolve(0, x.Shape[1], 3, 1, 1, "w");
        var left = a.Padding.Resolve(1, x.Shape[2], 3, 1, 1, "w");
        int cinG = w.Shape[2], coutG = w.Shape[3] / a.Groups;
        // dy padded by 2 − pT on top and 2 − pL on the left, correlated with g'[j1,j2] = w_eff[2 − j1, 2 − j2, n, o].
        return Correlate<T>(dy, top.Before - 2, left.Before - 2, x.Shape[1], x.Shape[2], x.Shape[3], a.Groups,
            (ch, o, j1, j2) => Effective(w, a, 2 - j1, 2 - j2, ch % cinG, ch / cinG * coutG + o), null, variant);
    }

    private static double Effective(Tensor w, OpAttributes a, int k1, int k2, int n, int m) =>
        a.Reversal ? w[2 - k1, 2 - k2, n, m] : w[k1, k2, n, m];

    private static Tensor Correlate<T>(Tensor data, int off1, int off2, int out1, int out2, int outChannels, int groups,
        Func<int, int, int, int, double> kernel, Tensor? bias, WinogradVariant variant) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = data.Shape[0], h = data.Shape[1], wd = data.Shape[2], cd = data.Shape[3];
        int dataPerGroup = cd / groups, outPerGroup = outChannels / groups;
        // U for every (output channel, data channel of its group), as a backend transforms its filters once.
        var u = new T[outChannels * dataPerGroup * 16];
        var g = new T[9];
        for (int oc = 0; oc < outChannels; oc++)
            for (int c = 0; c < dataPerGroup; c++)
            {
                for (int k = 0; k < 9; k++) g[k] = T.CreateChecked(kernel(oc, c, k / 3, k % 3));
                FilterTransform(g, u.AsSpan((oc * dataPerGroup + c) * 16, 16), variant);
            }
        var y = Tensor.Zeros(batch, out1, out2, outChannels);
        var v = new T[cd * 16];
        var d = new T[16];
        var m = new T[16];
        var tile = new T[4];
        for (int b = 0; b < batch; b++)
            for (int p = 0; 2 * p < out1; p++)
                for (int q = 0; 2 * q < out2; q++)
                {
                    for (int ch = 0; ch < cd; ch++)
                    {
                        for (int r = 0; r < 4; r++)
                            for (int s = 0; s < 4; s++)
                            {
                                int row = 2 * p + off1 + r, col = 2 * q + off2 + s;
                                bool inside = row >= 0 && row < h && col >= 0 && col < wd;
                                d[r * 4 + s] = inside ? T.CreateChecked(data[b, row, col, ch]) : T.Zero;
                            }
                        InputTransform(d, v.AsSpan(ch * 16, 16), variant);
                    }
                    for (int oc = 0; oc < outChannels; oc++)
                    {
                        int first = oc / outPerGroup * dataPerGroup;
                        Array.Clear(m);
                        for (int c = 0; c < dataPerGroup; c++)
                            for (int k = 0; k < 16; k++)
                                m[k] = Fl(m[k] + Fl(u[(oc * dataPerGroup + c) * 16 + k] * v[(first + c) * 16 + k], variant), variant);
                        OutputTransform(m, tile, variant);
                        for (int i = 0; i < 2 && 2 * p + i < out1; i++)
                            for (int j = 0; j < 2 && 2 * q + j < out2; j++)
                            {
                                T value = tile[i * 2 + j];
                                if (bias != null) value = Fl(value + T.CreateChecked(bias.Data[oc]), variant);
                                y[b, 2 * p + i, 2 * q + j, oc] = double.CreateChecked(value);
                            }
                    }
                }
        return y;
    }

    // The three transforms, each as two stages (columns, then rows) of one sum per element.
    /// <summary>V = Bᵀ·d·B of one 4×4 tile, in two stages (the dw oracle uses it too).</summary>
    internal static void InputTransform<T>(ReadOnlySpan<T> d, Span<T> v, WinogradVariant variant) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[16];
        for (int col = 0; col < 4; col++) Bt(d, col, 4, t, col, 4, variant);
        for (int row = 0; row < 4; row++) Bt(t.Slice(row * 4), 0, 1, v.Slice(row * 4), 0, 1, variant);
        if (variant == WinogradVariant.Tf32Operands) RoundToTf32(v);
    }

    private static void FilterTransform<T>(ReadOnlySpan<T> g, Span<T> u, WinogradVariant variant) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[12];
        for (int col = 0; col < 3; col++) Gm(g, col, 3, t, col, 3, variant);
        for (int row = 0; row < 4; row++) Gm(t.Slice(row * 3), 0, 1, u.Slice(row * 4), 0, 1, variant);
        if (variant == WinogradVariant.Tf32Operands) RoundToTf32(u);
    }

    private static void OutputTransform<T>(ReadOnlySpan<T> m, Span<T> y, WinogradVariant variant) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[8];
        for (int col = 0; col < 4; col++) Am(m, col, 4, t, col, 4, variant);
        for (int row = 0; row < 2; row++) Am(t.Slice(row * 4), 0, 1, y.Slice(row * 2), 0, 1, variant);
    }

    // One stage on a strided vector: out = Bᵀ·in with rows [1,0,−1,0], [0,1,1,0], [0,−1,1,0], [0,1,0,−1].
    private static void Bt<T>(ReadOnlySpan<T> a, int i, int s, Span<T> o, int j, int t, WinogradVariant variant) where T : IFloatingPointIeee754<T>
    {
        T d0 = a[i], d1 = a[i + s], d2 = a[i + 2 * s], d3 = a[i + 3 * s];
        bool abs = variant == WinogradVariant.AbsoluteValues;
        o[j] = Fl(abs ? d0 + d2 : d0 - d2, variant);
        o[j + t] = Fl(d1 + d2, variant);
        o[j + 2 * t] = Fl(abs ? d2 + d1 : d2 - d1, variant);
        o[j + 3 * t] = Fl(abs || variant == WinogradVariant.SignErrorInBt ? d1 + d3 : d1 - d3, variant);
    }

    // out = G·in with rows [1,0,0], [½,½,½], [½,−½,½], [0,0,1].
    private static void Gm<T>(ReadOnlySpan<T> a, int i, int s, Span<T> o, int j, int t, WinogradVariant variant) where T : IFloatingPointIeee754<T>
    {
        T g0 = a[i], g1 = a[i + s], g2 = a[i + 2 * s], half = T.One / (T.One + T.One);
        T minusG1 = variant == WinogradVariant.AbsoluteValues ? g1 : -g1;
        o[j] = g0;
        o[j + t] = Fl(Fl(Fl(g0 + g1, variant) + g2, variant) * half, variant);
        o[j + 2 * t] = Fl(Fl(Fl(g0 + minusG1, variant) + g2, variant) * half, variant);
        o[j + 3 * t] = g2;
    }

    // out = Aᵀ·in with rows [1,1,1,0], [0,1,−1,−1].
    private static void Am<T>(ReadOnlySpan<T> a, int i, int s, Span<T> o, int j, int t, WinogradVariant variant) where T : IFloatingPointIeee754<T>
    {
        T m0 = a[i], m1 = a[i + s], m2 = a[i + 2 * s], m3 = a[i + 3 * s];
        o[j] = Fl(Fl(m0 + m1, variant) + m2, variant);
        o[j + t] = variant == WinogradVariant.AbsoluteValues ? m1 + m2 + m3 : Fl(Fl(m1 - m2, variant) - m3, variant);
    }

    // One operation's result, flushed to zero when it is subnormal and the variant flushes.
    private static T Fl<T>(T value, WinogradVariant variant) where T : IFloatingPointIeee754<T> =>
        variant == WinogradVariant.FlushToZero && T.IsSubnormal(value) ? T.Zero : value;

    private static void RoundToTf32<T>(Span<T> values) where T : IFloatingPointIeee754<T>
    {
        for (int k = 0; k < values.Length; k++)
            values[k] = T.CreateChecked(PrecisionClass.Tf32.RoundToInput(double.CreateChecked(values[k])));
    }
}

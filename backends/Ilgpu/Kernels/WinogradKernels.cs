using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// Convolution kernels, version 4: Winograd F(2×2,3×3) for the 3×3, stride-1, dilation-1 passes of
// conv2d_layer (forward y, backward data dx and backward weights dw), fp32. Versions 1–3 are in
// ConvolutionKernels.cs, ConvGemmKernels.cs and ConvGemmKernelsV3.cs; ConvPasses.cs runs the launches.
//
// Versions:
//   v4  A stride-1 3×3 correlation of T (x forward, dy backward data) in 2×2 output tiles, in the
//       transforms and tiling that spec/numerics.md makes normative (Lavin & Gray 2016):
//         Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A  (+ bias),
//       with d_c the 4×4 input tile at (2p − Pad1, 2q − Pad2) of channel c (zeros outside T).
//       Three launches around one batched GEMM:
//         FilterTransformV4   U[k][ξ][o] = (G g Gᵀ)[ξ] for every (reduction channel k, output channel o)
//         InputTransformV4    V[t][ξ][c] = (Bᵀ d B)[ξ] for every (tile t, channel c)
//         ForwardV2 (or ForwardV3, ConvGemmPlan.WinogradGemmVersion) on 16·Groups groups: M[t][ξ][o] = Σ_k V[t][ξ][g·K + k]·U[k][ξ][o]
//         OutputTransformV4   y tile = Aᵀ M[t] A (+ bias[o]) for every (tile t, output channel o)
//       so the 16 products of a tile point are one GEMM each (M = tiles, N = output channels per
//       group, K = input channels per group) instead of the 36 of direct convolution: 2.25× fewer
//       multiplications. Each element is summed in one fixed order (the GEMM's k order, then the
//       output transform), so results repeat bitwise.
//       The transforms are written out on scalars: a local array indexed in a loop would be placed
//       in local memory (RegisterTile.cs). Every constant (0, ±1, ½) is exact in binary, and each
//       stage's sums are evaluated left to right as written, which the error model's R counts.
//
// Backward data is the same correlation of dy, padded (2 − Pad1, 2 − Pad2), with the kernel flipped
// in both taps and each group's channel block transposed: the filter transform reads w so.
//
//   v4  backward weights, Winograd transposed (spec/numerics.md, "Weight gradient"):
//         dw_eff = Σ_t Gᵀ [ (A dy_t Aᵀ) ⊙ (Bᵀ x_t B) ] G   over the 2×2 tiles t of dy
//       InputTransformV4 (V of x, as forward), GradientTransformV4 (Ŷ of dy), the 16 sums over tiles
//       as one split-K backward-weights GEMM (v2's or v3's) and its split reduction in split order,
//       then WeightsFromTransformV4 (Gᵀ S G, taps flipped back under reversal).

/// <summary>One Winograd F(2×2,3×3) pass: a stride-1 3×3 correlation of T[Batch, InRows, InCols, InChannels] into Y[Batch, OutRows, OutCols, OutChannels].</summary>
public struct WinogradShape
{
    /// <summary>Batch size.</summary>
    public int Batch;
    /// <summary>The correlated tensor's rows, columns and channels (x forward, dy backward data).</summary>
    public int InRows, InCols, InChannels;
    /// <summary>The output's rows, columns and channels (y forward, dx backward data).</summary>
    public int OutRows, OutCols, OutChannels;
    /// <summary>Zeros before T (top, left) in the correlation.</summary>
    public int Pad1, Pad2;
    /// <summary>Channel groups: output channel o reads the InChannels/Groups channels of its group.</summary>
    public int Groups;
    /// <summary>1 when the layer's kernel is flipped (reversal).</summary>
    public int Reversal;
    /// <summary>1 for backward data: the kernel is read flipped and transposed per group.</summary>
    public int Backward;
    /// <summary>1 when bias[o] is added after the output transform.</summary>
    public int HasBias;

    /// <summary>2×2 tiles per column and per row of the output.</summary>
    public readonly int TileRows => (OutRows + 1) / 2;

    /// <summary>2×2 tiles per row of the output.</summary>
    public readonly int TileCols => (OutCols + 1) / 2;

    /// <summary>Tiles of the whole batch (the GEMM's M).</summary>
    public readonly int Tiles => Batch * TileRows * TileCols;

    /// <summary>Channels of T one output channel reads (the GEMM's K).</summary>
    public readonly int GroupIn => InChannels / Groups;

    /// <summary>Output channels per group (the GEMM's N per group).</summary>
    public readonly int GroupOut => OutChannels / Groups;
}

/// <summary>The Winograd F(2×2,3×3) transforms of convolution version 4; see the version list at the top of the file.</summary>
public static class WinogradKernels
{
    /// <summary>Points of a transformed tile (4×4): the GEMM is batched over them.</summary>
    public const int Points = 16;

    /// <summary>
    /// U[k·16·Out + ξ·Out + o] = (G g Gᵀ)[ξ] for the 3×3 correlation kernel g linking reduction channel
    /// k (of o's group) to output channel o. One thread per (k, o): <c>GroupIn · OutChannels</c> threads.
    /// w is HWIO [3, 3, Cin/G, Cout] of the layer.
    /// </summary>
    public static void FilterTransformV4(Index1D index, ArrayView<float> w, ArrayView<float> u, WinogradShape p) =>
        FilterTransform(index, w, u, p, 0.5f);

    /// <summary>FilterTransformV4 with G's middle rows scaled by <paramref name="half"/> (a kernel mutant forgets the ½).</summary>
    internal static void FilterTransform(Index1D index, ArrayView<float> w, ArrayView<float> u, WinogradShape p, float half)
    {
        int k = index / p.OutChannels, o = index % p.OutChannels;
        // Forward: g[a,b] = w[a', b', k, o]. Backward data: o is a dx channel c, k a dy channel of its
        // group, and g[a,b] = w_eff[2−a, 2−b, c_local, g·Cout/G + k] (the transposed, flipped kernel).
        int cout = p.Backward != 0 ? p.InChannels : p.OutChannels;
        int cinPerGroup = p.Backward != 0 ? p.GroupOut : p.GroupIn;
        int channel = p.Backward != 0 ? o % p.GroupOut : k;
        int column = p.Backward != 0 ? o / p.GroupOut * p.GroupIn + k : o;
        int flip = p.Reversal ^ p.Backward;
        int step = cinPerGroup * cout, at = channel * cout + column;
        float g00 = Tap(w, step, at, 0, 0, flip), g01 = Tap(w, step, at, 0, 1, flip), g02 = Tap(w, step, at, 0, 2, flip);
        float g10 = Tap(w, step, at, 1, 0, flip), g11 = Tap(w, step, at, 1, 1, flip), g12 = Tap(w, step, at, 1, 2, flip);
        float g20 = Tap(w, step, at, 2, 0, flip), g21 = Tap(w, step, at, 2, 1, flip), g22 = Tap(w, step, at, 2, 2, flip);
        // T = G g (4×3), column by column; then U = T Gᵀ, row by row.
        float t00 = g00, t01 = g01, t02 = g02;
        float t10 = half * (g00 + g10 + g20), t11 = half * (g01 + g11 + g21), t12 = half * (g02 + g12 + g22);
        float t20 = half * (g00 - g10 + g20), t21 = half * (g01 - g11 + g21), t22 = half * (g02 - g12 + g22);
        float t30 = g20, t31 = g21, t32 = g22;
        int stride = p.OutChannels, b = k * Points * stride + o;
        StoreFilterRow(u, b, stride, t00, t01, t02, half);
        StoreFilterRow(u, b + 4 * stride, stride, t10, t11, t12, half);
        StoreFilterRow(u, b + 8 * stride, stride, t20, t21, t22, half);
        StoreFilterRow(u, b + 12 * stride, stride, t30, t31, t32, half);
    }

    /// <summary>g[a, b] of the correlation: w[a, b] or, flipped, w[2 − a, 2 − b].</summary>
    private static float Tap(ArrayView<float> w, int step, int at, int a, int b, int flip) =>
        flip != 0 ? w[((2 - a) * 3 + (2 - b)) * step + at] : w[(a * 3 + b) * step + at];

    /// <summary>One row of U = T Gᵀ: (t0, ½(t0 + t1 + t2), ½(t0 − t1 + t2), t2).</summary>
    private static void StoreFilterRow(ArrayView<float> u, int at, int stride, float t0, float t1, float t2, float half)
    {
        u[at] = t0;
        u[at + stride] = half * (t0 + t1 + t2);
        u[at + 2 * stride] = half * (t0 - t1 + t2);
        u[at + 3 * stride] = t2;
    }

    /// <summary>
    /// V[t·16·In + ξ·In + c] = (Bᵀ d B)[ξ] for the 4×4 tile d of channel c at tile t. One thread per
    /// (tile, channel): <c>Tiles · InChannels</c> threads, consecutive threads on consecutive channels (coalesced).
    /// </summary>
    public static void InputTransformV4(Index1D index, ArrayView<float> t, ArrayView<float> v, WinogradShape p) =>
        InputTransform(index, t, v, p, 2);

    /// <summary>InputTransformV4 with tiles <paramref name="step"/> apart in T (a kernel mutant steps 4, the input tile's size, instead of 2).</summary>
    internal static void InputTransform(Index1D index, ArrayView<float> t, ArrayView<float> v, WinogradShape p, int step)
    {
        int c = index % p.InChannels, tile = index / p.InChannels;
        int tc = tile % p.TileCols, rest = tile / p.TileCols;
        int tr = rest % p.TileRows, b = rest / p.TileRows;
        int r0 = step * tr - p.Pad1, c0 = step * tc - p.Pad2;
        // Bᵀ d, column by column: (d0 − d2, d1 + d2, d2 − d1, d1 − d3) down each column j.
        float e00 = 0, e01 = 0, e02 = 0, e03 = 0, e10 = 0, e11 = 0, e12 = 0, e13 = 0;
        float e20 = 0, e21 = 0, e22 = 0, e23 = 0, e30 = 0, e31 = 0, e32 = 0, e33 = 0;
        ColumnOfBtD(t, p, b, r0, c0, c, ref e00, ref e10, ref e20, ref e30);
        ColumnOfBtD(t, p, b, r0, c0 + 1, c, ref e01, ref e11, ref e21, ref e31);
        ColumnOfBtD(t, p, b, r0, c0 + 2, c, ref e02, ref e12, ref e22, ref e32);
        ColumnOfBtD(t, p, b, r0, c0 + 3, c, ref e03, ref e13, ref e23, ref e33);
        int stride = p.InChannels, at = tile * Points * stride + c;
        StoreInputRow(v, at, stride, e00, e01, e02, e03);
        StoreInputRow(v, at + 4 * stride, stride, e10, e11, e12, e13);
        StoreInputRow(v, at + 8 * stride, stride, e20, e21, e22, e23);
        StoreInputRow(v, at + 12 * stride, stride, e30, e31, e32, e33);
    }

    /// <summary>Column <paramref name="col"/> of Bᵀ d: the tile's four rows there, zero outside T.</summary>
    private static void ColumnOfBtD(ArrayView<float> t, WinogradShape p, int b, int r0, int col, int c,
        ref float e0, ref float e1, ref float e2, ref float e3)
    {
        float d0 = Load(t, p, b, r0, col, c), d1 = Load(t, p, b, r0 + 1, col, c);
        float d2 = Load(t, p, b, r0 + 2, col, c), d3 = Load(t, p, b, r0 + 3, col, c);
        e0 = d0 - d2;
        e1 = d1 + d2;
        e2 = d2 - d1;
        e3 = d1 - d3;
    }

    private static float Load(ArrayView<float> t, WinogradShape p, int b, int r, int col, int c) =>
        r < 0 || r >= p.InRows || col < 0 || col >= p.InCols ? 0f : t[((b * p.InRows + r) * p.InCols + col) * p.InChannels + c];

    /// <summary>One row of V = (Bᵀ d) B: (e0 − e2, e1 + e2, e2 − e1, e1 − e3).</summary>
    private static void StoreInputRow(ArrayView<float> v, int at, int stride, float e0, float e1, float e2, float e3)
    {
        v[at] = e0 - e2;
        v[at + stride] = e1 + e2;
        v[at + 2 * stride] = e2 - e1;
        v[at + 3 * stride] = e1 - e3;
    }

    /// <summary>
    /// The 2×2 outputs of tile t and channel o: Aᵀ m A (+ bias[o]) with m[ξ] = M[t·16·Out + ξ·Out + o];
    /// outputs past the last row or column are not written. One thread per (tile, output channel).
    /// </summary>
    public static void OutputTransformV4(Index1D index, ArrayView<float> m, ArrayView<float> bias, ArrayView<float> y, WinogradShape p)
    {
        int o = index % p.OutChannels, tile = index / p.OutChannels;
        int tc = tile % p.TileCols, rest = tile / p.TileCols;
        int tr = rest % p.TileRows, b = rest / p.TileRows;
        int stride = p.OutChannels, at = tile * Points * stride + o;
        // S = Aᵀ m (2×4), column by column: (m0 + m1 + m2, m1 − m2 − m3) down each column j.
        float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        ColumnOfAtM(m, at, stride, ref s00, ref s10);
        ColumnOfAtM(m, at + stride, stride, ref s01, ref s11);
        ColumnOfAtM(m, at + 2 * stride, stride, ref s02, ref s12);
        ColumnOfAtM(m, at + 3 * stride, stride, ref s03, ref s13);
        float add = p.HasBias != 0 ? bias[o] : 0f;
        int r = 2 * tr, col = 2 * tc;
        Store(y, p, b, r, col, o, s00 + s01 + s02, p.HasBias, add);
        Store(y, p, b, r, col + 1, o, s01 - s02 - s03, p.HasBias, add);
        Store(y, p, b, r + 1, col, o, s10 + s11 + s12, p.HasBias, add);
        Store(y, p, b, r + 1, col + 1, o, s11 - s12 - s13, p.HasBias, add);
    }

    /// <summary>Column j of Aᵀ m, from m[0..3][j] at <paramref name="at"/> + 4i·stride.</summary>
    private static void ColumnOfAtM(ArrayView<float> m, int at, int stride, ref float s0, ref float s1)
    {
        float m0 = m[at], m1 = m[at + 4 * stride], m2 = m[at + 8 * stride], m3 = m[at + 12 * stride];
        s0 = m0 + m1 + m2;
        s1 = m1 - m2 - m3;
    }

    private static void Store(ArrayView<float> y, WinogradShape p, int b, int r, int col, int o, float value, int hasBias, float bias)
    {
        if (r >= p.OutRows || col >= p.OutCols) return;
        // The bias is one more addend, after the transform (the error model counts it last).
        y[((b * p.OutRows + r) * p.OutCols + col) * p.OutChannels + o] = hasBias != 0 ? value + bias : value;
    }

    /// <summary>
    /// Backward weights: Ŷ[t·16·Out + ξ·Out + o] = (A dy A^T)[ξ] for the 2×2 tile of dy (the forward's
    /// output, zero past its edge) at tile t, channel o; A = (Aᵀ)ᵀ maps (a, b) to (a, a + b, a − b, −b).
    /// One thread per (tile, output channel).
    /// </summary>
    public static void GradientTransformV4(Index1D index, ArrayView<float> dy, ArrayView<float> g, WinogradShape p)
    {
        int o = index % p.OutChannels, tile = index / p.OutChannels;
        int tc = tile % p.TileCols, rest = tile / p.TileCols;
        int tr = rest % p.TileRows, b = rest / p.TileRows;
        int r = 2 * tr, col = 2 * tc;
        float d00 = Gradient(dy, p, b, r, col, o), d01 = Gradient(dy, p, b, r, col + 1, o);
        float d10 = Gradient(dy, p, b, r + 1, col, o), d11 = Gradient(dy, p, b, r + 1, col + 1, o);
        // A dy (4×2), then (A dy) Aᵀ row by row.
        float a0 = d00, a1 = d01;
        float b0 = d00 + d10, b1 = d01 + d11;
        float c0 = d00 - d10, c1 = d01 - d11;
        float e0 = -d10, e1 = -d11;
        int stride = p.OutChannels, at = tile * Points * stride + o;
        StoreGradientRow(g, at, stride, a0, a1);
        StoreGradientRow(g, at + 4 * stride, stride, b0, b1);
        StoreGradientRow(g, at + 8 * stride, stride, c0, c1);
        StoreGradientRow(g, at + 12 * stride, stride, e0, e1);
    }

    private static float Gradient(ArrayView<float> dy, WinogradShape p, int b, int r, int col, int o) =>
        r >= p.OutRows || col >= p.OutCols ? 0f : dy[((b * p.OutRows + r) * p.OutCols + col) * p.OutChannels + o];

    /// <summary>One row of (A dy) Aᵀ: (a, a + b, a − b, −b).</summary>
    private static void StoreGradientRow(ArrayView<float> g, int at, int stride, float a, float b)
    {
        g[at] = a;
        g[at + stride] = a + b;
        g[at + 2 * stride] = a - b;
        g[at + 3 * stride] = -b;
    }

    /// <summary>
    /// Backward weights, last step: dw[k1, k2, c, o] = (Gᵀ D G)[k1, k2] (taps flipped back with Reversal),
    /// D[ξ] = S[c·16·Out + ξ·Out + o] the sums over every tile of V ⊙ Ŷ. Gᵀ maps (m0, m1, m2, m3) to
    /// (m0 + ½(m1 + m2), ½(m1 − m2), ½(m1 + m2) + m3). One thread per (c within the group, o).
    /// </summary>
    public static void WeightsFromTransformV4(Index1D index, ArrayView<float> s, ArrayView<float> dw, WinogradShape p) =>
        WeightsFromTransform(index, s, dw, p, p.Reversal);

    /// <summary>WeightsFromTransformV4 flipping the taps when <paramref name="flip"/> is 1 (a kernel mutant passes 0 under reversal).</summary>
    internal static void WeightsFromTransform(Index1D index, ArrayView<float> s, ArrayView<float> dw, WinogradShape p, int flip)
    {
        int c = index / p.OutChannels, o = index % p.OutChannels;
        int stride = p.OutChannels, at = c * Points * stride + o;
        // Gᵀ D (3×4), column by column.
        float f00 = 0, f01 = 0, f02 = 0, f03 = 0, f10 = 0, f11 = 0, f12 = 0, f13 = 0, f20 = 0, f21 = 0, f22 = 0, f23 = 0;
        ColumnOfGtD(s, at, stride, ref f00, ref f10, ref f20);
        ColumnOfGtD(s, at + stride, stride, ref f01, ref f11, ref f21);
        ColumnOfGtD(s, at + 2 * stride, stride, ref f02, ref f12, ref f22);
        ColumnOfGtD(s, at + 3 * stride, stride, ref f03, ref f13, ref f23);
        int step = p.GroupIn * p.OutChannels, to = c * p.OutChannels + o;
        StoreWeightRow(dw, step, to, 0, f00, f01, f02, f03, flip);
        StoreWeightRow(dw, step, to, 1, f10, f11, f12, f13, flip);
        StoreWeightRow(dw, step, to, 2, f20, f21, f22, f23, flip);
    }

    private static void ColumnOfGtD(ArrayView<float> s, int at, int stride, ref float f0, ref float f1, ref float f2)
    {
        float m0 = s[at], m1 = s[at + 4 * stride], m2 = s[at + 8 * stride], m3 = s[at + 12 * stride];
        f0 = m0 + 0.5f * (m1 + m2);
        f1 = 0.5f * (m1 - m2);
        f2 = 0.5f * (m1 + m2) + m3;
    }

    /// <summary>Row <paramref name="k1"/> of (Gᵀ D) G into dw, at the flipped taps when the layer reverses its kernel.</summary>
    private static void StoreWeightRow(ArrayView<float> dw, int step, int to, int k1, float m0, float m1, float m2, float m3, int flip)
    {
        int r = flip != 0 ? 2 - k1 : k1;
        int first = flip != 0 ? 2 : 0, last = 2 - first;
        dw[(r * 3 + first) * step + to] = m0 + 0.5f * (m1 + m2);
        dw[(r * 3 + 1) * step + to] = 0.5f * (m1 - m2);
        dw[(r * 3 + last) * step + to] = 0.5f * (m1 + m2) + m3;
    }
}

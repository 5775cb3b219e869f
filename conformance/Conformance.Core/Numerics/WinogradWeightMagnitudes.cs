using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Numerics;

/// <summary>
/// W and F of dw of conv2d_layer_backward by Winograd F(2×2,3×3) transposed (spec/numerics.md,
/// "Weight gradient"): dw_eff = Σ_t Gᵀ·[(A·dy_t·Aᵀ) ⊙ (Bᵀ·x_t·B)]·G over the 2×2 tiles t of dy,
/// x_t the forward's 4×4 input tile of t; dw is dw_eff with its taps flipped under reversal.
/// </summary>
internal static class WinogradWeightMagnitudes
{
    /// <summary>The tiles of an eligible call: dy's 2×2 blocks at even origins over the batch, and the forward's padding.</summary>
    private sealed record Tiling(Tensor X, Tensor Dy, int Pad1, int Pad2, int Groups, bool Reversal)
    {
        public int Batch => X.Shape[0];
        public int Out1 => Dy.Shape[1];
        public int Out2 => Dy.Shape[2];
        public int Tiles1 => (Out1 + 1) / 2;
        public int Tiles2 => (Out2 + 1) / 2;
        public int Tiles => Batch * Tiles1 * Tiles2;
        public int Cin => X.Shape[3];
        public int Cout => Dy.Shape[3];
        public int CinPerGroup => Cin / Groups;
        public int CoutPerGroup => Cout / Groups;
    }

    private static Tiling TilingOf(OpCall call)
    {
        var (x, w, dy, a) = (call.Inputs["x"], call.Inputs["w"], call.Inputs["dy"], call.Attributes);
        var geo = LayerGeometry.Of(x, w, null, a);
        return new Tiling(x, dy, geo.Out1.Before, geo.Out2.Before, geo.Groups, a.Reversal);
    }

    /// <summary>R of dw: T + 9 (<see cref="WinogradF2x2.WeightRoundings"/>).</summary>
    public static int Roundings(OpCall call) => WinogradF2x2.WeightRoundings(TilingOf(call).Tiles);

    /// <summary>W, F, R and the exact-tier maxima of dw (shape [3, 3, Cin/G, Cout]).</summary>
    public static WinogradMagnitude Evaluate(OpCall call)
    {
        var t = TilingOf(call);
        int tiles = t.Tiles;
        // Ṽ of every (tile, input channel) and Ỹ of every (tile, output channel), 16 each.
        var v = new double[(long)tiles * t.Cin * 16];
        var y = new double[(long)tiles * t.Cout * 16];
        double[] tileIntermediate = new double[tiles], tileOperand = new double[tiles];
        Parallel.For(0, tiles, Parallelism.Options, tile =>
        {
            double maxI = 0, maxO = 0;
            for (int c = 0; c < t.Cin; c++) InputTile(t, tile, c, v.AsSpan((int)(((long)tile * t.Cin + c) * 16), 16), ref maxI, ref maxO);
            for (int o = 0; o < t.Cout; o++) GradientTile(t, tile, o, y.AsSpan((int)(((long)tile * t.Cout + o) * 16), 16), ref maxI, ref maxO);
            tileIntermediate[tile] = maxI;
            tileOperand[tile] = maxO;
        });
        var sumV = SumOverTiles(v, tiles, t.Cin);
        var sumY = SumOverTiles(y, tiles, t.Cout);
        var magnitude = Tensor.Zeros(3, 3, t.CinPerGroup, t.Cout);
        var flush = Tensor.Zeros(magnitude.Shape);
        double[] rowIntermediate = new double[t.Cin];
        // One input channel per thread; each sum over tiles runs in tile order: bitwise the same for any thread count.
        Parallel.For(0, t.Cin, Parallelism.Options, c =>
        {
            Span<double> s = stackalloc double[16], stage = stackalloc double[12], wt = stackalloc double[9], ft = stackalloc double[9];
            double maxI = 0;
            int g = c / t.CinPerGroup;
            for (int o = g * t.CoutPerGroup; o < (g + 1) * t.CoutPerGroup; o++)
            {
                s.Clear();
                for (int tile = 0; tile < tiles; tile++)
                {
                    var vt = v.AsSpan((int)(((long)tile * t.Cin + c) * 16), 16);
                    var yt = y.AsSpan((int)(((long)tile * t.Cout + o) * 16), 16);
                    for (int k = 0; k < 16; k++) s[k] += yt[k] * vt[k];
                }
                Finish(t, s, sumY.AsSpan(o * 16, 16), sumV.AsSpan(c * 16, 16), stage, wt, ft, ref maxI);
                Store(t, magnitude, flush, c % t.CinPerGroup, o, wt, ft);
            }
            rowIntermediate[c] = maxI;
        });
        double maxIntermediate = Math.Max(tileIntermediate.DefaultIfEmpty(0).Max(), rowIntermediate.DefaultIfEmpty(0).Max());
        return new WinogradMagnitude(magnitude, flush, WinogradF2x2.WeightRoundings(tiles), maxIntermediate, tileOperand.DefaultIfEmpty(0).Max());
    }

    /// <summary>W and F of the dw element at row-major <paramref name="offset"/>, bit for bit as <see cref="Evaluate"/> gives them.</summary>
    public static (double Magnitude, double FlushUnits) At(OpCall call, long offset)
    {
        var t = TilingOf(call);
        long count = 9L * t.CinPerGroup * t.Cout;
        if (offset < 0 || offset >= count) throw new ArgumentOutOfRangeException(nameof(offset), $"{offset} is outside [3,3,{t.CinPerGroup},{t.Cout}]");
        int o = (int)(offset % t.Cout), n = (int)(offset / t.Cout % t.CinPerGroup), tap = (int)(offset / t.Cout / t.CinPerGroup);
        int c = o / t.CoutPerGroup * t.CinPerGroup + n;
        Span<double> s = stackalloc double[16], vt = stackalloc double[16], yt = stackalloc double[16];
        Span<double> sv = stackalloc double[16], sy = stackalloc double[16];
        double ignored = 0, ignoredToo = 0;
        s.Clear();
        sv.Clear();
        sy.Clear();
        for (int tile = 0; tile < t.Tiles; tile++)
        {
            InputTile(t, tile, c, vt, ref ignored, ref ignoredToo);
            GradientTile(t, tile, o, yt, ref ignored, ref ignoredToo);
            for (int k = 0; k < 16; k++)
            {
                s[k] += yt[k] * vt[k];
                sv[k] += vt[k];
                sy[k] += yt[k];
            }
        }
        Span<double> stage = stackalloc double[12], wt = stackalloc double[9], ft = stackalloc double[9];
        Finish(t, s, sy, sv, stage, wt, ft, ref ignored);
        int k1 = tap / 3, k2 = tap % 3;
        int e = t.Reversal ? (2 - k1) * 3 + (2 - k2) : tap;
        return (wt[e], ft[e]);
    }

    // Ṽ of input channel c at tile: the forward's 4×4 input tile of the tile's 2×2 outputs.
    private static void InputTile(Tiling t, int tile, int c, Span<double> v, ref double maxI, ref double maxO)
    {
        var (b, p, q) = Position(t, tile);
        int h = t.X.Shape[1], wd = t.X.Shape[2];
        Span<double> d = stackalloc double[16], stage = stackalloc double[16];
        for (int r = 0; r < 4; r++)
            for (int s = 0; s < 4; s++)
            {
                int row = 2 * p - t.Pad1 + r, col = 2 * q - t.Pad2 + s;
                d[r * 4 + s] = row < 0 || row >= h || col < 0 || col >= wd ? 0 : Math.Abs(t.X.Data[((b * h + row) * wd + col) * t.Cin + c]);
            }
        WinogradF2x2.AbsInput(d, stage, v);
        Track(ref maxI, stage);
        Track(ref maxI, v);
        Track(ref maxO, v);
    }

    // Ỹ of output channel o at tile: dy's 2×2 block, zero past its edge.
    private static void GradientTile(Tiling t, int tile, int o, Span<double> y, ref double maxI, ref double maxO)
    {
        var (b, p, q) = Position(t, tile);
        Span<double> d = stackalloc double[4], stage = stackalloc double[8];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                int row = 2 * p + i, col = 2 * q + j;
                d[i * 2 + j] = row >= t.Out1 || col >= t.Out2 ? 0 : Math.Abs(t.Dy.Data[((b * t.Out1 + row) * t.Out2 + col) * t.Cout + o]);
            }
        WinogradF2x2.AbsGradient(d, stage, y);
        Track(ref maxI, stage);
        Track(ref maxI, y);
        Track(ref maxO, y);
    }

    private static (int B, int P, int Q) Position(Tiling t, int tile) =>
        (tile / (t.Tiles1 * t.Tiles2), tile / t.Tiles2 % t.Tiles1, tile % t.Tiles2);

    // Σ over tiles of each channel's 16 values, in tile order.
    private static double[] SumOverTiles(double[] values, int tiles, int channels)
    {
        var sum = new double[channels * 16];
        for (int tile = 0; tile < tiles; tile++)
            for (int i = 0; i < channels * 16; i++) sum[i] += values[(long)tile * channels * 16 + i];
        return sum;
    }

    // W and F of the nine taps of dw_eff from the tile sum S̃ (which bounds every product and partial sum before it).
    private static void Finish(Tiling t, ReadOnlySpan<double> s, ReadOnlySpan<double> sumY, ReadOnlySpan<double> sumV,
        Span<double> stage, Span<double> w, Span<double> f, ref double maxI)
    {
        WinogradF2x2.AbsWeights(s, stage, w);
        Track(ref maxI, s);
        Track(ref maxI, stage);
        Track(ref maxI, w);
        WinogradF2x2.WeightFlushUnits(sumY, sumV, t.Tiles, f);
    }

    // dw[k1, k2, n, o] = dw_eff[k1, k2] or, under reversal, dw_eff[2 − k1, 2 − k2].
    private static void Store(Tiling t, Tensor magnitude, Tensor flush, int n, int o, ReadOnlySpan<double> w, ReadOnlySpan<double> f)
    {
        for (int k = 0; k < 9; k++)
        {
            int from = t.Reversal ? 8 - k : k;
            long at = ((long)k * t.CinPerGroup + n) * t.Cout + o;
            magnitude.Data[at] = w[from];
            flush.Data[at] = f[from];
        }
    }

    // The largest finite value, as WinogradMagnitudes tracks it.
    private static void Track(ref double max, ReadOnlySpan<double> values)
    {
        foreach (double v in values)
            if (v > max && v < double.PositiveInfinity) max = v;
    }
}

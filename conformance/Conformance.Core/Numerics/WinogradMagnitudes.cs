using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Numerics;

/// <summary>
/// W and F of the Winograd bound over a whole output, the call-wide maxima of the exact tier, and R.
/// </summary>
/// <param name="Magnitude">W(e): the Winograd computation of e on absolute values (output-shaped).</param>
/// <param name="FlushUnits">F(e): the first-order flush-to-zero losses of e in units of MinNormal (output-shaped).</param>
/// <param name="Roundings">R: the most roundings along any path to an element.</param>
/// <param name="MaxIntermediate">The largest finite |·|-evaluated intermediate of the call (every stage of every tile, discarded outputs included).</param>
/// <param name="MaxOperand">The largest finite element of Ũ and Ṽ, the operands a backend may round to its input format.</param>
public sealed record WinogradMagnitude(Tensor Magnitude, Tensor FlushUnits, int Roundings, double MaxIntermediate, double MaxOperand);

/// <summary>
/// The magnitudes of spec/numerics.md ("Winograd F(2×2,3×3)") for y of conv2d_layer and dx of
/// conv2d_layer_backward, by the normative tiling: each is a stride-1 correlation of a data
/// tensor (x, or dy) with a 3×3 kernel per (output channel, data channel of its group), in 2×2
/// output tiles at even origins. One pass over tiles; besides W and F only Ũ (kernel-sized ×16/9)
/// and one tile row's Ṽ are held.
/// </summary>
public static class WinogradMagnitudes
{
    /// <summary>
    /// Whether a backend that declares Winograd may use it for <paramref name="call"/>: conv2d_layer
    /// or conv2d_layer_backward with a 3×3 kernel, strides 1×1 and dilation 1×1 (any padding,
    /// reversal, groups and bias).
    /// </summary>
    public static bool IsEligible(OpCall call) =>
        call.Inputs.TryGetValue("w", out var w) && IsEligible(call.Op, w.Shape, call.Attributes);

    /// <summary>
    /// <see cref="IsEligible(OpCall)"/> from the op, the kernel's shape and the attributes alone (so that a
    /// case can be classified without building its data).
    /// </summary>
    public static bool IsEligible(string op, IReadOnlyList<int> kernelShape, OpAttributes a) =>
        PrecisionClass.AlgorithmOps.Contains(op) && kernelShape is [3, 3, _, _]
        && (a.Strides ?? Pair.Of(1)) == Pair.Of(1) && a.Dilation == Pair.Of(1);

    /// <summary>Whether <paramref name="output"/> of <paramref name="call"/> is held to the Winograd bound in <paramref name="p"/>: y, dx or dw of an eligible call, Winograd declared.</summary>
    public static bool AppliesTo(OpCall call, string output, PrecisionClass p) =>
        p.Algorithm == ConvolutionAlgorithm.WinogradF2x2K3x3 && IsEligible(call)
        && (call.Op == "conv2d_layer" ? output == "y" : output is "dx" or "dw");

    /// <summary>R of <paramref name="output"/> of an eligible call: C + 11 (+ 1 with a bias) for y and dx (<see cref="WinogradF2x2.Roundings"/>), T + 9 for dw.</summary>
    public static int Roundings(OpCall call, string output)
    {
        if (output == "dw") return WinogradWeightMagnitudes.Roundings(call);
        var t = TilingOf(call, output);
        return WinogradF2x2.Roundings(t.DataPerGroup, t.Bias != null);
    }

    /// <summary>W, F, R and the exact-tier maxima of <paramref name="output"/> (y, dx or dw) of an eligible call.</summary>
    public static WinogradMagnitude Evaluate(OpCall call, string output)
    {
        if (output == "dw") return WinogradWeightMagnitudes.Evaluate(call);
        var t = TilingOf(call, output);
        var (u, sumU, maxFilter, maxU) = Filters(t);
        int tiles1 = (t.Out1 + 1) / 2, tiles2 = (t.Out2 + 1) / 2, rows = t.Batch * tiles1;
        var w = Tensor.Zeros(t.Batch, t.Out1, t.Out2, t.OutChannels);
        var f = Tensor.Zeros(w.Shape);
        // Each tile row writes its own outputs and its own maxima (a maximum does not depend on order).
        double[] rowIntermediate = new double[rows], rowOperand = new double[rows];
        Parallel.For(0, rows, Parallelism.Options, row =>
        {
            int b = row / tiles1, p = row % tiles1;
            var v = new double[t.DataChannels * 16];
            var sumV = new double[t.Groups * 16];
            Span<double> wt = stackalloc double[4], ft = stackalloc double[4];
            double maxI = 0, maxV = 0;
            for (int q = 0; q < tiles2; q++)
            {
                TransformedTile(t, b, p, q, 0, t.DataChannels, v, ref maxI, ref maxV);
                SumPerGroup(t, v, sumV);
                for (int oc = 0; oc < t.OutChannels; oc++)
                {
                    int g = oc / t.OutPerGroup;
                    OutputTile(t, u.AsSpan(oc * t.DataPerGroup * 16, t.DataPerGroup * 16), v.AsSpan(g * t.DataPerGroup * 16, t.DataPerGroup * 16),
                        sumU.AsSpan(oc * 16, 16), sumV.AsSpan(g * 16, 16), oc, wt, ft, ref maxI);
                    for (int i = 0; i < 2 && 2 * p + i < t.Out1; i++)
                        for (int j = 0; j < 2 && 2 * q + j < t.Out2; j++)
                        {
                            int o = ((b * t.Out1 + 2 * p + i) * t.Out2 + 2 * q + j) * t.OutChannels + oc;
                            w.Data[o] = wt[i * 2 + j];
                            f.Data[o] = ft[i * 2 + j];
                        }
                }
            }
            rowIntermediate[row] = maxI;
            rowOperand[row] = maxV;
        });
        double maxIntermediate = Math.Max(maxFilter, rowIntermediate.DefaultIfEmpty(0).Max());
        double maxOperand = Math.Max(maxU, rowOperand.DefaultIfEmpty(0).Max());
        return new WinogradMagnitude(w, f, WinogradF2x2.Roundings(t.DataPerGroup, t.Bias != null), maxIntermediate, maxOperand);
    }

    /// <summary>
    /// W(e) and F(e) of one element at row-major <paramref name="offset"/> of <paramref name="output"/>,
    /// computed from its tile alone, bit for bit as <see cref="Evaluate"/> gives them (for the
    /// chained check of a network, which looks at a few elements of large calls).
    /// </summary>
    public static (double Magnitude, double FlushUnits) At(OpCall call, string output, long offset)
    {
        if (output == "dw") return WinogradWeightMagnitudes.At(call, offset);
        var t = TilingOf(call, output);
        int[] shape = [t.Batch, t.Out1, t.Out2, t.OutChannels];
        long rest = offset;
        int oc = (int)(rest % t.OutChannels); rest /= t.OutChannels;
        int i2 = (int)(rest % t.Out2); rest /= t.Out2;
        int i1 = (int)(rest % t.Out1);
        int b = (int)(rest / t.Out1);
        if (offset < 0 || b >= t.Batch) throw new ArgumentOutOfRangeException(nameof(offset), $"{offset} is outside {Tensor.Format(shape)}");
        int g = oc / t.OutPerGroup;
        var u = new double[t.DataPerGroup * 16];
        var sumU = new double[16];
        double ignored = 0, ignoredToo = 0;
        FilterOf(t, oc, u, sumU, ref ignored, ref ignoredToo);
        var v = new double[t.DataPerGroup * 16];
        var sumV = new double[16];
        TransformedTile(t, b, i1 / 2, i2 / 2, g * t.DataPerGroup, t.DataPerGroup, v, ref ignored, ref ignoredToo);
        for (int c = 0; c < t.DataPerGroup; c++)
            for (int k = 0; k < 16; k++) sumV[k] += v[c * 16 + k];
        Span<double> wt = stackalloc double[4], ft = stackalloc double[4];
        OutputTile(t, u, v, sumU, sumV, oc, wt, ft, ref ignored);
        int e = i1 % 2 * 2 + i2 % 2;
        return (wt[e], ft[e]);
    }

    /// <summary>
    /// The normative tiling as one correlation: output tile (p, q) of channel oc reads the data
    /// tile with origin (2p + Offset1, 2q + Offset2) in the channels of oc's group, zero outside;
    /// Kernel(oc, c, j1, j2) is the 3×3 correlation kernel between them.
    /// </summary>
    private sealed record Tiling(Tensor Data, int Offset1, int Offset2, int Out1, int Out2, int OutChannels, int Groups,
        Tensor? Bias, Func<int, int, int, int, double> Kernel)
    {
        public int Batch => Data.Shape[0];
        public int DataChannels => Data.Shape[3];
        public int DataPerGroup => DataChannels / Groups;
        public int OutPerGroup => OutChannels / Groups;
    }

    private static Tiling TilingOf(OpCall call, string output)
    {
        if (!IsEligible(call)) throw new InvalidOperationException($"{call} is not eligible for Winograd F(2×2,3×3)");
        var (x, w, a) = (call.Inputs["x"], call.Inputs["w"], call.Attributes);
        var bias = call.Op == "conv2d_layer" ? call.Inputs.GetValueOrDefault("b") : null;
        var geo = LayerGeometry.Of(x, w, bias, a);
        // w_eff = w, or w flipped in both spatial axes with reversal (Convolution.Flip, as the reference does).
        double Eff(int k1, int k2, int n, int m) => a.Reversal ? w[2 - k1, 2 - k2, n, m] : w[k1, k2, n, m];
        if (output == "y" && call.Op == "conv2d_layer")
            return new Tiling(x, -geo.Out1.Before, -geo.Out2.Before, geo.Out1.OutputSize, geo.Out2.OutputSize, geo.Cout, geo.Groups,
                bias, (m, n, j1, j2) => Eff(j1, j2, n, m));
        if (output == "dx" && call.Op == "conv2d_layer_backward")
        {
            // dx[r,s,ch] = Σ dy[r + pT − k1, s + pL − k2, o]·w_eff[k1,k2,n,o]: with j = 2 − k, a correlation of dy
            // (top/left padding 2 − pT, 2 − pL) with g'[j1,j2] = w_eff[2 − j1, 2 − j2, n, o] over the group's o.
            var dy = call.Inputs["dy"];
            int cpg = geo.CinPerGroup, opg = geo.CoutPerGroup;
            return new Tiling(dy, geo.Out1.Before - 2, geo.Out2.Before - 2, geo.N1, geo.N2, geo.Cin, geo.Groups, null,
                (ch, o, j1, j2) => Eff(2 - j1, 2 - j2, ch % cpg, ch / cpg * opg + o));
        }
        throw new InvalidOperationException($"{call.Op} has no Winograd output {output}");
    }

    // Ũ of every (output channel, data channel of its group), their sums per output channel, and the maxima.
    private static (double[] U, double[] SumU, double MaxIntermediate, double MaxOperand) Filters(Tiling t)
    {
        var u = new double[t.OutChannels * t.DataPerGroup * 16];
        var sumU = new double[t.OutChannels * 16];
        double maxI = 0, maxU = 0;
        for (int oc = 0; oc < t.OutChannels; oc++)
            FilterOf(t, oc, u.AsSpan(oc * t.DataPerGroup * 16, t.DataPerGroup * 16), sumU.AsSpan(oc * 16, 16), ref maxI, ref maxU);
        return (u, sumU, maxI, maxU);
    }

    private static void FilterOf(Tiling t, int oc, Span<double> u, Span<double> sumU, ref double maxI, ref double maxU)
    {
        Span<double> g = stackalloc double[9], stage = stackalloc double[12];
        sumU.Clear();
        for (int c = 0; c < t.DataPerGroup; c++)
        {
            for (int k = 0; k < 9; k++) g[k] = Math.Abs(t.Kernel(oc, c, k / 3, k % 3));
            var uc = u.Slice(c * 16, 16);
            WinogradF2x2.AbsFilter(g, stage, uc);
            Track(ref maxI, stage);
            Track(ref maxI, uc);
            Track(ref maxU, uc);
            for (int k = 0; k < 16; k++) sumU[k] += uc[k];
        }
    }

    // Ṽ of data channels [first, first + count) of tile (p, q) of sample b, into v (count × 16).
    private static void TransformedTile(Tiling t, int b, int p, int q, int first, int count, Span<double> v, ref double maxI, ref double maxV)
    {
        var data = t.Data;
        int h = data.Shape[1], wd = data.Shape[2], cd = t.DataChannels;
        Span<double> d = stackalloc double[16], stage = stackalloc double[16];
        for (int c = 0; c < count; c++)
        {
            for (int r = 0; r < 4; r++)
                for (int s = 0; s < 4; s++)
                {
                    int row = 2 * p + t.Offset1 + r, col = 2 * q + t.Offset2 + s;
                    d[r * 4 + s] = row < 0 || row >= h || col < 0 || col >= wd ? 0
                        : Math.Abs(data.Data[((b * h + row) * wd + col) * cd + first + c]);
                }
            var vc = v.Slice(c * 16, 16);
            WinogradF2x2.AbsInput(d, stage, vc);
            Track(ref maxI, stage);
            Track(ref maxI, vc);
            Track(ref maxV, vc);
        }
    }

    private static void SumPerGroup(Tiling t, double[] v, double[] sumV)
    {
        Array.Clear(sumV);
        for (int ch = 0; ch < t.DataChannels; ch++)
        {
            int g = ch / t.DataPerGroup;
            for (int k = 0; k < 16; k++) sumV[g * 16 + k] += v[ch * 16 + k];
        }
    }

    // W and F of the four outputs of one tile of channel oc, from its group's Ũ and Ṽ.
    private static void OutputTile(Tiling t, ReadOnlySpan<double> u, ReadOnlySpan<double> v, ReadOnlySpan<double> sumU,
        ReadOnlySpan<double> sumV, int oc, Span<double> w, Span<double> f, ref double maxI)
    {
        Span<double> m = stackalloc double[16], stage = stackalloc double[8];
        m.Clear();
        for (int c = 0; c < t.DataPerGroup; c++)
            for (int k = 0; k < 16; k++) m[k] += u[c * 16 + k] * v[c * 16 + k];
        double absBias = t.Bias == null ? 0 : Math.Abs(t.Bias.Data[oc]);
        WinogradF2x2.AbsOutput(m, absBias, stage, w);
        // The channel sums bound every partial sum and product before them; the stages bound theirs.
        Track(ref maxI, m);
        Track(ref maxI, stage);
        Track(ref maxI, w);
        WinogradF2x2.FlushUnits(sumU, sumV, t.DataPerGroup, t.Bias != null, f);
    }

    // The largest finite value: a NaN or ∞ only reaches elements whose W is not finite, which keep the direct bound.
    private static void Track(ref double max, ReadOnlySpan<double> values)
    {
        foreach (double v in values)
            if (v > max && v < double.PositiveInfinity) max = v;
    }
}

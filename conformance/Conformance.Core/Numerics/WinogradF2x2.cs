namespace Conformance.Core.Numerics;

/// <summary>
/// Winograd F(2×2,3×3) as spec/numerics.md ("Winograd F(2×2,3×3)") models it: the normative
/// transforms of Lavin and Gray (2016), the number of roundings along any path through them, and
/// the same computation on absolute values, which gives the magnitude W and the flush-to-zero
/// units F of the bound. Everything here is derived from the three matrices, so the counts of the
/// spec can be checked against them.
/// </summary>
public static class WinogradF2x2
{
    // Bᵀ (4×4), G (4×3) and Aᵀ (2×4), row-major. Every constant is 0, ±1 or ±½: exact in binary.
    private static readonly double[] Bt = [1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1];
    private static readonly double[] G = [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1];
    private static readonly double[] At = [1, 1, 1, 0, 0, 1, -1, -1];

    // For dw, Winograd transposed: A = (Aᵀ)ᵀ (4×2) and Gᵀ (3×4).
    private static readonly double[] A = Transpose(At, 2, 4);
    private static readonly double[] Gt = Transpose(G, 4, 3);

    private static readonly double[] AbsA = Array.ConvertAll(A, Math.Abs);
    private static readonly double[] AbsGt = Array.ConvertAll(Gt, Math.Abs);
    private static readonly double[] AbsBt = Array.ConvertAll(Bt, Math.Abs);
    private static readonly double[] AbsG = Array.ConvertAll(G, Math.Abs);
    private static readonly double[] AbsAt = Array.ConvertAll(At, Math.Abs);

    /// <summary>Roundings along any path through the input transform Bᵀ·d·B: two stages, each element one sum of the nonzero terms of a row of Bᵀ (2).</summary>
    public static readonly int InputTransformRoundings = 2 * StageRoundings(Bt, 4, 4);

    /// <summary>Roundings along any path through the filter transform G·g·Gᵀ: two stages of 3-term sums (4); the halving is exact.</summary>
    public static readonly int FilterTransformRoundings = 2 * StageRoundings(G, 4, 3);

    /// <summary>Roundings along any path through the output transform Aᵀ·M·A: two stages of 3-term sums (4).</summary>
    public static readonly int OutputTransformRoundings = 2 * StageRoundings(At, 2, 4);

    /// <summary>
    /// R: the most roundings any monomial (constant·g·d) of an output element passes through:
    /// input and filter transforms, the product, the C − 1 additions of the channel sum, the
    /// output transform, the bias (one addition) and the store, as the direct model's n + 1 counts it.
    /// </summary>
    /// <param name="channels">C: the channels summed (input channels per group for y, output channels per group for dx).</param>
    /// <param name="bias">Whether a bias is added.</param>
    public static int Roundings(int channels, bool bias) =>
        InputTransformRoundings + FilterTransformRoundings + 1 + (channels - 1) + OutputTransformRoundings + (bias ? 1 : 0) + 1;

    /// <summary>Roundings along any path through dw's gradient transform A·dy·Aᵀ: two stages of at most 2-term sums (2).</summary>
    public static readonly int GradientTransformRoundings = 2 * StageRoundings(A, 4, 2);

    /// <summary>Roundings along any path through dw's last transform Gᵀ·S·G: two stages of 3-term sums (4); the halvings are exact.</summary>
    public static readonly int WeightTransformRoundings = 2 * StageRoundings(Gt, 3, 4);

    /// <summary>
    /// R of dw: input and gradient transforms, the product, the T − 1 additions of the sum over tiles
    /// (in any order: split, blocked), the transform Gᵀ·S·G and the store.
    /// </summary>
    /// <param name="tiles">T: the 2×2 tiles of dy over the batch.</param>
    public static int WeightRoundings(int tiles) =>
        InputTransformRoundings + GradientTransformRoundings + 1 + (tiles - 1) + WeightTransformRoundings + 1;

    // Flush-to-zero units: operations per element of a stage (see Operations), propagated.
    private static readonly double[] OpsBt = RowOperations(Bt, 4, 4), OpsG = RowOperations(G, 4, 3), OpsAt = RowOperations(At, 2, 4);
    private static readonly double[] OpsA = RowOperations(A, 4, 2), OpsGt = RowOperations(Gt, 3, 4);

    /// <summary>Ŷ_F: the flush losses (in units of MinNormal) an element of Ŷ = A·dy·Aᵀ may carry (0 at the corners, 1 on the edges, 3 in the middle).</summary>
    public static readonly IReadOnlyList<double> GradientUnits = UnitsOf(AbsA, OpsA, 4, 2);

    /// <summary>V_F: the flush losses (in units of MinNormal) an element of V = Bᵀ·d·B may carry: 1 per stage, the first passed on through |B| (3 everywhere).</summary>
    public static readonly IReadOnlyList<double> InputUnits = UnitsOf(AbsBt, OpsBt, 4, 4);

    /// <summary>U_F: the flush losses (in units of MinNormal) an element of U = G·g·Gᵀ may carry (0 at the corners, 5 on the edges, 12.5 in the middle).</summary>
    public static readonly IReadOnlyList<double> FilterUnits = UnitsOf(AbsG, OpsG, 4, 3);

    /// <summary>
    /// κ: the largest Frobenius norm of the 16×9 matrix K_e with W(e) = Σ_c |d_c|ᵀ·K_e·|g_c|, so
    /// that W(e) ≤ κ·‖d in e's window‖·‖g‖ by Cauchy–Schwarz (κ = 10: K_e = K_i ⊗ K_j with ‖K_i‖_F² = 10).
    /// </summary>
    public static readonly double Kappa = KappaOf();

    /// <summary>Ũ = |G|·|g|·|G|ᵀ (16, row-major) of a 3×3 kernel |g| (9, row-major); <paramref name="stage"/> gets |G|·|g| (12).</summary>
    public static void AbsFilter(ReadOnlySpan<double> absKernel, Span<double> stage, Span<double> result)
    {
        Left(AbsG, 4, 3, absKernel, 3, stage);
        Right(stage, 4, 3, AbsG, 4, result);
    }

    /// <summary>Ṽ = |Bᵀ|·|d|·|B| (16) of a 4×4 tile |d| (16, row-major); <paramref name="stage"/> gets |Bᵀ|·|d| (16).</summary>
    public static void AbsInput(ReadOnlySpan<double> absTile, Span<double> stage, Span<double> result)
    {
        Left(AbsBt, 4, 4, absTile, 4, stage);
        Right(stage, 4, 4, AbsBt, 4, result);
    }

    /// <summary>W̃ = |Aᵀ|·M̃·|A| + |bias| (2×2) of the channel-summed products M̃ (16); <paramref name="stage"/> gets |Aᵀ|·M̃ (8).</summary>
    public static void AbsOutput(ReadOnlySpan<double> products, double absBias, Span<double> stage, Span<double> result)
    {
        Left(AbsAt, 2, 4, products, 4, stage);
        Right(stage, 2, 4, AbsAt, 2, result);
        for (int i = 0; i < 4; i++) result[i] += absBias;
    }

    /// <summary>Ỹ = |A|·|dy|·|A|ᵀ (16) of a 2×2 tile |dy| (4, row-major); <paramref name="stage"/> gets |A|·|dy| (8).</summary>
    public static void AbsGradient(ReadOnlySpan<double> absTile, Span<double> stage, Span<double> result)
    {
        Left(AbsA, 4, 2, absTile, 2, stage);
        Right(stage, 4, 2, AbsA, 4, result);
    }

    /// <summary>W of dw's 3×3 taps (9, row-major) from the tile sum S̃ = Σ_t Ỹ_t ⊙ Ṽ_t (16): |G|ᵀ·S̃·|G|; <paramref name="stage"/> gets |G|ᵀ·S̃ (12).</summary>
    public static void AbsWeights(ReadOnlySpan<double> sums, Span<double> stage, Span<double> result)
    {
        Left(AbsGt, 3, 4, sums, 4, stage);
        Right(stage, 3, 4, AbsGt, 3, result);
    }

    /// <summary>
    /// F (3×3, in units of MinNormal) of dw's taps, to first order, as <see cref="FlushUnits"/> for y:
    /// each product Ŷ⊙V carries Ŷ_F·|V| + |Ŷ|·V_F and one unit, the sum over tiles T − 1, each stage
    /// of Gᵀ·S·G its own operations, the store one.
    /// </summary>
    /// <param name="sumGradient">Σ_t Ỹ_t of the output channel (16).</param>
    /// <param name="sumInput">Σ_t Ṽ_t of the input channel (16).</param>
    /// <param name="tiles">T.</param>
    /// <param name="result">F of the nine taps.</param>
    public static void WeightFlushUnits(ReadOnlySpan<double> sumGradient, ReadOnlySpan<double> sumInput, int tiles, Span<double> result)
    {
        Span<double> m = stackalloc double[16], stage = stackalloc double[12];
        for (int k = 0; k < 16; k++)
            m[k] = InputUnits[k] * sumGradient[k] + GradientUnits[k] * sumInput[k] + tiles + (tiles - 1);
        Left(AbsGt, 3, 4, m, 4, stage);
        for (int i = 0; i < 12; i++) stage[i] += OpsGt[i / 4];
        Right(stage, 3, 4, AbsGt, 3, result);
        for (int i = 0; i < 9; i++) result[i] += OpsGt[i % 3] + 1;
    }

    /// <summary>
    /// F (2×2, in units of MinNormal) of one output tile, to first order: one loss below MinNormal
    /// per operation, carried through every later stage by the absolute values it is multiplied
    /// by. A product U⊙V loses U_F·|V| + |U|·V_F and one more unit; the C − 1 additions of the
    /// channel sum one each; each output stage its own operations; the bias and the store one each.
    /// </summary>
    /// <param name="sumU">Σ_c Ũ_c over the channels summed (16).</param>
    /// <param name="sumV">Σ_c Ṽ_c over the same channels (16).</param>
    /// <param name="channels">C.</param>
    /// <param name="bias">Whether a bias is added.</param>
    /// <param name="result">F of the four outputs of the tile.</param>
    public static void FlushUnits(ReadOnlySpan<double> sumU, ReadOnlySpan<double> sumV, int channels, bool bias, Span<double> result)
    {
        Span<double> m = stackalloc double[16], stage = stackalloc double[8];
        for (int k = 0; k < 16; k++)
            m[k] = InputUnits[k] * sumU[k] + FilterUnits[k] * sumV[k] + channels + (channels - 1);
        Left(AbsAt, 2, 4, m, 4, stage);
        for (int i = 0; i < 8; i++) stage[i] += OpsAt[i / 4];
        Right(stage, 2, 4, AbsAt, 2, result);
        for (int i = 0; i < 4; i++) result[i] += OpsAt[i % 2] + (bias ? 1 : 0) + 1;
    }

    /// <summary>
    /// A bound on every F(e) of a call from the largest |kernel| and |data| element alone (for the
    /// network tolerance, which does not evaluate the whole op): Σ_c Ũ_c ≤ C·max|g|·(|G|·1·|G|ᵀ)
    /// and Σ_c Ṽ_c ≤ C·max|d|·(|Bᵀ|·1·|B|), and F grows with both.
    /// </summary>
    public static double FlushUnitsBound(int channels, double maxAbsKernel, double maxAbsData, bool bias)
    {
        Span<double> stage = stackalloc double[16], u = stackalloc double[16], v = stackalloc double[16], f = stackalloc double[4];
        Span<double> ones = stackalloc double[16];
        ones.Fill(1);
        AbsFilter(ones[..9], stage, u);
        AbsInput(ones, stage, v);
        for (int k = 0; k < 16; k++) { u[k] *= channels * maxAbsKernel; v[k] *= channels * maxAbsData; }
        FlushUnits(u, v, channels, bias, f);
        return Math.Max(Math.Max(f[0], f[1]), Math.Max(f[2], f[3]));
    }

    /// <summary>
    /// A bound on ‖W‖₂ over a whole y or dx by Cauchy–Schwarz: W(e) ≤ κ·‖data in e's 3×3 window‖·‖kernel of e's channel‖
    /// (+|bias|), and each data element lies in at most 9 windows, so ‖W‖ ≤ 3κ·‖kernel‖·‖data‖ + √P·‖bias‖.
    /// </summary>
    /// <param name="kernelNorm">‖w‖₂.</param>
    /// <param name="dataNorm">‖x‖₂ (forward) or ‖dy‖₂ (dx).</param>
    /// <param name="biasNorm">‖b‖₂, 0 without bias.</param>
    /// <param name="positions">P: batch × output positions (the times each bias element is added).</param>
    public static double MagnitudeNormBound(double kernelNorm, double dataNorm, double biasNorm, double positions) =>
        Math.Sqrt(WindowsPerElement) * Kappa * kernelNorm * dataNorm + Math.Sqrt(positions) * biasNorm;

    /// <summary>
    /// κ_w: the largest Frobenius norm of the 4×16 matrix K_k with W_dw(k) = Σ_t |dy_t|ᵀ·K_k·|x_t| (k a tap,
    /// dy_t the 2×2 block and x_t the 4×4 input tile of tile t): K_k = K_{k1} ⊗ K_{k2} with
    /// K_k[i, r] = Σ_ξ |Gᵀ|[k, ξ]·|A|[ξ, i]·|Bᵀ|[ξ, r].
    /// </summary>
    public static readonly double WeightKappa = WeightKappaOf();

    /// <summary>
    /// A bound on ‖W‖₂ over a whole dw by Cauchy–Schwarz: W_dw(k, c, o) ≤ κ_w·Σ_t ‖dy_t(o)‖·‖x_t(c)‖ ≤
    /// κ_w·‖dy(o)‖·2‖x(c)‖ (each x element lies in at most 4 input tiles), summed over the 9 taps:
    /// ‖W‖ ≤ 6κ_w·‖x‖·‖dy‖.
    /// </summary>
    public static double WeightMagnitudeNormBound(double inputNorm, double gradientNorm) =>
        Math.Sqrt(9) * Math.Sqrt(TilesPerInputElement) * WeightKappa * inputNorm * gradientNorm;

    /// <summary>A bound on every F of a dw from the largest |x| and |dy| element, as <see cref="FlushUnitsBound"/> for y.</summary>
    public static double WeightFlushUnitsBound(int tiles, double maxAbsInput, double maxAbsGradient)
    {
        Span<double> stage = stackalloc double[16], v = stackalloc double[16], y = stackalloc double[16], f = stackalloc double[9];
        Span<double> ones = stackalloc double[16];
        ones.Fill(1);
        AbsInput(ones, stage, v);
        AbsGradient(ones[..4], stage, y);
        for (int k = 0; k < 16; k++) { v[k] *= tiles * maxAbsInput; y[k] *= tiles * maxAbsGradient; }
        WeightFlushUnits(y, v, tiles, f);
        double max = 0;
        foreach (double u in f) max = Math.Max(max, u);
        return max;
    }

    /// <summary>The 4×4 input tiles (stride 2) that hold one input element: at most 4.</summary>
    private const int TilesPerInputElement = 4;

    /// <summary>The 3×3 windows (stride 1) that hold one data element: at most 9.</summary>
    private const int WindowsPerElement = 9;

    // result[r,c] = Σ_k m[r,k]·x[k,c]: m is rows×inner, x inner×cols. Only the nonzero terms are
    // added, as a stage of the model does: an ∞ in a tile then reaches only the outputs whose
    // window holds it (0·∞ would make every W of the tile NaN).
    private static void Left(double[] m, int rows, int inner, ReadOnlySpan<double> x, int cols, Span<double> result)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double s = 0;
                for (int k = 0; k < inner; k++)
                    if (m[r * inner + k] != 0) s += m[r * inner + k] * x[k * cols + c];
                result[r * cols + c] = s;
            }
    }

    // result[r,c] = Σ_k x[r,k]·m[c,k] (x·mᵀ): x is rows×inner, m cols×inner; nonzero terms only, as in Left.
    private static void Right(ReadOnlySpan<double> x, int rows, int inner, double[] m, int cols, Span<double> result)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double s = 0;
                for (int k = 0; k < inner; k++)
                    if (m[c * inner + k] != 0) s += x[r * inner + k] * m[c * inner + k];
                result[r * cols + c] = s;
            }
    }

    // The most additions one element of a stage takes: the nonzero terms of a row, less one.
    private static int StageRoundings(double[] m, int rows, int cols) =>
        Enumerable.Range(0, rows).Max(r => Enumerable.Range(0, cols).Count(c => m[r * cols + c] != 0) - 1);

    // Operations that may flush, per element of a stage: its additions, and one scaling per
    // coefficient that is not ±1 (a backend may halve each term before adding them).
    private static double[] RowOperations(double[] m, int rows, int cols) =>
        Enumerable.Range(0, rows).Select(r =>
        {
            var row = Enumerable.Range(0, cols).Select(c => Math.Abs(m[r * cols + c])).Where(v => v != 0).ToList();
            return (double)(row.Count - 1 + row.Count(v => v != 1));
        }).ToArray();

    // The units of a two-stage transform M·t·Mᵀ (M rows×inner) of a tile that carries none.
    private static double[] UnitsOf(double[] absM, double[] ops, int rows, int inner)
    {
        double[] stage = new double[rows * inner], result = new double[rows * rows];
        Left(absM, rows, inner, new double[inner * inner], inner, stage);
        for (int i = 0; i < stage.Length; i++) stage[i] += ops[i / inner];
        Right(stage, rows, inner, absM, rows, result);
        for (int i = 0; i < result.Length; i++) result[i] += ops[i % rows];
        return result;
    }

    private static double[] Transpose(double[] m, int rows, int cols)
    {
        var t = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        return t;
    }

    // K_k[i, r] = Σ_ξ |Gᵀ|[k, ξ]·|A|[ξ, i]·|Bᵀ|[ξ, r], one 2×4 factor per tap row (column) k; the largest
    // ‖K_{k1} ⊗ K_{k2}‖_F = ‖K_{k1}‖_F·‖K_{k2}‖_F is the largest factor's squared.
    private static double WeightKappaOf() =>
        LargestFrobenius2(3, 2, 4, (k, i, r, xi) => AbsGt[k * 4 + xi] * AbsA[xi * 2 + i] * AbsBt[xi * 4 + r]);

    // K_i[r, k] = Σ_ξ |Aᵀ[i,ξ]|·|Bᵀ[ξ,r]|·|G[ξ,k]|, one 4×3 factor per output row (column) i of the tile.
    private static double KappaOf() =>
        LargestFrobenius2(2, 4, 3, (i, r, k, xi) => AbsAt[i * 4 + xi] * AbsBt[xi * 4 + r] * AbsG[xi * 3 + k]);

    // The largest ‖K_f‖_F² over `factors` rows×cols matrices with K_f[r, c] = Σ_ξ term(f, r, c, ξ) over the 4 transform points.
    private static double LargestFrobenius2(int factors, int rows, int cols, Func<int, int, int, int, double> term)
    {
        double largest = 0;
        for (int f = 0; f < factors; f++)
        {
            double frobenius2 = 0;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    double s = 0;
                    for (int xi = 0; xi < 4; xi++) s += term(f, r, c, xi);
                    frobenius2 += s * s;
                }
            largest = Math.Max(largest, frobenius2);
        }
        return largest;
    }
}

using Conformance.Backends.Ilgpu.Kernels;

namespace Conformance.Backends.Ilgpu;

/// <summary>Which version of the convolution kernels a backend runs (Kernels/ConvolutionKernels.cs is v1, ConvGemmKernels.cs v2, ConvGemmKernelsV3.cs v3).</summary>
public enum KernelVersion
{
    /// <summary>Per pass and shape, the version <see cref="ConvGemmPlan.Choose"/> picks.</summary>
    Auto,
    /// <summary>Always v1: one thread per output element.</summary>
    V1,
    /// <summary>v2, the implicit GEMM, wherever its launch fits the device's grid limits (every catalogued shape does).</summary>
    V2,
    /// <summary>v3, the implicit GEMM with a 128×128 tile (ConvGemmKernelsV3.cs), under the same grid-limit rule; Auto picks it on CUDA where it measured faster.</summary>
    V3,
    /// <summary>
    /// v4, Winograd F(2×2,3×3) (WinogradKernels.cs) for conv2d_layer's three passes of 3×3, stride-1,
    /// dilation-1 kernels, on v2's or v3's GEMM (<see cref="ConvGemmPlan.WinogradGemmVersion"/>); every
    /// other pass and op runs v2. Its error
    /// bound is the Winograd one, which the backend declares (spec/numerics.md). Auto takes it on CUDA
    /// where it measured faster (<see cref="ConvGemmPlan.PrefersWinograd"/>).
    /// </summary>
    V4,
    /// <summary>
    /// Auto without Winograd: what ilgpu-cuda's Auto runs for conv1d, conv2d and dense (declared direct,
    /// so the lecture's integers stay exact) and for conv2d_layer calls holding NaN or ±∞ (Winograd would
    /// form ∞ − ∞ from a single infinite term). Never a backend's own version.
    /// </summary>
    AutoDirect,
}

/// <summary>The three passes of a convolution layer whose kernels have versions.</summary>
public enum ConvPass
{
    /// <summary>y from x and w.</summary>
    Forward,
    /// <summary>dx from w and dy.</summary>
    BackwardData,
    /// <summary>dw (and db) from x and dy.</summary>
    BackwardWeights,
}

/// <summary>
/// A convolution pass as the v2 kernels see it (<see cref="GemmShape"/>), their launch geometry,
/// and the dispatcher that picks v1, v2 or (on CUDA) v3 or Winograd (v4) for a pass and shape.
/// </summary>
public static class ConvGemmPlan
{
    /// <summary>Groups of backward weights to aim for by splitting K: 4 per SM of an H100 (132 SMs). A constant, so a shape always splits alike on every device.</summary>
    public const int TargetGroups = 528;

    /// <summary>The fewest 16-position stages a split of backward weights gets.</summary>
    public const int MinStagesPerSplit = 16;

    /// <summary>
    /// v3's backward weights: groups to aim for, 2 per SM of an H100 (132 SMs). v3's 256-thread
    /// groups need ≤ 128 registers a thread for two to be resident on an SM, so 2 per SM is about one
    /// full wave; fewer leaves SMs idle (v2's block4_conv2 ran 576 groups in one split, 18.8% occupancy).
    /// </summary>
    public const int TargetGroupsV3 = 2 * 132;

    /// <summary>The fewest 8-position stages a split of v3's backward weights gets (256 positions, as v2's 16 stages of 16).</summary>
    public const int MinStagesPerSplitV3 = 32;

    /// <summary>CUDA's limit on the grid's y and z extents.</summary>
    private const int GridLimit = 65535;

    /// <summary>128-bit loads and stores: every channel count the kernels index by (per group and in all) is a multiple of 4.</summary>
    public static bool Vector(ConvShape p) => p.CinPerGroup % 4 == 0 && p.CoutPerGroup % 4 == 0;

    /// <summary>y = x ⋆ w: A from x, B = w as the K1·K2·Cin/G × Cout matrix HWIO already is.</summary>
    public static GemmShape Forward(ConvShape p) => new()
    {
        Batch = p.Batch, InRows = p.N1, InCols = p.N2, InChannels = p.Cin, OutRows = p.M1, OutCols = p.M2,
        K1 = p.K1, K2 = p.K2, GroupChannels = p.CinPerGroup,
        Step1 = p.S1, Step2 = p.S2, Tap1 = p.D1, Tap2 = p.D2, Offset1 = -p.Pad1, Offset2 = -p.Pad2, Div1 = 1, Div2 = 1,
        GroupColumns = p.CoutPerGroup, Groups = p.Cout / p.CoutPerGroup, Ldb = p.Cout, Ldc = p.Cout, HasBias = p.HasBias,
        Vector = Vector(p) ? 1 : 0, Splits = 1, SplitStages = 0,
    };

    /// <summary>
    /// dx: the output position r (and c) of dx receives dy[i]·w[k] where i·s + k·d − pad = r, so A gathers
    /// dy at t = r + pad − k·d when s divides t; B is w transposed per tap to K1·K2·Cout/G × Cin.
    /// </summary>
    public static GemmShape BackwardData(ConvShape p) => new()
    {
        Batch = p.Batch, InRows = p.M1, InCols = p.M2, InChannels = p.Cout, OutRows = p.N1, OutCols = p.N2,
        K1 = p.K1, K2 = p.K2, GroupChannels = p.CoutPerGroup,
        Step1 = 1, Step2 = 1, Tap1 = -p.D1, Tap2 = -p.D2, Offset1 = p.Pad1, Offset2 = p.Pad2, Div1 = p.S1, Div2 = p.S2,
        GroupColumns = p.CinPerGroup, Groups = p.Cout / p.CoutPerGroup, Ldb = p.Cin, Ldc = p.Cin, HasBias = 0,
        Vector = Vector(p) ? 1 : 0, Splits = 1, SplitStages = 0,
    };

    /// <summary>
    /// dw = Aᵀ·dy with A the forward's im2col of x: C is K × Cout/G per group and the reduction runs over
    /// the M output positions, cut into splits so that small C tiles still fill the device.
    /// </summary>
    public static GemmShape BackwardWeights(ConvShape p) => BackwardWeights(p, KernelVersion.V2);

    /// <summary>
    /// v3's backward weights: the split count is the smallest that gives at least <see cref="TargetGroupsV3"/>
    /// groups, ⌈264 / tiles⌉ with tiles = ⌈K/128⌉·⌈Cout/G/128⌉·G, capped so a split keeps at least 256
    /// positions (else the reduction of the partials outweighs the GEMM). A function of the shape only,
    /// not of the device, so a shape's sums run in the same order everywhere. VGG16 at batch 64:
    /// block1_conv1 (1 tile) 264 splits, block4_conv2 (144 tiles) 2 splits, 288 groups.
    /// </summary>
    public static GemmShape BackwardWeightsV3(ConvShape p) => BackwardWeights(p, KernelVersion.V3);

    /// <summary>The backward-weights shape of <paramref name="version"/> (v3 splits differently from v2).</summary>
    public static GemmShape BackwardWeights(ConvShape p, KernelVersion version)
    {
        var g = Forward(p);
        g.HasBias = 0;
        return Split(g, version);
    }

    /// <summary>
    /// <paramref name="g"/>'s reduction over M cut for the backward-weights kernel of <paramref name="version"/>
    /// (v3's tiles and targets, else v2's).
    /// </summary>
    private static GemmShape Split(GemmShape g, KernelVersion version) => version == KernelVersion.V3
        ? Split(g, ConvGemmKernelsV3.TileM, ConvGemmKernelsV3.TileN, ConvGemmKernelsV3.TileK, TargetGroupsV3, MinStagesPerSplitV3)
        : Split(g, ConvGemmKernels.TileM, ConvGemmKernels.TileN, ConvGemmKernels.TileK, TargetGroups, MinStagesPerSplit);

    /// <summary>
    /// <paramref name="g"/>'s reduction over M cut for a kernel of <paramref name="tileM"/>×<paramref name="tileN"/>
    /// tiles and <paramref name="tileK"/>-deep stages: as many splits as reach <paramref name="targetGroups"/>
    /// groups, but none shorter than <paramref name="minStages"/> stages.
    /// </summary>
    private static GemmShape Split(GemmShape g, int tileM, int tileN, int tileK, int targetGroups, int minStages)
    {
        int tiles = Tiles(g.K, tileM) * Tiles(g.GroupColumns, tileN) * g.Groups;
        int stages = Tiles(g.M, tileK);
        int splits = Math.Clamp(Tiles(targetGroups, tiles), 1, Math.Max(1, stages / minStages));
        g.SplitStages = Tiles(stages, splits);
        g.Splits = Tiles(stages, g.SplitStages); // no empty split
        return g;
    }

    /// <summary>db's split sums: about 256 or more rows of dy per thread, at most 1024 splits.</summary>
    public static ReduceShape BiasSplits(ConvShape p)
    {
        int rows = p.Batch * p.M1 * p.M2;
        int splits = Math.Clamp(Tiles(rows, 256), 1, 1024);
        int perSplit = Tiles(rows, splits);
        return new ReduceShape
        {
            Splits = Tiles(rows, perSplit), K1 = 1, K2 = 1, Channels = 1, Columns = p.Cout, RowsPerSplit = perSplit, Rows = rows,
        };
    }

    /// <summary>The launch of ForwardV2 for <paramref name="g"/>: ⌈M/64⌉ × ⌈N/64⌉·groups groups of 64 threads.</summary>
    public static (int X, int Y, int Z) ForwardGrid(GemmShape g) =>
        (Tiles(g.M, ConvGemmKernels.TileM), Tiles(g.GroupColumns, ConvGemmKernels.TileN) * g.Groups, 1);

    /// <summary>The launch of BackwardWeightsV2: ⌈K/64⌉·⌈N/64⌉ × splits × groups.</summary>
    public static (int X, int Y, int Z) WeightsGrid(GemmShape g) =>
        (Tiles(g.K, ConvGemmKernels.TileM) * Tiles(g.GroupColumns, ConvGemmKernels.TileN), g.Splits, g.Groups);

    /// <summary>Threads per group of the GEMM kernels of <paramref name="version"/> (v2 or v3).</summary>
    public static int Threads(KernelVersion version) => version == KernelVersion.V3 ? ConvGemmKernelsV3.Threads : ConvGemmKernels.Threads;

    /// <summary>The launch of ForwardV2 or ForwardV3: ⌈M/tile⌉ × ⌈N/tile⌉·groups.</summary>
    public static (int X, int Y, int Z) ForwardGrid(GemmShape g, KernelVersion version) =>
        version == KernelVersion.V3
            ? (Tiles(g.M, ConvGemmKernelsV3.TileM), Tiles(g.GroupColumns, ConvGemmKernelsV3.TileN) * g.Groups, 1)
            : ForwardGrid(g);

    /// <summary>The launch of BackwardWeightsV2 or BackwardWeightsV3: ⌈K/tile⌉·⌈N/tile⌉ × splits × groups.</summary>
    public static (int X, int Y, int Z) WeightsGrid(GemmShape g, KernelVersion version) =>
        version == KernelVersion.V3
            ? (Tiles(g.K, ConvGemmKernelsV3.TileM) * Tiles(g.GroupColumns, ConvGemmKernelsV3.TileN), g.Splits, g.Groups)
            : WeightsGrid(g);

    /// <summary>
    /// The version that runs <paramref name="pass"/> of <paramref name="p"/>. Auto takes v2 where its
    /// GEMM has M ≥ 64, N ≥ 16 and K ≥ 16 per group (for backward weights: reduction ≥ 64, rows and
    /// columns ≥ 16): a 64×64 tile then does mostly useful work, while v1 is left the thin shapes
    /// (depthwise, a few channels, tiny images) where one thread per element is as good. Every VGG16
    /// layer goes to v2. v2 is never chosen for a launch past CUDA's grid limits (an extent over 65535
    /// in y or z): those run v1 even when v2 is forced. The thresholds are a first guess until timed on a GPU.
    /// On a device with 256-thread groups (<paramref name="wideGroups"/>: CUDA) Auto takes v3 instead of v2
    /// where the H200 measurement found it faster (<see cref="PrefersV3"/>); on the 64-thread CPU simulator never.
    /// </summary>
    public static KernelVersion Choose(KernelVersion requested, ConvPass pass, ConvShape p, bool wideGroups = false)
    {
        if (requested == KernelVersion.AutoDirect) requested = KernelVersion.Auto;
        if (requested == KernelVersion.V1) return KernelVersion.V1;
        // v4's passes that Winograd does not take run v2 (ConvPasses asks for Winograd first).
        if (requested == KernelVersion.V4) requested = KernelVersion.V2;
        var gemm = requested == KernelVersion.V3 ? KernelVersion.V3 : KernelVersion.V2;
        var g = pass == ConvPass.BackwardData ? BackwardData(p) : pass == ConvPass.Forward ? Forward(p) : BackwardWeights(p, gemm);
        var (_, y, z) = pass == ConvPass.BackwardWeights ? WeightsGrid(g, gemm) : ForwardGrid(g, gemm);
        if (y > GridLimit || z > GridLimit) return KernelVersion.V1;
        if (requested != KernelVersion.Auto) return requested;
        // For backward weights the reduction is M and the rows of C are K; the test is symmetric in them.
        if (!(g.M >= 64 && g.K >= 16 && g.GroupColumns >= 16)) return KernelVersion.V1;
        return wideGroups && PrefersV3(pass, g) && Choose(KernelVersion.V3, pass, p) == KernelVersion.V3 ? KernelVersion.V3 : KernelVersion.V2;
    }

    /// <summary>
    /// Where Auto takes v3 over v2 on a device with 256-thread groups, from VGG16 at batch 64 on an H200
    /// (perf/reports/nvidia-h200-2026-11-26-v3-conv-passes-b64.md): at least 128 columns per group (at 64,
    /// block1's, half of v3's 128-wide tile is empty and v2 was 1.4–1.7× faster), and for forward and
    /// backward data at least <see cref="TargetGroups"/> 128×128 tiles (block5's 392 tiles left v3
    /// 10% slower than v2's 1,568 groups; every layer with 1,568 tiles or more was 16–25% faster on v3).
    /// Backward weights splits K to fill the device, so columns decide alone (v3 was 1.4–1.8× faster there).
    /// </summary>
    private static bool PrefersV3(ConvPass pass, GemmShape g) =>
        g.GroupColumns >= ConvGemmKernelsV3.TileN
        && (pass == ConvPass.BackwardWeights
            || (long)Tiles(g.M, ConvGemmKernelsV3.TileM) * Tiles(g.GroupColumns, ConvGemmKernelsV3.TileN) * g.Groups >= TargetGroups);

    /// <summary>Whether <paramref name="s"/>'s device runs v3's 256-thread groups (CUDA does; the 64-thread CPU simulator of ilgpu-cpu does not).</summary>
    public static bool WideGroups(DeviceState s) => s.Accelerator.MaxNumThreadsPerGroup >= ConvGemmKernelsV3.Threads;

    /// <summary>Whether Winograd F(2×2,3×3) applies to the pass: a 3×3 kernel, strides 1 and dilation 1 (any padding, groups, reversal).</summary>
    public static bool WinogradEligible(ConvShape p) => p.K1 == 3 && p.K2 == 3 && p.S1 == 1 && p.S2 == 1 && p.D1 == 1 && p.D2 == 1;

    /// <summary>
    /// The forward (or, with <paramref name="backward"/>, backward-data) pass of <paramref name="p"/> as a
    /// Winograd F(2×2,3×3) correlation: of x padded (Pad1, Pad2), or of dy padded (2 − Pad1, 2 − Pad2).
    /// </summary>
    public static WinogradShape Winograd(ConvShape p, bool backward) => backward
        ? new WinogradShape
        {
            Batch = p.Batch, InRows = p.M1, InCols = p.M2, InChannels = p.Cout, OutRows = p.N1, OutCols = p.N2, OutChannels = p.Cin,
            Pad1 = 2 - p.Pad1, Pad2 = 2 - p.Pad2, Groups = p.Cout / p.CoutPerGroup, Reversal = p.Reversal, Backward = 1, HasBias = 0,
        }
        : new WinogradShape
        {
            Batch = p.Batch, InRows = p.N1, InCols = p.N2, InChannels = p.Cin, OutRows = p.M1, OutCols = p.M2, OutChannels = p.Cout,
            Pad1 = p.Pad1, Pad2 = p.Pad2, Groups = p.Cout / p.CoutPerGroup, Reversal = p.Reversal, Backward = 0, HasBias = p.HasBias,
        };

    /// <summary>
    /// The 16 products of Winograd as one v2 GEMM of 16·Groups groups: A = V[tile][16·In] (a "tensor"
    /// of Tiles 1×1 samples), B = U[k][16·Out], C = M[tile][16·Out]; group ξ·Groups + g reads channels
    /// ξ·In + g·In/G … of V and writes columns ξ·Out + g·Out/G … of M.
    /// </summary>
    public static GemmShape WinogradGemm(WinogradShape w) => new()
    {
        Batch = w.Tiles, InRows = 1, InCols = 1, InChannels = WinogradKernels.Points * w.InChannels, OutRows = 1, OutCols = 1,
        K1 = 1, K2 = 1, GroupChannels = w.GroupIn, Step1 = 1, Step2 = 1, Tap1 = 0, Tap2 = 0, Offset1 = 0, Offset2 = 0, Div1 = 1, Div2 = 1,
        GroupColumns = w.GroupOut, Groups = WinogradKernels.Points * w.Groups,
        Ldb = WinogradKernels.Points * w.OutChannels, Ldc = WinogradKernels.Points * w.OutChannels, HasBias = 0,
        Vector = w.GroupIn % 4 == 0 && w.GroupOut % 4 == 0 ? 1 : 0, Splits = 1, SplitStages = 0,
    };

    /// <summary>
    /// v4's backward weights: S[c][ξ][o] = Σ_t V[t][ξ][g·In/G + c]·Ŷ[t][ξ][o], v2's backward-weights GEMM
    /// on 16·Groups groups (A = V, B = Ŷ, both [tile][16·channels]), the tiles split as v2 splits positions.
    /// </summary>
    public static GemmShape WinogradWeightsGemm(WinogradShape w, KernelVersion gemm = KernelVersion.V2) => Split(WinogradGemm(w), gemm);

    /// <summary>
    /// The GEMM version of v4's products: v3 on a device with 256-thread groups where Auto would take v3
    /// for a GEMM of that shape (<see cref="PrefersV3"/>), else v2. Both sum each element over k in the
    /// same order, so the choice changes speed, not results.
    /// </summary>
    public static KernelVersion WinogradGemmVersion(ConvPass pass, GemmShape g, bool wideGroups) =>
        wideGroups && PrefersV3(pass, g) ? KernelVersion.V3 : KernelVersion.V2;

    /// <summary>
    /// Whether the forward (or backward-data) pass runs as Winograd: v4 forced, or Auto on a device with
    /// 256-thread groups where <see cref="PrefersWinograd"/>; in both, eligible, its transformed tensors
    /// addressable, and its batched GEMM within CUDA's grid limits.
    /// </summary>
    public static bool UsesWinograd(KernelVersion requested, ConvShape p, bool backward, bool wideGroups = false)
    {
        if (!Wants(requested, backward ? ConvPass.BackwardData : ConvPass.Forward, p, wideGroups) || !WinogradEligible(p)) return false;
        var w = Winograd(p, backward);
        return Addressable(w) && ForwardGrid(WinogradGemm(w)).Y <= GridLimit;
    }

    /// <summary>
    /// The version that runs <paramref name="pass"/>, Winograd included: V4 where <see cref="UsesWinograd"/>
    /// (or, for backward weights, <see cref="UsesWinogradWeights"/>) holds, else <see cref="Choose"/>'s.
    /// </summary>
    public static KernelVersion Dispatch(KernelVersion requested, ConvPass pass, ConvShape p, bool wideGroups = false) =>
        (pass == ConvPass.BackwardWeights ? UsesWinogradWeights(requested, p, wideGroups) : UsesWinograd(requested, p, pass == ConvPass.BackwardData, wideGroups))
            ? KernelVersion.V4
            : Choose(requested, pass, p, wideGroups);

    /// <summary>
    /// Where Auto takes Winograd on a device with 256-thread groups, from VGG16 at batch 64 on an H200
    /// (perf/reports/nvidia-h200-2026-11-26-v4-conv-passes-b64.md): at least <see cref="WinogradMinChannels"/>
    /// channels per group on the side the batched GEMM sums over or is narrow in: the input's for forward
    /// and backward weights (with 3, block1_conv1, v2 was 3.3× and 3.5× faster; with 64 and more v4 was
    /// 1.2–2.5× faster than the better of v2 and v3), dy's for backward data (64 in every VGG16 layer, where
    /// v4 was 1.2–2.4× faster, block1_conv1 included).
    /// </summary>
    public static bool PrefersWinograd(ConvPass pass, ConvShape p) =>
        (pass == ConvPass.BackwardData ? p.CoutPerGroup : p.CinPerGroup) >= WinogradMinChannels;

    /// <summary>The fewest channels per group for which Auto takes Winograd: the smallest count measured faster (<see cref="PrefersWinograd"/>).</summary>
    public const int WinogradMinChannels = 64;

    /// <summary>
    /// Whether <paramref name="requested"/> may run Winograd at all on such a device: v4 forced, or Auto
    /// with 256-thread groups (CUDA). What such a backend declares for conv2d_layer follows from it.
    /// </summary>
    public static bool MayUseWinograd(KernelVersion requested, bool wideGroups) =>
        requested == KernelVersion.V4 || (requested == KernelVersion.Auto && wideGroups);

    private static bool Wants(KernelVersion requested, ConvPass pass, ConvShape p, bool wideGroups) =>
        MayUseWinograd(requested, wideGroups) && (requested == KernelVersion.V4 || PrefersWinograd(pass, p));

    /// <summary>Whether the transformed tensors (16 floats per tile and channel) are indexable by the kernels' 32-bit indices.</summary>
    private static bool Addressable(WinogradShape w) =>
        (long)WinogradKernels.Points * w.Tiles * Math.Max(w.InChannels, w.OutChannels) <= int.MaxValue;

    /// <summary>Whether backward weights runs as Winograd: wanted as in <see cref="UsesWinograd"/>, eligible, and its GEMM's splits and groups within CUDA's grid limits.</summary>
    public static bool UsesWinogradWeights(KernelVersion requested, ConvShape p, bool wideGroups = false)
    {
        if (!Wants(requested, ConvPass.BackwardWeights, p, wideGroups) || !WinogradEligible(p) || !Addressable(Winograd(p, backward: false))) return false;
        var (_, y, z) = WeightsGrid(WinogradWeightsGemm(Winograd(p, backward: false)));
        return y <= GridLimit && z <= GridLimit;
    }

    private static int Tiles(int n, int tile) => (n + tile - 1) / tile;
}

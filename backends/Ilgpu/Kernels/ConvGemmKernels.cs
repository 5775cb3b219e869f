using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// Convolution kernels, version 2: implicit GEMM (conv2d_layer and every op that runs on the
// convolution kernels: conv1d, conv2d, dense), fp32. Version 1 is in ConvolutionKernels.cs.
//
// Versions:
//   v2  ForwardV2: C = A·B per group with A gathered from an NHWC tensor (GemmShape): the forward
//       pass (A from x, B = w, which HWIO already stores as the K×Cout matrix) and backward data
//       (A from dy with taps −dilation and stride holes, B = the kernel transposed per tap,
//       WeightsAsGemmV2). BackwardWeightsV2: dw = Aᵀ·dy, the long reduction over the B·M1·M2
//       output positions cut into splits (split-K) whose partials ReduceSplitsV2 adds in split
//       order; BiasPartialsV2 does the same for db. No atomics: every output element is summed in
//       one fixed order, so results repeat bitwise.
//
// Design of the two GEMM kernels (explicitly grouped: 64 threads, one 64×64 block of C per group):
//   - The reduction runs in stages of 16; a stage of A (64×16) and of B (16×64) is staged in
//     shared memory (2 × 2 × 16 × 68 floats = 17 KB), double-buffered: while the group multiplies
//     stage s from one buffer, each thread holds stage s+1 in registers (8 float4) and stores it
//     into the other buffer afterwards, so one barrier per stage suffices.
//   - Each thread computes an 8×8 register tile (Tile8x8, 64 scalar accumulators; RegisterTile.cs
//     says why they are fields, not an array): per step of the reduction it reads 2 + 2 float4
//     from shared memory and does 64 fma. Thread (tr, tc) = (tid/8, tid%8) owns rows 4·tr…+3 and
//     32+4·tr…+3 and the same columns, so a quarter warp's shared reads are contiguous.
//   - Global loads are 128-bit (Float4) when the group's channels and columns are multiples of 4
//     (GemmShape.Vector), else scalar with the same tiling. All bounds are checked per load and
//     store (partial tiles in M, N and K, padding, stride holes); the index arithmetic of a row or
//     tap is computed once before the loop, and only cursors advance in it (GemmLoads.cs).
//   - Each output element's sum runs in the order of v1 (k1, k2, c), padding terms included as
//     zeros, bias last. Split-K changes the order of dw's and db's sums, which spec/numerics.md
//     allows (γ_n holds for any order).
//
//   v3  ForwardV3 and BackwardWeightsV3 (ConvGemmKernelsV3.cs): the same GEMMs, gathers and
//       summation order with a 128×128 block tile, 256 threads, stages of 8 (17 KB of shared
//       memory), and a split count for backward weights that fills an H100 (≥ 2 groups per SM).
//       They share v2's helpers here (Store, WeightsAsGemmV2, ReduceSplitsV2, BiasPartialsV2).

/// <summary>The fp32 implicit-GEMM convolution kernels, version 2; see the version list at the top of the file.</summary>
public static class ConvGemmKernels
{
    /// <summary>Rows (M) of C per group.</summary>
    public const int TileM = 64;
    /// <summary>Columns (N) of C per group.</summary>
    public const int TileN = 64;
    /// <summary>Depth of one stage of the reduction.</summary>
    public const int TileK = 16;
    /// <summary>Threads per group: 8×8 threads of 8×8 elements cover the 64×64 tile.</summary>
    public const int Threads = 64;

    private const int StageFloat4s = TileK * GemmLoads.Stride4;

    /// <summary>
    /// v2 forward and backward data: grid (⌈M/64⌉, ⌈GroupColumns/64⌉·Groups), 64 threads. C[m, n] = Σ_k A[m, k]·B[k, n] (+ bias[n]).
    /// </summary>
    public static void ForwardV2(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, GemmShape p) =>
        Forward(a, b, bias, c, p, (p.K + TileK - 1) / TileK);

    /// <summary>ForwardV2 over the first <paramref name="stages"/> stages of the reduction (a kernel mutant passes too few).</summary>
    internal static void Forward(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, GemmShape p, int stages)
    {
        var aTile = SharedMemory.Allocate<Float4>(2 * StageFloat4s);
        var bTile = SharedMemory.Allocate<Float4>(2 * StageFloat4s);
        var aTileFloats = aTile.Cast<float>();
        var a4 = a.Cast<Float4>();
        var b4 = b.Cast<Float4>();
        int tid = Group.IdxX;
        int nTiles = (p.GroupColumns + TileN - 1) / TileN;
        int g = Grid.IdxY / nTiles, n0 = Grid.IdxY % nTiles * TileN, m0 = Grid.IdxX * TileM;
        int channel0 = g * p.GroupChannels;
        // Loader roles: A rows m0 + tid/4 + 16j at the k quad tid%4 (4 threads read 64 contiguous bytes of a row);
        // B rows tid/16 + 4j at the column quad tid%16 (16 threads read one 256-byte row).
        var rows = GemmLoads.Rows(p, m0 + (tid >> 2));
        var k = GemmLoads.KAt(p, 4 * (tid & 3));
        int bRow = tid >> 4, quad = tid & 15, bCol = n0 + 4 * quad;

        var aq = GemmLoads.ForwardA(a, a4, p, rows, k, channel0);
        var bq = GemmLoads.DenseRows(b, b4, p, p.Ldb, bRow, p.K, g, bCol);
        GemmLoads.StoreTransposed(aTileFloats, 0, tid >> 2, tid & 3, aq);
        GemmLoads.StoreRows(bTile, 0, bRow, quad, bq);
        Group.Barrier();
        Tile8x8 acc = default;
        for (int s = 0; s < stages; s++)
        {
            bool next = s + 1 < stages;
            if (next)
            {
                k = GemmLoads.Step(k, TileK, p);
                aq = GemmLoads.ForwardA(a, a4, p, rows, k, channel0);
                bq = GemmLoads.DenseRows(b, b4, p, p.Ldb, (s + 1) * TileK + bRow, p.K, g, bCol);
            }
            acc = Multiply(acc, aTile, bTile, s & 1, tid);
            if (next)
            {
                GemmLoads.StoreTransposed(aTileFloats, (s + 1) & 1, tid >> 2, tid & 3, aq);
                GemmLoads.StoreRows(bTile, (s + 1) & 1, bRow, quad, bq);
            }
            Group.Barrier();
        }
        StoreTile(c, bias, p, acc, m0 + 4 * (tid >> 3), p.M, 0, g, n0 + 4 * (tid & 7));
    }

    /// <summary>
    /// v2 backward weights, one split: grid (⌈K/64⌉·⌈GroupColumns/64⌉, Splits, Groups), 64 threads.
    /// partials[split, k, g·GroupColumns + n] = Σ_{m in the split} A[m, k]·dy[m, g·GroupColumns + n], A the forward's im2col of x.
    /// </summary>
    public static void BackwardWeightsV2(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> partials, GemmShape p)
    {
        var aTile = SharedMemory.Allocate<Float4>(2 * StageFloat4s);
        var bTile = SharedMemory.Allocate<Float4>(2 * StageFloat4s);
        var x4 = x.Cast<Float4>();
        var dy4 = dy.Cast<Float4>();
        int tid = Group.IdxX;
        int nTiles = (p.GroupColumns + TileN - 1) / TileN;
        int r0 = Grid.IdxX / nTiles * TileM, n0 = Grid.IdxX % nTiles * TileN;
        int split = Grid.IdxY, g = Grid.IdxZ;
        int mBegin = split * p.SplitStages * TileK;
        int mEnd = Math.Min(p.M, mBegin + p.SplitStages * TileK);
        int stages = (mEnd - mBegin + TileK - 1) / TileK;
        // Loader roles: positions mBegin + tid/16 + 4j; A at the four taps (rows of C) r0 + 4·(tid%16),
        // whose channels are consecutive in x, dy at the column quad tid%16. Both tiles are stored as loaded, [m][row].
        int loadRow = tid >> 4, quad = tid & 15, col = n0 + 4 * quad;
        var taps = GemmLoads.TapsAt(p, r0 + 4 * quad, g);
        var m = GemmLoads.MAt(p, mBegin + loadRow);

        var aq = GemmLoads.WeightsA(x, x4, p, m, mEnd, taps);
        var bq = GemmLoads.DenseRows(dy, dy4, p, p.Ldb, mBegin + loadRow, mEnd, g, col);
        GemmLoads.StoreRows(aTile, 0, loadRow, quad, aq);
        GemmLoads.StoreRows(bTile, 0, loadRow, quad, bq);
        Group.Barrier();
        Tile8x8 acc = default;
        for (int s = 0; s < stages; s++)
        {
            bool next = s + 1 < stages;
            if (next)
            {
                m = GemmLoads.Step(m, TileK, p);
                aq = GemmLoads.WeightsA(x, x4, p, m, mEnd, taps);
                bq = GemmLoads.DenseRows(dy, dy4, p, p.Ldb, mBegin + (s + 1) * TileK + loadRow, mEnd, g, col);
            }
            acc = Multiply(acc, aTile, bTile, s & 1, tid);
            if (next)
            {
                GemmLoads.StoreRows(aTile, (s + 1) & 1, loadRow, quad, aq);
                GemmLoads.StoreRows(bTile, (s + 1) & 1, loadRow, quad, bq);
            }
            Group.Barrier();
        }
        StoreTile(partials, partials, p, acc, r0 + 4 * (tid >> 3), p.K, split * p.K, g, n0 + 4 * (tid & 7));
    }

    /// <summary>v2 helper, one thread per element of B: the weights as the B matrix of a GEMM (flipped taps, or transposed per tap for backward data).</summary>
    public static void WeightsAsGemmV2(Index1D index, ArrayView<float> w, ArrayView<float> b, WeightLayout l)
    {
        int i = index;
        var at = Position4.Of(i, l.K2, l.CinPerGroup, l.Cout);
        int k1 = at.A, k2 = at.B, inChannel = at.C, column = at.D;
        if (l.Transpose != 0)
        {
            // B[(k1, k2, n), ci] with ci the input channel (any group) and n the output channel within ci's group.
            int cin = l.CinPerGroup * (l.Cout / l.CoutPerGroup);
            at = Position4.Of(i, l.K2, l.CoutPerGroup, cin);
            k1 = at.A;
            k2 = at.B;
            inChannel = at.D % l.CinPerGroup;
            column = at.D / l.CinPerGroup * l.CoutPerGroup + at.C;
        }
        if (l.Reversal != 0)
        {
            k1 = l.K1 - 1 - k1;
            k2 = l.K2 - 1 - k2;
        }
        b[i] = w[((k1 * l.K2 + k2) * l.CinPerGroup + inChannel) * l.Cout + column];
    }

    /// <summary>v2 helper, one thread per output element: the split partials added in split order, taps flipped back with Reversal.</summary>
    public static void ReduceSplitsV2(Index1D index, ArrayView<float> partials, ArrayView<float> output, ReduceShape r) =>
        output[index] = SplitSum(index, partials, r, r.Splits);

    /// <summary>Output element <paramref name="index"/>: the first <paramref name="splits"/> partials in split order (a kernel mutant passes too few).</summary>
    internal static float SplitSum(int index, ArrayView<float> partials, ReduceShape r, int splits)
    {
        var at = Position4.Of(index, r.K2, r.Channels, r.Columns);
        int k1 = r.Reversal != 0 ? r.K1 - 1 - at.A : at.A;
        int k2 = r.Reversal != 0 ? r.K2 - 1 - at.B : at.B;
        int rows = r.K1 * r.K2 * r.Channels;
        int from = ((k1 * r.K2 + k2) * r.Channels + at.C) * r.Columns + at.D;
        float sum = 0f;
        for (int s = 0; s < splits; s++) sum += partials[s * rows * r.Columns + from];
        return sum;
    }

    /// <summary>v2 helper, one thread per (split, channel): db's partial sum over the split's rows of dy[Rows, Columns], in row order.</summary>
    public static void BiasPartialsV2(Index1D index, ArrayView<float> dy, ArrayView<float> partials, ReduceShape r)
    {
        int split = index / r.Columns, column = index % r.Columns;
        int end = Math.Min(r.Rows, (split + 1) * r.RowsPerSplit);
        float sum = 0f;
        for (int row = split * r.RowsPerSplit; row < end; row++) sum += dy[row * r.Columns + column];
        partials[index] = sum;
    }

    /// <summary>
    /// One stage: 16 rank-1 updates of the thread's tile from the shared stage <paramref name="stage"/>,
    /// two per iteration (ILGPU does not unroll loops; this halves the loop's overhead per fma).
    /// </summary>
    private static Tile8x8 Multiply(Tile8x8 acc, ArrayView<Float4> aTile, ArrayView<Float4> bTile, int stage, int tid)
    {
        int a = stage * StageFloat4s + (tid >> 3);
        int b = stage * StageFloat4s + (tid & 7);
        for (int kk = 0; kk < TileK; kk += 2)
        {
            acc = Tile8x8.Fma(acc, aTile[a], aTile[a + 8], bTile[b], bTile[b + 8]);
            acc = Tile8x8.Fma(acc, aTile[a + GemmLoads.Stride4], aTile[a + GemmLoads.Stride4 + 8],
                bTile[b + GemmLoads.Stride4], bTile[b + GemmLoads.Stride4 + 8]);
            a += 2 * GemmLoads.Stride4;
            b += 2 * GemmLoads.Stride4;
        }
        return acc;
    }

    /// <summary>Writes the thread's tile: rows <paramref name="row"/>…+3 and +32…+35 (below <paramref name="rowLimit"/>), at C row rowOffset + row.</summary>
    private static void StoreTile(ArrayView<float> c, ArrayView<float> bias, GemmShape p, Tile8x8 t, int row, int rowLimit, int rowOffset, int g, int col)
    {
        var c4 = c.Cast<Float4>();
        StoreRow(c, c4, bias, p, row, rowLimit, rowOffset, g, col, t.R0);
        StoreRow(c, c4, bias, p, row + 1, rowLimit, rowOffset, g, col, t.R1);
        StoreRow(c, c4, bias, p, row + 2, rowLimit, rowOffset, g, col, t.R2);
        StoreRow(c, c4, bias, p, row + 3, rowLimit, rowOffset, g, col, t.R3);
        StoreRow(c, c4, bias, p, row + 32, rowLimit, rowOffset, g, col, t.R4);
        StoreRow(c, c4, bias, p, row + 33, rowLimit, rowOffset, g, col, t.R5);
        StoreRow(c, c4, bias, p, row + 34, rowLimit, rowOffset, g, col, t.R6);
        StoreRow(c, c4, bias, p, row + 35, rowLimit, rowOffset, g, col, t.R7);
    }

    private static void StoreRow(ArrayView<float> c, ArrayView<Float4> c4, ArrayView<float> bias, GemmShape p, int row, int rowLimit,
        int rowOffset, int g, int col, Row8 r)
    {
        if (row >= rowLimit) return;
        int rowAt = (rowOffset + row) * p.Ldc + g * p.GroupColumns;
        Store(c, c4, bias, p, rowAt, g, col, r.L);
        Store(c, c4, bias, p, rowAt, g, col + 32, r.R);
    }

    /// <summary>Columns col…col+3 of a row (those inside the group), bias added last as in v1; v3 stores through it too.</summary>
    internal static void Store(ArrayView<float> c, ArrayView<Float4> c4, ArrayView<float> bias, GemmShape p, int rowAt, int g, int col, Float4 v)
    {
        int n = p.GroupColumns;
        if (col >= n) return;
        if (p.HasBias != 0)
        {
            int first = g * n + col;
            v.X += bias[first];
            if (col + 1 < n) v.Y += bias[first + 1];
            if (col + 2 < n) v.Z += bias[first + 2];
            if (col + 3 < n) v.W += bias[first + 3];
        }
        int at = rowAt + col;
        if (p.Vector != 0)
        {
            c4[at >> 2] = v;
            return;
        }
        c[at] = v.X;
        if (col + 1 < n) c[at + 1] = v.Y;
        if (col + 2 < n) c[at + 2] = v.Z;
        if (col + 3 < n) c[at + 3] = v.W;
    }
}

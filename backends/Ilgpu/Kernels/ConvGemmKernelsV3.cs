using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// Convolution kernels, version 3: the implicit GEMM of v2 (ConvGemmKernels.cs, whose header
// describes the GEMM, the gathers and the summation order) with a larger block tile for Hopper.
// v2's Nsight Compute profile on an H200 showed ForwardV2 at 161 registers × 64 threads, 6 groups
// per SM and 18.8% occupancy; each group reads 2·64·16 floats of shared memory per 64·64·16 fma.
// v3 doubles the tile on both sides, so each float staged in shared memory feeds twice the fma,
// and a group of 8 warps hides more latency than v2's 2.
//
// What differs from v2 (and why a separate body rather than one generic over a tile-size struct:
// the loader roles change shape, not just size: v2's thread loads 4 quads of A and 4 of B per
// stage, v3's exactly one of each, so a generic body would need role structs of their own; two
// short kernels read more clearly, and the shared parts are GemmLoads' gathers and v2's Store):
//   - Block tile 128×128 with 256 threads (16×16 threads of 8×8 = Tile8x8, the same named-field
//     register tile). Thread (tr, tc) = (tid/16, tid%16) owns rows 4·tr…+3 and 64+4·tr…+3 and
//     the same columns: a warp reads 2 float4 of A (broadcast) and 16 consecutive float4 of B.
//   - Stages of 8: one stage of A (128×8) and of B (8×128) is 1024 floats each, one float4 per
//     thread per matrix, so the prefetch of stage s+1 costs 8 registers (v2: 32). Double-buffered
//     as in v2: 2 buffers × 2 matrices × 8 rows × 132 floats (128 + 4 padding) = 16,896 bytes.
//     A stage of 16 would fit (33,792 bytes) but would double the prefetch registers; with 256
//     threads every register counts (65,536 per SM: ≤ 128 per thread for two resident groups).
//   - Loader roles: forward A, row m0 + tid/2 at k quad tid%2 (two threads read a row's 32
//     contiguous bytes); B and dy, row tid/32 at column quad tid%32 (a warp reads a 512-byte row);
//     backward weights' A, position tid/32 at four taps r0 + 4·(tid%32).
//   - The transposed store of forward A is conflict-free: a warp's 16 rows × 2 k quads land in
//     banks (16·kq + m) mod 32, all distinct (the padding of 4 floats per row does it).
//   - Backward weights splits the reduction so that the grid has at least 2 groups per SM of an
//     H100 (ConvGemmPlan.WeightsSplitsV3).
// Bounds checks, padding, stride holes, dilation, groups and reversal are GemmLoads' (shared with
// v2); every output element is summed in v2's order (k ascending; within a split, m ascending;
// splits added in split order by ReduceSplitsV2); no atomics, so results repeat bitwise.

/// <summary>The fp32 implicit-GEMM convolution kernels, version 3; see the notes at the top of the file.</summary>
public static class ConvGemmKernelsV3
{
    /// <summary>Rows (M) of C per group.</summary>
    public const int TileM = 128;
    /// <summary>Columns (N) of C per group.</summary>
    public const int TileN = 128;
    /// <summary>Depth of one stage of the reduction.</summary>
    public const int TileK = 8;
    /// <summary>Threads per group: 16×16 threads of 8×8 elements cover the 128×128 tile.</summary>
    public const int Threads = 256;

    /// <summary>Floats per row of a shared stage: 128 plus 4 of padding (see the transposed store above).</summary>
    private const int Stride = 132;
    private const int Stride4 = Stride / 4;
    private const int StageFloat4s = TileK * Stride4;

    /// <summary>Bytes of shared memory per group (both buffers of both matrices).</summary>
    public const int SharedBytes = 2 * 2 * StageFloat4s * 16;

    /// <summary>
    /// v3 forward and backward data: grid (⌈M/128⌉, ⌈GroupColumns/128⌉·Groups), 256 threads. C[m, n] = Σ_k A[m, k]·B[k, n] (+ bias[n]).
    /// </summary>
    public static void ForwardV3(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, GemmShape p)
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
        int stages = (p.K + TileK - 1) / TileK;
        int aRow = tid >> 1, kQuad = tid & 1, bRow = tid >> 5, quad = tid & 31, bCol = n0 + 4 * quad;
        var row = GemmLoads.Row(p, m0 + aRow);
        var k = GemmLoads.KAt(p, 4 * kQuad);

        var aq = ForwardA(a, a4, p, row, k, channel0);
        var bq = GemmLoads.Dense(b, b4, p, p.Ldb, bRow, p.K, g, bCol);
        StoreTransposed(aTileFloats, 0, aRow, kQuad, aq);
        bTile[bRow * Stride4 + quad] = bq;
        Group.Barrier();
        Tile8x8 acc = default;
        for (int s = 0; s < stages; s++)
        {
            bool next = s + 1 < stages;
            if (next)
            {
                k = GemmLoads.Step(k, TileK, p);
                aq = ForwardA(a, a4, p, row, k, channel0);
                bq = GemmLoads.Dense(b, b4, p, p.Ldb, (s + 1) * TileK + bRow, p.K, g, bCol);
            }
            acc = Multiply(acc, aTile, bTile, s & 1, tid);
            if (next)
            {
                StoreTransposed(aTileFloats, (s + 1) & 1, aRow, kQuad, aq);
                bTile[(((s + 1) & 1) * TileK + bRow) * Stride4 + quad] = bq;
            }
            Group.Barrier();
        }
        StoreTile(c, bias, p, acc, m0 + 4 * (tid >> 4), p.M, 0, g, n0 + 4 * (tid & 15));
    }

    /// <summary>
    /// v3 backward weights, one split: grid (⌈K/128⌉·⌈GroupColumns/128⌉, Splits, Groups), 256 threads; a split is
    /// SplitStages·8 positions. partials[split, k, g·GroupColumns + n] = Σ_{m in the split} A[m, k]·dy[m, g·GroupColumns + n].
    /// </summary>
    public static void BackwardWeightsV3(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> partials, GemmShape p)
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
        // Both tiles are stored as loaded, [m][row of C] and [m][column]: one row of a stage per warp.
        int loadRow = tid >> 5, quad = tid & 31, col = n0 + 4 * quad;
        var taps = GemmLoads.TapsAt(p, r0 + 4 * quad, g);
        var m = GemmLoads.MAt(p, mBegin + loadRow);
        int at = loadRow * Stride4 + quad;

        var aq = GemmLoads.FetchTaps(x, x4, p, m, mEnd, taps);
        var bq = GemmLoads.Dense(dy, dy4, p, p.Ldb, mBegin + loadRow, mEnd, g, col);
        aTile[at] = aq;
        bTile[at] = bq;
        Group.Barrier();
        Tile8x8 acc = default;
        for (int s = 0; s < stages; s++)
        {
            bool next = s + 1 < stages;
            if (next)
            {
                m = GemmLoads.Step(m, TileK, p);
                aq = GemmLoads.FetchTaps(x, x4, p, m, mEnd, taps);
                bq = GemmLoads.Dense(dy, dy4, p, p.Ldb, mBegin + (s + 1) * TileK + loadRow, mEnd, g, col);
            }
            acc = Multiply(acc, aTile, bTile, s & 1, tid);
            if (next)
            {
                int to = ((s + 1) & 1) * StageFloat4s + at;
                aTile[to] = aq;
                bTile[to] = bq;
            }
            Group.Barrier();
        }
        StoreTile(partials, partials, p, acc, r0 + 4 * (tid >> 4), p.K, split * p.K, g, n0 + 4 * (tid & 15));
    }

    /// <summary>A[row, k … k+3]: one 128-bit load on the vector path, else four scalar gathers (any channel count).</summary>
    private static Float4 ForwardA(ArrayView<float> t, ArrayView<Float4> t4, GemmShape p, GatherRow row, KCursor k, int channel0)
    {
        if (p.Vector != 0) return GemmLoads.Fetch4(t4, p, row, k, channel0);
        var k1 = GemmLoads.Step(k, 1, p);
        var k2 = GemmLoads.Step(k1, 1, p);
        var k3 = GemmLoads.Step(k2, 1, p);
        return GemmLoads.FetchScalars(t, p, row, k, k1, k2, k3, channel0);
    }

    /// <summary>A's quad for row m at k quad kQuad stored as a column of the [k][m] stage.</summary>
    private static void StoreTransposed(ArrayView<float> tile, int stage, int m, int kQuad, Float4 v)
    {
        int at = (stage * TileK + 4 * kQuad) * Stride + m;
        tile[at] = v.X;
        tile[at + Stride] = v.Y;
        tile[at + 2 * Stride] = v.Z;
        tile[at + 3 * Stride] = v.W;
    }

    /// <summary>One stage: 8 rank-1 updates of the thread's tile, two per iteration (ILGPU does not unroll loops).</summary>
    private static Tile8x8 Multiply(Tile8x8 acc, ArrayView<Float4> aTile, ArrayView<Float4> bTile, int stage, int tid)
    {
        int a = stage * StageFloat4s + (tid >> 4);
        int b = stage * StageFloat4s + (tid & 15);
        for (int kk = 0; kk < TileK; kk += 2)
        {
            acc = Tile8x8.Fma(acc, aTile[a], aTile[a + 16], bTile[b], bTile[b + 16]);
            acc = Tile8x8.Fma(acc, aTile[a + Stride4], aTile[a + Stride4 + 16], bTile[b + Stride4], bTile[b + Stride4 + 16]);
            a += 2 * Stride4;
            b += 2 * Stride4;
        }
        return acc;
    }

    /// <summary>Writes the thread's tile: rows row…+3 and +64…+67 (below rowLimit), columns col…+3 and +64…+67, through v2's Store.</summary>
    private static void StoreTile(ArrayView<float> c, ArrayView<float> bias, GemmShape p, Tile8x8 t, int row, int rowLimit, int rowOffset, int g, int col)
    {
        var c4 = c.Cast<Float4>();
        StoreRow(c, c4, bias, p, row, rowLimit, rowOffset, g, col, t.R0);
        StoreRow(c, c4, bias, p, row + 1, rowLimit, rowOffset, g, col, t.R1);
        StoreRow(c, c4, bias, p, row + 2, rowLimit, rowOffset, g, col, t.R2);
        StoreRow(c, c4, bias, p, row + 3, rowLimit, rowOffset, g, col, t.R3);
        StoreRow(c, c4, bias, p, row + 64, rowLimit, rowOffset, g, col, t.R4);
        StoreRow(c, c4, bias, p, row + 65, rowLimit, rowOffset, g, col, t.R5);
        StoreRow(c, c4, bias, p, row + 66, rowLimit, rowOffset, g, col, t.R6);
        StoreRow(c, c4, bias, p, row + 67, rowLimit, rowOffset, g, col, t.R7);
    }

    private static void StoreRow(ArrayView<float> c, ArrayView<Float4> c4, ArrayView<float> bias, GemmShape p, int row, int rowLimit,
        int rowOffset, int g, int col, Row8 r)
    {
        if (row >= rowLimit) return;
        int rowAt = (rowOffset + row) * p.Ldc + g * p.GroupColumns;
        ConvGemmKernels.Store(c, c4, bias, p, rowAt, g, col, r.L);
        ConvGemmKernels.Store(c, c4, bias, p, rowAt, g, col + 64, r.R);
    }
}

using ILGPU;

namespace Conformance.Backends.Ilgpu.Kernels;

// The global-memory side of the v2 GEMM kernels (ConvGemmKernels.cs): which element of the NHWC
// tensor each A entry is, the loads of one 16-deep stage into registers and their stores into
// shared memory. Everything a thread can know before the reduction loop (its output rows, its
// taps) is computed once into the small structs below; inside the loop only cursors advance.
// Every load checks its bounds and gives 0 outside them (partial tiles, padding, stride holes),
// so no thread ever reads out of bounds: the CPU accelerator would crash the process.

/// <summary>An output position of A's rows, precomputed: Base = b·InRows (−1 past M), H and W the gather's i·Step + Offset.</summary>
internal struct GatherRow
{
    public int Base, H, W;
}

/// <summary>The four A rows a forward loader thread owns (16 apart).</summary>
internal struct Rows4
{
    public GatherRow R0, R1, R2, R3;
}

/// <summary>A reduction index k and its (k1, k2, c), advanced without division.</summary>
internal struct KCursor
{
    public int K, K1, K2, C;
}

/// <summary>One row of C in backward weights, a tap (k1, k2, c): H = k1·Tap1 + Offset1, W likewise, Ch = the channel of T (−1 past K).</summary>
internal struct Tap
{
    public int H, W, Ch;
}

/// <summary>The four taps (consecutive rows of C) a backward-weights loader thread owns.</summary>
internal struct Taps4
{
    public Tap T0, T1, T2, T3;
}

/// <summary>An output position m = (b, i1, i2), advanced without division.</summary>
internal struct MCursor
{
    public int M, B, I1, I2;
}

internal static class GemmLoads
{
    /// <summary>Floats per row of a shared tile: 64 plus 4 of padding, which halves the bank conflicts of the transposed stores.</summary>
    public const int Stride = 68;

    /// <summary><see cref="Stride"/> in Float4.</summary>
    public const int Stride4 = Stride / 4;

    /// <summary>t's index on an axis of n after the divisor, or −1 outside it or in a stride hole.</summary>
    public static int Axis(int t, int div, int n)
    {
        if (t < 0) return -1;
        if (div != 1)
        {
            if (t % div != 0) return -1;
            t /= div;
        }
        return t < n ? t : -1;
    }

    public static GatherRow Row(GemmShape p, int m)
    {
        GatherRow r;
        r.Base = -1;
        r.H = 0;
        r.W = 0;
        if (m < p.M)
        {
            int i2 = m % p.OutCols, rest = m / p.OutCols;
            r.Base = rest / p.OutRows * p.InRows;
            r.H = rest % p.OutRows * p.Step1 + p.Offset1;
            r.W = i2 * p.Step2 + p.Offset2;
        }
        return r;
    }

    public static Rows4 Rows(GemmShape p, int m)
    {
        Rows4 r;
        r.R0 = Row(p, m);
        r.R1 = Row(p, m + 16);
        r.R2 = Row(p, m + 32);
        r.R3 = Row(p, m + 48);
        return r;
    }

    public static KCursor KAt(GemmShape p, int k)
    {
        KCursor c;
        c.K = k;
        c.C = k % p.GroupChannels;
        c.K2 = k / p.GroupChannels % p.K2;
        c.K1 = k / p.GroupChannels / p.K2;
        return c;
    }

    /// <summary>The cursor moved on by <paramref name="by"/>; the loop runs at most once when GroupChannels ≥ by.</summary>
    public static KCursor Step(KCursor c, int by, GemmShape p)
    {
        c.K += by;
        c.C += by;
        while (c.C >= p.GroupChannels)
        {
            c.C -= p.GroupChannels;
            c.K2++;
            if (c.K2 == p.K2)
            {
                c.K2 = 0;
                c.K1++;
            }
        }
        return c;
    }

    /// <summary>A[row, k] (0 outside the tensor); <paramref name="channel0"/> is the group's first channel of T.</summary>
    public static float Fetch(ArrayView<float> t, GemmShape p, GatherRow r, KCursor k, int channel0)
    {
        if (r.Base < 0 || k.K >= p.K) return 0f;
        int h = Axis(r.H + k.K1 * p.Tap1, p.Div1, p.InRows);
        int w = Axis(r.W + k.K2 * p.Tap2, p.Div2, p.InCols);
        if (h < 0 || w < 0) return 0f;
        return t[((r.Base + h) * p.InCols + w) * p.InChannels + channel0 + k.C];
    }

    /// <summary>A[row, k … k+3] in one 128-bit load; the vector path has K and the channels in multiples of 4, so a quad never straddles a tap.</summary>
    public static Float4 Fetch4(ArrayView<Float4> t4, GemmShape p, GatherRow r, KCursor k, int channel0)
    {
        Float4 v = default;
        if (r.Base < 0 || k.K >= p.K) return v;
        int h = Axis(r.H + k.K1 * p.Tap1, p.Div1, p.InRows);
        int w = Axis(r.W + k.K2 * p.Tap2, p.Div2, p.InCols);
        if (h < 0 || w < 0) return v;
        return t4[(((r.Base + h) * p.InCols + w) * p.InChannels + channel0 + k.C) >> 2];
    }

    /// <summary>A[row, k … k+3] one by one (any channel count), the k's given as four cursors.</summary>
    public static Float4 FetchScalars(ArrayView<float> t, GemmShape p, GatherRow r, KCursor k0, KCursor k1, KCursor k2, KCursor k3, int channel0)
    {
        Float4 v;
        v.X = Fetch(t, p, r, k0, channel0);
        v.Y = Fetch(t, p, r, k1, channel0);
        v.Z = Fetch(t, p, r, k2, channel0);
        v.W = Fetch(t, p, r, k3, channel0);
        return v;
    }

    /// <summary>A forward loader's stage: its four rows at its k quad.</summary>
    public static Float4x4 ForwardA(ArrayView<float> t, ArrayView<Float4> t4, GemmShape p, Rows4 rows, KCursor k, int channel0)
    {
        Float4x4 q;
        if (p.Vector != 0)
        {
            q.V0 = Fetch4(t4, p, rows.R0, k, channel0);
            q.V1 = Fetch4(t4, p, rows.R1, k, channel0);
            q.V2 = Fetch4(t4, p, rows.R2, k, channel0);
            q.V3 = Fetch4(t4, p, rows.R3, k, channel0);
        }
        else
        {
            var k1 = Step(k, 1, p);
            var k2 = Step(k1, 1, p);
            var k3 = Step(k2, 1, p);
            q.V0 = FetchScalars(t, p, rows.R0, k, k1, k2, k3, channel0);
            q.V1 = FetchScalars(t, p, rows.R1, k, k1, k2, k3, channel0);
            q.V2 = FetchScalars(t, p, rows.R2, k, k1, k2, k3, channel0);
            q.V3 = FetchScalars(t, p, rows.R3, k, k1, k2, k3, channel0);
        }
        return q;
    }

    /// <summary>Row <paramref name="row"/> of C in backward weights as a tap of group <paramref name="g"/>.</summary>
    public static Tap TapAt(GemmShape p, int row, int g)
    {
        Tap t;
        t.H = 0;
        t.W = 0;
        t.Ch = -1;
        if (row < p.K)
        {
            int rest = row / p.GroupChannels;
            t.H = rest / p.K2 * p.Tap1 + p.Offset1;
            t.W = rest % p.K2 * p.Tap2 + p.Offset2;
            t.Ch = g * p.GroupChannels + row % p.GroupChannels;
        }
        return t;
    }

    public static Taps4 TapsAt(GemmShape p, int row, int g)
    {
        Taps4 t;
        t.T0 = TapAt(p, row, g);
        t.T1 = TapAt(p, row + 1, g);
        t.T2 = TapAt(p, row + 2, g);
        t.T3 = TapAt(p, row + 3, g);
        return t;
    }

    public static MCursor MAt(GemmShape p, int m)
    {
        MCursor c;
        c.M = m;
        c.I2 = m % p.OutCols;
        c.I1 = m / p.OutCols % p.OutRows;
        c.B = m / p.OutCols / p.OutRows;
        return c;
    }

    /// <summary>The position moved on by <paramref name="by"/> (a step of 16 or 4: few carries on real images).</summary>
    public static MCursor Step(MCursor c, int by, GemmShape p)
    {
        c.M += by;
        c.I2 += by;
        while (c.I2 >= p.OutCols)
        {
            c.I2 -= p.OutCols;
            c.I1++;
            if (c.I1 == p.OutRows)
            {
                c.I1 = 0;
                c.B++;
            }
        }
        return c;
    }

    /// <summary>A[m, tap] of backward weights (the forward's im2col entry), 0 past <paramref name="mEnd"/> and outside x.</summary>
    public static float FetchTap(ArrayView<float> t, GemmShape p, MCursor c, int mEnd, Tap tap)
    {
        if (c.M >= mEnd || tap.Ch < 0) return 0f;
        int h = Axis(c.I1 * p.Step1 + tap.H, p.Div1, p.InRows);
        int w = Axis(c.I2 * p.Step2 + tap.W, p.Div2, p.InCols);
        if (h < 0 || w < 0) return 0f;
        return t[((c.B * p.InRows + h) * p.InCols + w) * p.InChannels + tap.Ch];
    }

    /// <summary>A[m, four taps] of backward weights: one 128-bit load on the vector path (the four taps are four consecutive channels).</summary>
    public static Float4 FetchTaps(ArrayView<float> t, ArrayView<Float4> t4, GemmShape p, MCursor c, int mEnd, Taps4 taps)
    {
        Float4 v = default;
        if (p.Vector != 0)
        {
            if (c.M >= mEnd || taps.T0.Ch < 0) return v;
            int h = Axis(c.I1 * p.Step1 + taps.T0.H, p.Div1, p.InRows);
            int w = Axis(c.I2 * p.Step2 + taps.T0.W, p.Div2, p.InCols);
            if (h < 0 || w < 0) return v;
            return t4[(((c.B * p.InRows + h) * p.InCols + w) * p.InChannels + taps.T0.Ch) >> 2];
        }
        v.X = FetchTap(t, p, c, mEnd, taps.T0);
        v.Y = FetchTap(t, p, c, mEnd, taps.T1);
        v.Z = FetchTap(t, p, c, mEnd, taps.T2);
        v.W = FetchTap(t, p, c, mEnd, taps.T3);
        return v;
    }

    /// <summary>A backward-weights loader's stage: positions c, c+4, c+8, c+12 at its four taps.</summary>
    public static Float4x4 WeightsA(ArrayView<float> t, ArrayView<Float4> t4, GemmShape p, MCursor c, int mEnd, Taps4 taps)
    {
        Float4x4 q;
        q.V0 = FetchTaps(t, t4, p, c, mEnd, taps);
        c = Step(c, 4, p);
        q.V1 = FetchTaps(t, t4, p, c, mEnd, taps);
        c = Step(c, 4, p);
        q.V2 = FetchTaps(t, t4, p, c, mEnd, taps);
        c = Step(c, 4, p);
        q.V3 = FetchTaps(t, t4, p, c, mEnd, taps);
        return q;
    }

    /// <summary>
    /// Row <paramref name="row"/> of a dense row-major matrix (B, or dy in backward weights) at
    /// group columns col … col+3, 0 past <paramref name="rowLimit"/> or the group's columns.
    /// </summary>
    public static Float4 Dense(ArrayView<float> v, ArrayView<Float4> v4, GemmShape p, int ld, int row, int rowLimit, int g, int col)
    {
        Float4 q = default;
        if (row >= rowLimit || col >= p.GroupColumns) return q;
        int at = row * ld + g * p.GroupColumns + col;
        if (p.Vector != 0) return v4[at >> 2];
        q.X = v[at];
        if (col + 1 < p.GroupColumns) q.Y = v[at + 1];
        if (col + 2 < p.GroupColumns) q.Z = v[at + 2];
        if (col + 3 < p.GroupColumns) q.W = v[at + 3];
        return q;
    }

    /// <summary>Four rows, 4 apart from <paramref name="row"/>, of a dense matrix (a loader's share of a 16-row stage).</summary>
    public static Float4x4 DenseRows(ArrayView<float> v, ArrayView<Float4> v4, GemmShape p, int ld, int row, int rowLimit, int g, int col)
    {
        Float4x4 q;
        q.V0 = Dense(v, v4, p, ld, row, rowLimit, g, col);
        q.V1 = Dense(v, v4, p, ld, row + 4, rowLimit, g, col);
        q.V2 = Dense(v, v4, p, ld, row + 8, rowLimit, g, col);
        q.V3 = Dense(v, v4, p, ld, row + 12, rowLimit, g, col);
        return q;
    }

    /// <summary>Stores a loader's four quads as rows <paramref name="row"/>, +4, +8, +12 of a shared stage, at float4 column <paramref name="quad"/>.</summary>
    public static void StoreRows(ArrayView<Float4> tile, int stage, int row, int quad, Float4x4 q)
    {
        int at = (stage * 16 + row) * Stride4 + quad;
        tile[at] = q.V0;
        tile[at + 4 * Stride4] = q.V1;
        tile[at + 8 * Stride4] = q.V2;
        tile[at + 12 * Stride4] = q.V3;
    }

    /// <summary>Stores a forward A loader's quads transposed: rows m, m+16, m+32, m+48 of A become columns of the [k][m] tile.</summary>
    public static void StoreTransposed(ArrayView<float> tile, int stage, int m, int kQuad, Float4x4 q)
    {
        int at = (stage * 16 + 4 * kQuad) * Stride + m;
        StoreColumn(tile, at, q.V0);
        StoreColumn(tile, at + 16, q.V1);
        StoreColumn(tile, at + 32, q.V2);
        StoreColumn(tile, at + 48, q.V3);
    }

    private static void StoreColumn(ArrayView<float> tile, int at, Float4 v)
    {
        tile[at] = v.X;
        tile[at + Stride] = v.Y;
        tile[at + 2 * Stride] = v.Z;
        tile[at + 3 * Stride] = v.W;
    }
}

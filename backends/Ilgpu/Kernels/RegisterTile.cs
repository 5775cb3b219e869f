namespace Conformance.Backends.Ilgpu.Kernels;

// The 8×8 register tile of one v2 GEMM thread, as named fields. ILGPU 1.5.3 does not unroll
// loops, and a local array indexed by a loop variable is placed in local memory (spilled), so the
// 64 accumulators are struct fields that no loop indexes: every update below is written out, and
// the structs are passed and returned by value so that ILGPU's SSA construction keeps each field in
// a register. A float accumulation a·b + c compiles to mul.f32 and add.f32 without a rounding
// modifier, which ptxas contracts into one fma.

/// <summary>One row of a thread's register tile: 8 columns as two groups of 4 (the thread's two column quads).</summary>
public struct Row8
{
    /// <summary>Columns 4·tc … 4·tc + 3 of the block tile.</summary>
    public Float4 L;
    /// <summary>Columns 32 + 4·tc … 32 + 4·tc + 3 of the block tile.</summary>
    public Float4 R;

    /// <summary>The row plus a times the eight b values.</summary>
    public static Row8 Fma(Row8 r, float a, Float4 b0, Float4 b1)
    {
        r.L.X += a * b0.X;
        r.L.Y += a * b0.Y;
        r.L.Z += a * b0.Z;
        r.L.W += a * b0.W;
        r.R.X += a * b1.X;
        r.R.Y += a * b1.Y;
        r.R.Z += a * b1.Z;
        r.R.W += a * b1.W;
        return r;
    }
}

/// <summary>
/// A thread's 8×8 block of C: rows R0–R3 are block rows 4·tr … 4·tr + 3, rows R4–R7 are 32 + 4·tr …
/// 32 + 4·tr + 3 (two quads 32 apart, so the shared-memory reads of a quarter warp are contiguous).
/// </summary>
public struct Tile8x8
{
    /// <summary>The eight rows.</summary>
    public Row8 R0, R1, R2, R3, R4, R5, R6, R7;

    /// <summary>One step of the reduction: the outer product of 8 values of A (a0, a1) and 8 of B (b0, b1) added.</summary>
    public static Tile8x8 Fma(Tile8x8 t, Float4 a0, Float4 a1, Float4 b0, Float4 b1)
    {
        t.R0 = Row8.Fma(t.R0, a0.X, b0, b1);
        t.R1 = Row8.Fma(t.R1, a0.Y, b0, b1);
        t.R2 = Row8.Fma(t.R2, a0.Z, b0, b1);
        t.R3 = Row8.Fma(t.R3, a0.W, b0, b1);
        t.R4 = Row8.Fma(t.R4, a1.X, b0, b1);
        t.R5 = Row8.Fma(t.R5, a1.Y, b0, b1);
        t.R6 = Row8.Fma(t.R6, a1.Z, b0, b1);
        t.R7 = Row8.Fma(t.R7, a1.W, b0, b1);
        return t;
    }
}

/// <summary>Four values of one loader role (four rows or four columns of a stage), kept in registers between stages.</summary>
public struct Float4x4
{
    /// <summary>The four quads.</summary>
    public Float4 V0, V1, V2, V3;
}

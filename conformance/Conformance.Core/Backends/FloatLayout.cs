using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Conformance.Reference;

namespace Conformance.Core.Backends;

/// <summary>
/// The conversions a float32, channels-first library backend needs around the catalogue's double
/// NHWC/HWIO tensors, each done in one pass over the data: rounding to float (each element to the
/// nearest float, as <c>(float)v</c>) fused with the axis move, and widening (exact) fused with
/// the move back. They only round and move elements, so they give exactly what rounding first
/// and permuting afterwards gives. The moves are tiled so that reads and writes both stay within
/// a few cache lines at a time: VGG16's deepest kernel holds 2.4 M elements, and converting it is
/// most of an adapter's own time (perf/README.md, "Adapter overhead").
/// </summary>
public static class FloatLayout
{
    private const int Tile = 16;

    /// <summary>NHWC doubles → NCHW floats ([N,H,W,C] → [N,C,H,W]).</summary>
    public static float[] NhwcToNchw(Tensor x)
    {
        Check.Rank(x, 4, "x", "[N,H,W,C]");
        int n = x.Shape[0], hw = x.Shape[1] * x.Shape[2], c = x.Shape[3];
        var dst = GC.AllocateUninitializedArray<float>(x.Length);
        for (int b = 0; b < n; b++)
            TransposeToFloat(x.Data.AsSpan(b * hw * c, hw * c), dst.AsSpan(b * hw * c, hw * c), hw, c);
        return dst;
    }

    /// <summary>HWIO doubles → OIHW floats ([K1,K2,I,O] → [O,I,K1,K2]).</summary>
    public static float[] HwioToOihw(Tensor w)
    {
        Check.Rank(w, 4, "w", "[K1,K2,Cin,Cout]");
        int p = w.Shape[0] * w.Shape[1], ci = w.Shape[2], co = w.Shape[3];
        var src = w.Data;
        var dst = GC.AllocateUninitializedArray<float>(w.Length);
        // src[(k*ci + i)*co + o] → dst[(o*ci + i)*p + k]. A block of 8 output channels is one cache
        // line of src per (k, i), used whole; its 8 destination rows are each written in order.
        // (Tiling over i instead makes the reads 4 KB apart for 512 channels, which thrashes L1.)
        const int block = 8;
        int row = ci * p;
        // Every index below is within the arrays (w.Length = p*ci*co elements both sides), so
        // the inner loop goes without bounds checks.
        ref double s0 = ref MemoryMarshal.GetArrayDataReference(src);
        ref float d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        for (int o0 = 0; o0 < co; o0 += block)
        {
            int ob = Math.Min(block, co - o0);
            for (int i = 0; i < ci; i++)
            for (int k = 0; k < p; k++)
            {
                ref double s = ref Unsafe.Add(ref s0, (k * ci + i) * co + o0);
                ref float d = ref Unsafe.Add(ref d0, (o0 * ci + i) * p + k);
                for (int o = 0; o < ob; o++) Unsafe.Add(ref d, o * row) = (float)Unsafe.Add(ref s, o);
            }
        }
        return dst;
    }

    /// <summary>Every element rounded to float, in the same order.</summary>
    public static float[] ToFloat(Tensor t)
    {
        var src = t.Data;
        var dst = GC.AllocateUninitializedArray<float>(src.Length);
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)src[i];
        return dst;
    }

    /// <summary>NCHW floats → an NHWC double tensor ([N,C,H,W] data → [N,H,W,C]), widened exactly.</summary>
    public static Tensor NchwToNhwc(ReadOnlySpan<float> y, int n, int c, int h, int w)
    {
        if (y.Length != (long)n * c * h * w)
            throw new ArgumentException($"{y.Length} values for an NCHW tensor [{n}, {c}, {h}, {w}]", nameof(y));
        var dst = GC.AllocateUninitializedArray<double>(y.Length);
        int hw = h * w;
        for (int b = 0; b < n; b++)
            TransposeToDouble(y.Slice(b * c * hw, c * hw), dst.AsSpan(b * c * hw, c * hw), c, hw);
        return new Tensor([n, h, w, c], dst);
    }

    /// <summary>dst[j*rows + i] = (float)src[i*cols + j], tiled.</summary>
    private static void TransposeToFloat(ReadOnlySpan<double> src, Span<float> dst, int rows, int cols)
    {
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int j1 = Math.Min(cols, j0 + Tile);
                for (int j = j0; j < j1; j++)
                for (int i = i0; i < i1; i++)
                    dst[j * rows + i] = (float)src[i * cols + j];
            }
        }
    }

    /// <summary>dst[j*rows + i] = src[i*cols + j] widened, tiled.</summary>
    private static void TransposeToDouble(ReadOnlySpan<float> src, Span<double> dst, int rows, int cols)
    {
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int j1 = Math.Min(cols, j0 + Tile);
                for (int j = j0; j < j1; j++)
                for (int i = i0; i < i1; i++)
                    dst[j * rows + i] = src[i * cols + j];
            }
        }
    }
}

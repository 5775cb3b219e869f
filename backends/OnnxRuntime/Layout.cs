using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Backends.OnnxRuntime;

/// <summary>
/// Axis permutations between the catalogue's layouts (NHWC tensors, HWIO weights) and ONNX's
/// (NCHW tensors, OIHW weights). They only move elements, so they are exact and are done here in
/// C# rather than as Transpose nodes: the graph then holds nothing but the op under test.
/// </summary>
internal static class Layout
{
    /// <summary>NHWC to NCHW.</summary>
    public static readonly int[] NhwcToNchw = [0, 3, 1, 2];

    /// <summary>NCHW to NHWC.</summary>
    public static readonly int[] NchwToNhwc = [0, 2, 3, 1];

    /// <summary>HWIO (Keras kernels) to OIHW (ONNX Conv weights).</summary>
    public static readonly int[] HwioToOihw = [3, 2, 0, 1];

    /// <summary>
    /// Rounds <paramref name="t"/> to float, with its axes permuted: result axis a is source axis
    /// <paramref name="perm"/>[a]. Returns the data and the permuted shape.
    /// </summary>
    public static (float[] Data, int[] Shape) PermuteToFloat(Tensor t, int[] perm)
    {
        int rank = t.Rank;
        if (perm.Length != rank) throw new ArgumentException($"permutation of rank {perm.Length} for a rank-{rank} tensor");
        var shape = new int[rank];
        for (int a = 0; a < rank; a++) shape[a] = t.Shape[perm[a]];
        // The layer layouts take the one-pass tiled moves (the same values, in a fraction of the time).
        if (perm.SequenceEqual(NhwcToNchw)) return (FloatLayout.NhwcToNchw(t), shape);
        if (perm.SequenceEqual(HwioToOihw)) return (FloatLayout.HwioToOihw(t), shape);
        var stride = SourceStrides(t.Shape);
        // Walk the destination in row-major order, keeping the source offset in step via per-axis strides.
        var permStride = new int[rank];
        for (int a = 0; a < rank; a++) permStride[a] = stride[perm[a]];
        var data = new float[t.Length];
        var index = new int[rank];
        int source = 0;
        for (int dest = 0; dest < data.Length; dest++)
        {
            data[dest] = (float)t.Data[source];
            for (int a = rank - 1; a >= 0; a--)
            {
                index[a]++;
                source += permStride[a];
                if (index[a] < shape[a]) break;
                source -= permStride[a] * shape[a];
                index[a] = 0;
            }
        }
        return (data, shape);
    }

    /// <summary>Widens float data exactly to a double tensor, with its axes permuted as in <see cref="PermuteToFloat"/>.</summary>
    public static Tensor PermuteToDouble(ReadOnlySpan<float> data, int[] shape, int[] perm)
    {
        if (shape.Length == 4 && perm.SequenceEqual(NchwToNhwc))
            return FloatLayout.NchwToNhwc(data, shape[0], shape[1], shape[2], shape[3]);
        var widened = new Tensor(shape, new double[data.Length]);
        for (int i = 0; i < data.Length; i++) widened.Data[i] = data[i];
        if (IsIdentity(perm)) return widened;
        var (permuted, permutedShape) = PermuteToFloat(widened, perm);
        // Every value is already a float, so the round trip through float is exact.
        return Tensor.FromFloat(permutedShape, permuted);
    }

    /// <summary>Rounds every element to float, keeping the row-major order.</summary>
    public static float[] ToFloat(Tensor t) => Array.ConvertAll(t.Data, v => (float)v);

    private static bool IsIdentity(int[] perm)
    {
        for (int a = 0; a < perm.Length; a++)
            if (perm[a] != a) return false;
        return true;
    }

    private static int[] SourceStrides(int[] shape)
    {
        var stride = new int[shape.Length];
        int s = 1;
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            stride[a] = s;
            s *= shape[a];
        }
        return stride;
    }
}

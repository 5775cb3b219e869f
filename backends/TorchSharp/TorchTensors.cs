using Conformance.Reference;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Conformance.Backends.TorchSharp;

/// <summary>
/// Conversions between the catalogue's double tensors and libtorch float32 tensors. Every tensor
/// made here is native memory: callers create them inside a <c>torch.NewDisposeScope()</c>.
/// </summary>
internal static class TorchTensors
{
    /// <summary>A float32 copy of <paramref name="t"/> (each element rounded to the nearest float).</summary>
    public static TT ToTorch(Tensor t, bool requiresGrad = false)
    {
        float[] data = Array.ConvertAll(t.Data, v => (float)v);
        long[] shape = Array.ConvertAll(t.Shape, d => (long)d);
        return torch.tensor(data, shape, torch.float32, requires_grad: requiresGrad);
    }

    /// <summary>Labels (integers held as doubles, already validated) as an int64 tensor.</summary>
    public static TT ToTorchLabels(int[] labels) =>
        torch.tensor(Array.ConvertAll(labels, v => (long)v), [labels.Length], torch.int64);

    /// <summary>The values of a float32 tensor, widened exactly to double, in row-major order.</summary>
    public static Tensor FromTorch(TT t)
    {
        using var c = t.detach().to_type(torch.ScalarType.Float32).contiguous();
        int[] shape = Array.ConvertAll(c.shape, d => checked((int)d));
        // Widened straight from libtorch's storage: no managed float copy (fc1's dW is 411 MB of it).
        var result = Tensor.Zeros(shape);
        var data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(c.bytes);
        for (int i = 0; i < data.Length; i++) result.Data[i] = data[i];
        return result;
    }

    /// <summary>
    /// NHWC → NCHW with standard (channels-first) strides. A permuted view is not enough: with a
    /// single channel even <c>contiguous()</c> keeps the NHWC strides, libtorch then takes its
    /// channels-last kernel, and libtorch 2.10's CPU channels-last conv2d returns zeros for every
    /// output row after the first when the column stride exceeds the input width (batch 2,
    /// x[2,2,2,1], w[1,2,1,1], strides 1,3: found by the suite's random cases).
    /// </summary>
    public static TT NhwcToNchw(TT x) => Standard(x.permute(0, 3, 1, 2));

    /// <summary>NCHW → NHWC.</summary>
    public static TT NchwToNhwc(TT x) => x.permute(0, 2, 3, 1);

    /// <summary>HWIO (Keras) → OIHW (libtorch), with standard strides for the same reason as <see cref="NhwcToNchw"/>.</summary>
    public static TT HwioToOihw(TT w) => Standard(w.permute(3, 2, 0, 1));

    /// <summary>A copy with row-major strides; copy_ keeps it in the autograd graph.</summary>
    private static TT Standard(TT view)
    {
        var t = torch.empty(view.shape, view.dtype);
        t.copy_(view);
        return t;
    }

    /// <summary>
    /// Splits per-axis zeros before/after into the symmetric part libtorch's own <c>padding</c>
    /// argument can express and the remainder, which must be padded explicitly (libtorch pads both
    /// sides equally; same with an odd total and explicit T,B,L,R need one side more).
    /// </summary>
    public static (long[] Symmetric, long[] Extra) SplitPadding(AxisPadding rows, AxisPadding cols)
    {
        int r = Math.Min(rows.Before, rows.After), c = Math.Min(cols.Before, cols.After);
        // F.pad lists the last axis first: left, right, top, bottom.
        return ([r, c], [cols.Before - c, cols.After - c, rows.Before - r, rows.After - r]);
    }

    /// <summary>True when an explicit pad list has any non-zero entry.</summary>
    public static bool Any(long[] pads) => pads.Any(p => p != 0);
}

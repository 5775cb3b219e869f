using Conformance.Backends.Ilgpu.Kernels;
using Conformance.Reference;

namespace Conformance.Backends.Ilgpu;

/// <summary>
/// The kernels' padding and output sizes, computed here from the formulas of
/// spec/convolution.md rather than taken from the reference's Padding helper, so that the suite
/// checks this backend's reading of the spec against the reference instead of comparing the
/// reference's helper with itself. The reference's validators still run first (the callers do
/// that), so argument errors read the same on every backend.
/// </summary>
public static class DeviceGeometry
{
    /// <summary>Zeros before the input and the output size on one axis (0 rows, 1 columns).</summary>
    public static (int Before, int Output) Axis(Padding padding, int axis, int n, int window, int stride, int dilation)
    {
        int keff = (window - 1) * dilation + 1;
        int before, after;
        switch (padding.Mode)
        {
            case PaddingMode.Valid:
                before = after = 0;
                break;
            case PaddingMode.Full:
                before = after = keff - 1;
                break;
            case PaddingMode.Same:
            case PaddingMode.SameLower:
            {
                // out = ceil(n / s); the total makes the last window end at the padded input's end.
                int outSame = (n + stride - 1) / stride;
                int total = Math.Max((outSame - 1) * stride + keff - n, 0);
                int half = total / 2;
                before = padding.Mode == PaddingMode.Same ? half : total - half; // same: the odd zero goes after
                after = total - before;
                break;
            }
            default:
                before = axis == 0 ? padding.Top : padding.Left;
                after = axis == 0 ? padding.Bottom : padding.Right;
                break;
        }
        return (before, (n + before + after - keff) / stride + 1);
    }

    /// <summary>conv2d_layer's kernel shape; the call has been validated by the reference's LayerGeometry.</summary>
    public static ConvShape Layer(int[] x, int[] w, bool bias, OpAttributes a)
    {
        Pair s = a.Strides ?? Pair.Of(1);
        var (pad1, m1) = Axis(a.Padding, 0, x[1], w[0], s.Rows, a.Dilation.Rows);
        var (pad2, m2) = Axis(a.Padding, 1, x[2], w[1], s.Cols, a.Dilation.Cols);
        return new ConvShape
        {
            Batch = x[0], N1 = x[1], N2 = x[2], Cin = x[3], Cout = w[3], K1 = w[0], K2 = w[1],
            CinPerGroup = x[3] / a.Groups, CoutPerGroup = w[3] / a.Groups,
            S1 = s.Rows, S2 = s.Cols, D1 = a.Dilation.Rows, D2 = a.Dilation.Cols,
            Pad1 = pad1, Pad2 = pad2, M1 = m1, M2 = m2, Reversal = a.Reversal ? 1 : 0, HasBias = bias ? 1 : 0,
        };
    }

    /// <summary>conv2d's x[N1,N2], w[K1,K2] as a one-sample, one-channel layer.</summary>
    public static ConvShape Conv2d(int[] x, int[] w, OpAttributes a) => Layer([1, x[0], x[1], 1], [w[0], w[1], 1, 1], false, a with { Groups = 1 });

    /// <summary>
    /// conv1d's x[N], w[K] as a single row. conv1d reads the column components of strides and
    /// dilation and the left/right amounts of explicit padding, so the row axis is a plain 1.
    /// </summary>
    public static ConvShape Conv1d(int[] x, int[] w, OpAttributes a)
    {
        var one = Pair.Of(1);
        var rowless = a with
        {
            Groups = 1,
            Strides = new Pair(1, (a.Strides ?? one).Cols),
            Dilation = new Pair(1, a.Dilation.Cols),
            Padding = a.Padding.Mode == PaddingMode.Explicit ? Padding.Explicit(0, 0, a.Padding.Left, a.Padding.Right) : a.Padding,
        };
        return Layer([1, 1, x[0], 1], [1, w[0], 1, 1], false, rowless);
    }

    /// <summary>dense's x[B,Nin], w[Nin,Nout] as a 1×1 convolution over a 1×1 image.</summary>
    public static ConvShape Dense(int[] x, int[] w, bool bias) =>
        Layer([x[0], 1, 1, x[1]], [1, 1, w[0], w[1]], bias, OpAttributes.Default);

    /// <summary>A pooling call's shape; validated by the reference's PoolGeometry.</summary>
    public static PoolShape Pool(int[] x, OpAttributes a)
    {
        Pair pool = a.Pool!.Value, s = a.Strides ?? pool;
        var (pad1, m1) = Axis(a.Padding, 0, x[1], pool.Rows, s.Rows, 1);
        var (pad2, m2) = Axis(a.Padding, 1, x[2], pool.Cols, s.Cols, 1);
        return new PoolShape
        {
            Batch = x[0], N1 = x[1], N2 = x[2], Channels = x[3], P1 = pool.Rows, P2 = pool.Cols,
            S1 = s.Rows, S2 = s.Cols, Pad1 = pad1, Pad2 = pad2, M1 = m1, M2 = m2,
        };
    }
}

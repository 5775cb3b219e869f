namespace Conformance.Backends.Ilgpu.Kernels;

// Kernel parameters. They must be public types with public fields: ILGPU 1.5.3's argument mapper
// fails at load with "TypeLoadException: Access is denied" for a non-public parameter type.

/// <summary>
/// One convolution as the kernels see it: x[Batch,N1,N2,Cin] (NHWC), w[K1,K2,Cin/G,Cout] (HWIO),
/// y[Batch,M1,M2,Cout]. conv1d, conv2d and dense are the special cases with unit axes.
/// </summary>
public struct ConvShape
{
    /// <summary>Batch size.</summary>
    public int Batch;
    /// <summary>Input rows and columns.</summary>
    public int N1, N2;
    /// <summary>Input and output channels.</summary>
    public int Cin, Cout;
    /// <summary>Kernel rows and columns.</summary>
    public int K1, K2;
    /// <summary>Channels per group, input and output.</summary>
    public int CinPerGroup, CoutPerGroup;
    /// <summary>Strides and dilation, rows then columns.</summary>
    public int S1, S2, D1, D2;
    /// <summary>Zeros before the input (top, left); zeros after are implied by M1, M2.</summary>
    public int Pad1, Pad2;
    /// <summary>Output rows and columns.</summary>
    public int M1, M2;
    /// <summary>1 when the kernel is flipped in both spatial axes (signal-processing convolution).</summary>
    public int Reversal;
    /// <summary>1 when a bias is added.</summary>
    public int HasBias;

    /// <summary>Elements of x.</summary>
    public readonly int InputLength => Batch * N1 * N2 * Cin;

    /// <summary>Elements of w.</summary>
    public readonly int WeightLength => K1 * K2 * CinPerGroup * Cout;

    /// <summary>Elements of y (and dy).</summary>
    public readonly int OutputLength => Batch * M1 * M2 * Cout;
}

/// <summary>One pooling call: x[Batch,N1,N2,Channels] → y[Batch,M1,M2,Channels], window P1×P2.</summary>
public struct PoolShape
{
    /// <summary>Batch size.</summary>
    public int Batch;
    /// <summary>Input rows and columns.</summary>
    public int N1, N2;
    /// <summary>Channels.</summary>
    public int Channels;
    /// <summary>Window rows and columns.</summary>
    public int P1, P2;
    /// <summary>Strides, rows then columns.</summary>
    public int S1, S2;
    /// <summary>Zeros before the input (top, left); padded positions never count.</summary>
    public int Pad1, Pad2;
    /// <summary>Output rows and columns.</summary>
    public int M1, M2;

    /// <summary>Elements of y (and dy).</summary>
    public readonly int OutputLength => Batch * M1 * M2 * Channels;
}

/// <summary>Rows of logits for softmax and cross-entropy: x[Rows, Classes].</summary>
public struct RowShape
{
    /// <summary>Number of rows (the batch for cross-entropy).</summary>
    public int Rows;
    /// <summary>Length of each row (the last axis).</summary>
    public int Classes;
    /// <summary>The upstream gradient dy of cross-entropy backward (1 when absent).</summary>
    public float Upstream;
}

/// <summary>
/// The position of a flat index in a row-major tensor of four axes, e.g. (sample, row, column,
/// channel) of NHWC or (k1, k2, n, m) of HWIO: how every one-thread-per-element kernel finds its element.
/// </summary>
public struct Position4
{
    /// <summary>The indices along the four axes, outermost first.</summary>
    public int A, B, C, D;

    /// <summary>The position of <paramref name="flat"/> in a tensor whose three inner extents are <paramref name="nb"/>, <paramref name="nc"/>, <paramref name="nd"/>.</summary>
    public static Position4 Of(int flat, int nb, int nc, int nd)
    {
        Position4 at;
        at.D = flat % nd;
        int t = flat / nd;
        at.C = t % nc;
        t /= nc;
        at.B = t % nb;
        at.A = t / nb;
        return at;
    }
}

namespace Conformance.Backends.Ilgpu.Kernels;

// Parameters and register types of the implicit-GEMM convolution kernels (ConvGemmKernels.cs).
// Public types with public fields only: ILGPU 1.5.3 fails to load a kernel whose parameter type
// is not public ("TypeLoadException: Access is denied").

/// <summary>
/// Four floats: a view cast to this type (<c>view.Cast&lt;Float4&gt;()</c>) reads and writes 16
/// bytes per access (ld/st .v4.f32 in PTX), which needs the element's float index to be a multiple of 4.
/// </summary>
public struct Float4
{
    /// <summary>The four components, in memory order.</summary>
    public float X, Y, Z, W;
}

/// <summary>
/// One convolution pass as an implicit GEMM, C = A·B per group, with A gathered from an NHWC tensor
/// (never materialised as im2col):
/// <list type="bullet">
/// <item>M = Batch·OutRows·OutCols output positions (b, i1, i2); K = K1·K2·GroupChannels taps (k1, k2, c);
/// N = GroupColumns columns per group.</item>
/// <item>A[m, k] = T[b, t1/Div1, t2/Div2, g·GroupChannels + c] with t = i·Step + k·Tap + Offset on each
/// axis, and 0 unless t ≥ 0, t divisible by Div and t/Div inside T: zero padding and stride holes.</item>
/// <item>B[k, n] = B[k·Ldb + g·GroupColumns + n]; C[m, n] = C[m·Ldc + g·GroupColumns + n] (+ bias).</item>
/// </list>
/// Forward: T = x, Step = stride, Tap = dilation, Offset = −pad, Div = 1, B = w (HWIO is K×Cout).
/// Backward data: T = dy, Step = 1, Tap = −dilation, Offset = pad, Div = stride (the output position r
/// receives from i = (r + pad − k·d)/s when that divides), B = the kernel transposed per tap, K×Cin.
/// Backward weights reads the forward's A and dy as B, and reduces over M instead (see ConvGemmKernels).
/// </summary>
public struct GemmShape
{
    /// <summary>The gathered tensor T[Batch, InRows, InCols, InChannels].</summary>
    public int Batch, InRows, InCols, InChannels;
    /// <summary>The output grid of positions (rows of C per sample).</summary>
    public int OutRows, OutCols;
    /// <summary>Kernel taps and the channels of T one group reads.</summary>
    public int K1, K2, GroupChannels;
    /// <summary>The gather: t = i·Step + k·Tap + Offset, per axis (rows 1, columns 2).</summary>
    public int Step1, Step2, Tap1, Tap2, Offset1, Offset2;
    /// <summary>Divisors of t (the stride for backward data, else 1).</summary>
    public int Div1, Div2;
    /// <summary>Columns of C (and of B) per group, and the number of groups.</summary>
    public int GroupColumns, Groups;
    /// <summary>Row strides of B and C in floats.</summary>
    public int Ldb, Ldc;
    /// <summary>1 when bias[g·GroupColumns + n] is added to C.</summary>
    public int HasBias;
    /// <summary>1 when GroupChannels, InChannels, GroupColumns, Ldb and Ldc are multiples of 4: 128-bit loads and stores.</summary>
    public int Vector;
    /// <summary>Backward weights: the reduction over M is cut into Splits slices of SplitStages stages (of 16 positions in v2, 8 in v3).</summary>
    public int Splits, SplitStages;

    /// <summary>Rows of C: output positions.</summary>
    public readonly int M => Batch * OutRows * OutCols;

    /// <summary>The reduction length of forward and backward data; the rows of C for backward weights.</summary>
    public readonly int K => K1 * K2 * GroupChannels;
}

/// <summary>
/// A sum of split-K partials, P[Splits, K1·K2·Channels, Columns], into the output, in split order
/// 0, 1, 2, … (fixed, so results repeat bitwise); with Reversal the taps are stored flipped
/// (dw of a reversed kernel). The bias gradient uses it with K1 = K2 = Channels = 1.
/// </summary>
public struct ReduceShape
{
    /// <summary>Number of partials per element.</summary>
    public int Splits;
    /// <summary>Taps and channels of a row (k1, k2, c).</summary>
    public int K1, K2, Channels;
    /// <summary>Columns (output channels).</summary>
    public int Columns;
    /// <summary>1 to flip both tap axes on the way out.</summary>
    public int Reversal;
    /// <summary>For the bias partials: rows of dy each split sums, and all rows.</summary>
    public int RowsPerSplit, Rows;

    /// <summary>Elements of the output.</summary>
    public readonly int Length => K1 * K2 * Channels * Columns;
}

/// <summary>
/// How the weights w[K1, K2, CinPerGroup, Cout] become B: flipped taps (forward with reversal), or
/// for backward data per tap and group the CinPerGroup×CoutPerGroup block transposed, so B is
/// [K1·K2·CoutPerGroup, Cin] (with the taps flipped too when Reversal is set).
/// </summary>
public struct WeightLayout
{
    /// <summary>The kernel's shape.</summary>
    public int K1, K2, CinPerGroup, Cout, CoutPerGroup;
    /// <summary>1 when the taps are read flipped.</summary>
    public int Reversal;
    /// <summary>1 for the transposed layout of backward data, 0 for flipped taps only.</summary>
    public int Transpose;

    /// <summary>Elements of w (and of B).</summary>
    public readonly int Length => K1 * K2 * CinPerGroup * Cout;
}

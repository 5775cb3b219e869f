namespace Conformance.Core.Backends;

/// <summary>
/// What a backend's arithmetic is, as the error model of spec/numerics.md needs it: the rounding
/// unit of its inputs and of its accumulator, the underflow threshold, and the convolution
/// algorithm it may use (which changes the bound of eligible conv2d_layer calls).
/// </summary>
/// <param name="Name">A short label, e.g. fp32.</param>
/// <param name="InputUnit">u_in: the unit roundoff of the format the backend rounds inputs to (2^-24 fp32, 2^-11 TF32, 2^-8 bf16).</param>
/// <param name="AccumulationUnit">u_acc: the unit roundoff of the accumulator.</param>
/// <param name="MinNormal">The smallest normal number of the accumulator; a backend that flushes subnormals loses up to this per operation.</param>
public sealed record PrecisionClass(string Name, double InputUnit, double AccumulationUnit, double MinNormal)
{
    /// <summary>
    /// The algorithm the backend may use for conv2d_layer and conv2d_layer_backward (other ops
    /// ignore it). With <see cref="ConvolutionAlgorithm.WinogradF2x2K3x3"/> every element of y and
    /// dx of an eligible call is held to the larger of the direct and the Winograd bound, so a
    /// backend that picks the algorithm per call stays within its bound either way.
    /// </summary>
    public ConvolutionAlgorithm Algorithm { get; init; } = ConvolutionAlgorithm.Direct;

    /// <summary>The precision for people: <see cref="Name"/>, followed by the algorithm when it is not direct ("fp32 Winograd F(2×2,3×3)").</summary>
    public string Label => Algorithm switch
    {
        ConvolutionAlgorithm.Direct => Name,
        ConvolutionAlgorithm.WinogradF2x2K3x3 => $"{Name} Winograd F(2×2,3×3)",
        _ => $"{Name} {Algorithm}",
    };

    /// <summary>The ops whose calls <see cref="Algorithm"/> applies to; every other op is judged by its own bound whatever the algorithm.</summary>
    public static readonly IReadOnlySet<string> AlgorithmOps = new HashSet<string> { "conv2d_layer", "conv2d_layer_backward" };

    /// <summary>The label of this class as <paramref name="op"/> is judged in it: <see cref="Label"/> for the convolution layer ops, <see cref="Name"/> for the others.</summary>
    public string LabelFor(string op) => AlgorithmOps.Contains(op) ? Label : Name;

    /// <summary>IEEE double everywhere (the reference itself).</summary>
    public static readonly PrecisionClass Fp64 = new("fp64", Math.Pow(2, -53), Math.Pow(2, -53), double.Epsilon * Math.Pow(2, 52));

    /// <summary>IEEE single inputs and accumulation.</summary>
    public static readonly PrecisionClass Fp32 = new("fp32", Math.Pow(2, -24), Math.Pow(2, -24), Math.Pow(2, -126));

    /// <summary>TF32 inputs (10-bit mantissa) with fp32 accumulation.</summary>
    public static readonly PrecisionClass Tf32 = new("tf32", Math.Pow(2, -11), Math.Pow(2, -24), Math.Pow(2, -126));

    /// <summary>bf16 inputs (7-bit mantissa) with fp32 accumulation.</summary>
    public static readonly PrecisionClass Bf16 = new("bf16", Math.Pow(2, -8), Math.Pow(2, -24), Math.Pow(2, -126));

    /// <summary>Significand bits (with the implicit one) of the input format: u_in = 2^-bits.</summary>
    public int InputBits => (int)Math.Round(-Math.Log2(InputUnit));

    /// <summary>
    /// Rounds a value to the nearest one the backend's input format represents (ties to even),
    /// so the harness can give the reference and the backend the very same numbers.
    /// </summary>
    public double RoundToInput(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v)) return v;
        int bits = InputBits;
        double r = bits >= 53 ? v : bits >= 24 ? (double)(float)v : RoundToBits((float)v, bits);
        return r;
    }

    private static double RoundToBits(float v, int bits)
    {
        // Keep `bits` significand bits of a float: round-to-nearest-even on the dropped low bits.
        int drop = 24 - bits;
        uint u = BitConverter.SingleToUInt32Bits(v);
        uint half = 1u << (drop - 1), mask = (1u << drop) - 1, lowest = (u >> drop) & 1;
        uint rounded = (u + half - 1 + lowest) & ~mask;
        return BitConverter.UInt32BitsToSingle(rounded);
    }
}

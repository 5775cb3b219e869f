namespace Conformance.Reference;

/// <summary>Boundary modes shared by every convolution and pooling op (spec/convolution.md).</summary>
public enum PaddingMode
{
    /// <summary>No padding: out = floor((N − Keff)/s) + 1.</summary>
    Valid,
    /// <summary>out = ceil(N/s); an odd total pads one more zero at the end (TF/Keras, PyTorch, ONNX SAME_UPPER).</summary>
    Same,
    /// <summary>out = ceil(N/s); an odd total pads one more zero at the start (ONNX SAME_LOWER).</summary>
    SameLower,
    /// <summary>Keff − 1 zeros on both sides.</summary>
    Full,
    /// <summary>Given zeros per side: top, bottom, left, right (1D: left, right).</summary>
    Explicit,
}

/// <summary>A boundary mode, with the per-side amounts when it is explicit.</summary>
public sealed record Padding(PaddingMode Mode, int Top = 0, int Bottom = 0, int Left = 0, int Right = 0)
{
    /// <summary>valid.</summary>
    public static readonly Padding Valid = new(PaddingMode.Valid);
    /// <summary>same (extra zero at the end).</summary>
    public static readonly Padding Same = new(PaddingMode.Same);
    /// <summary>same_lower (extra zero at the start).</summary>
    public static readonly Padding SameLower = new(PaddingMode.SameLower);
    /// <summary>full.</summary>
    public static readonly Padding Full = new(PaddingMode.Full);

    /// <summary>Explicit zeros per side.</summary>
    public static Padding Explicit(int top, int bottom, int left, int right) =>
        new(PaddingMode.Explicit, top, bottom, left, right);

    /// <summary>Parses valid | same | same_lower | full | T,B,L,R (or L,R for 1D).</summary>
    public static Padding Parse(string text)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "valid": return Valid;
            case "same": return Same;
            case "same_lower": return SameLower;
            case "full": return Full;
        }
        string[] parts = text.Split(',');
        if ((parts.Length == 4 || parts.Length == 2) && parts.All(p => int.TryParse(p.Trim(), out _)))
        {
            int[] v = parts.Select(p => int.Parse(p.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (v.Any(p => p < 0))
                throw new OpArgumentException("padding", "non-negative explicit padding", text);
            return v.Length == 4 ? Explicit(v[0], v[1], v[2], v[3]) : Explicit(0, 0, v[0], v[1]);
        }
        throw new OpArgumentException("padding", "valid, same, same_lower, full or T,B,L,R", $"'{text}'");
    }

    /// <inheritdoc />
    public override string ToString() => Mode switch
    {
        PaddingMode.Valid => "valid",
        PaddingMode.Same => "same",
        PaddingMode.SameLower => "same_lower",
        PaddingMode.Full => "full",
        _ => $"{Top},{Bottom},{Left},{Right}",
    };

    /// <summary>
    /// The one helper that turns a mode into zeros before and after, and the output size, for one
    /// axis. <paramref name="axis"/> 0 is rows (top/bottom), 1 is columns (left/right).
    /// Every convolution and pooling op calls this; nothing else computes padding.
    /// </summary>
    public AxisPadding Resolve(int axis, int inputSize, int windowSize, int stride, int dilation, string argument)
    {
        if (stride < 1) throw new OpArgumentException("strides", "positive strides", stride.ToString());
        if (dilation < 1) throw new OpArgumentException("dilation", "positive dilation", dilation.ToString());
        if (windowSize < 1) throw new OpArgumentException(argument, "a window of at least 1", windowSize.ToString());
        long keff = (long)(windowSize - 1) * dilation + 1;
        long before, after;
        switch (Mode)
        {
            case PaddingMode.Valid:
                before = after = 0;
                break;
            case PaddingMode.Full:
                before = after = keff - 1;
                break;
            case PaddingMode.Same:
            case PaddingMode.SameLower:
                long outSame = (inputSize + (long)stride - 1) / stride;
                long total = Math.Max((outSame - 1) * stride + keff - inputSize, 0);
                before = Mode == PaddingMode.Same ? total / 2 : total - total / 2;
                after = total - before;
                break;
            default:
                before = axis == 0 ? Top : Left;
                after = axis == 0 ? Bottom : Right;
                // Explicit() and the record constructor do not go through Parse's check.
                if (before < 0 || after < 0)
                    throw new OpArgumentException("padding", "non-negative explicit padding", ToString());
                break;
        }
        long padded = inputSize + before + after;
        long outSize = padded < keff ? 0 : (padded - keff) / stride + 1;
        if (outSize < 1)
            throw new OpArgumentException(argument,
                $"an effective window (K−1)·d+1 = {keff} no larger than the padded input {padded} on axis {axis} (padding {this})",
                $"input size {inputSize}, window {windowSize}, dilation {dilation}");
        if (outSize > int.MaxValue || before > int.MaxValue)
            throw new OpArgumentException(argument, "an output size that fits in int", outSize.ToString());
        return new AxisPadding((int)before, (int)after, (int)outSize);
    }
}

/// <summary>Zeros before and after the input on one axis, and the resulting output size.</summary>
public readonly record struct AxisPadding(int Before, int After, int OutputSize);

namespace Conformance.Reference;

/// <summary>
/// A dense row-major tensor of doubles. Layer tensors are NHWC and weights HWIO, as in Keras.
/// Inputs may be built from float or double data; the reference always computes in double.
/// </summary>
public sealed class Tensor
{
    /// <summary>The extent of each axis; an empty shape is a scalar with one element.</summary>
    public int[] Shape { get; }

    /// <summary>The elements in row-major (C) order.</summary>
    public double[] Data { get; }

    /// <summary>Creates a tensor over <paramref name="data"/> (not copied).</summary>
    public Tensor(int[] shape, double[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        foreach (int d in shape)
            if (d < 0) throw new OpArgumentException("shape", "non-negative extents", Format(shape));
        long size = SizeOf(shape, "shape");
        if (size != data.Length)
            throw new OpArgumentException("data", $"{size} elements for shape {Format(shape)}", $"{data.Length} elements");
        Shape = (int[])shape.Clone();
        Data = data;
    }

    /// <summary>Creates a tensor from single-precision data, widened exactly to double.</summary>
    public static Tensor FromFloat(int[] shape, float[] data) =>
        new(shape, Array.ConvertAll(data, v => (double)v));

    /// <summary>A tensor of zeros; the size is checked for overflow before allocating.</summary>
    public static Tensor Zeros(params int[] shape) => new(shape, new double[SizeOf(shape, "shape")]);

    /// <summary>Number of axes.</summary>
    public int Rank => Shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Element access by full index (row-major).</summary>
    public double this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary>Element access for rank-2 tensors without allocating an index array.</summary>
    public double this[int i, int j]
    {
        get => Data[Offset2(i, j)];
        set => Data[Offset2(i, j)] = value;
    }

    /// <summary>Element access for rank-4 tensors (NHWC, HWIO) without allocating an index array.</summary>
    public double this[int i, int j, int k, int l]
    {
        get => Data[Offset4(i, j, k, l)];
        set => Data[Offset4(i, j, k, l)] = value;
    }

    private int Offset2(int i, int j)
    {
        if (Shape.Length != 2 || (uint)i >= (uint)Shape[0] || (uint)j >= (uint)Shape[1])
            return Offset([i, j]);
        return i * Shape[1] + j;
    }

    private int Offset4(int i, int j, int k, int l)
    {
        int[] s = Shape;
        if (s.Length != 4 || (uint)i >= (uint)s[0] || (uint)j >= (uint)s[1] || (uint)k >= (uint)s[2] || (uint)l >= (uint)s[3])
            return Offset([i, j, k, l]);
        return ((i * s[1] + j) * s[2] + k) * s[3] + l;
    }

    /// <summary>The row-major offset of a full index.</summary>
    public int Offset(params int[] index)
    {
        if (index.Length != Shape.Length)
            throw new OpArgumentException("index", $"{Shape.Length} indices", $"{index.Length}");
        int offset = 0;
        for (int a = 0; a < index.Length; a++)
        {
            if ((uint)index[a] >= (uint)Shape[a])
                throw new IndexOutOfRangeException($"index {index[a]} on axis {a} of extent {Shape[a]}");
            offset = offset * Shape[a] + index[a];
        }
        return offset;
    }

    /// <summary>The full index of a row-major offset.</summary>
    public int[] IndexOf(int offset)
    {
        var index = new int[Shape.Length];
        for (int a = Shape.Length - 1; a >= 0; a--)
        {
            index[a] = Shape[a] == 0 ? 0 : offset % Shape[a];
            offset = Shape[a] == 0 ? 0 : offset / Shape[a];
        }
        return index;
    }

    /// <summary>A new tensor with <paramref name="f"/> applied to every element.</summary>
    public Tensor Map(Func<double, double> f) => new(Shape, Array.ConvertAll(Data, v => f(v)));

    /// <summary>Element-wise absolute value, used for the error bound's magnitude term.</summary>
    public Tensor Abs() => Map(Math.Abs);

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new(Shape, (double[])Data.Clone());

    /// <summary>The same data under another shape with the same element count.</summary>
    public Tensor Reshape(params int[] shape) => new(shape, Data);

    /// <summary>True when shapes match and every element is bitwise equal.</summary>
    public bool BitwiseEquals(Tensor other) =>
        Shape.SequenceEqual(other.Shape) &&
        Data.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(other.Data.Select(BitConverter.DoubleToInt64Bits));

    /// <summary>Product of extents, checked so that overflow is an error rather than a wrong allocation.</summary>
    public static int SizeOf(int[] shape, string argument)
    {
        long size = 1;
        foreach (int d in shape)
        {
            size = checked(size * Math.Max(d, 0));
            if (size > Array.MaxLength)
                throw new OpArgumentException(argument, $"at most {Array.MaxLength} elements", $"shape {Format(shape)}");
        }
        return (int)size;
    }

    /// <summary>Formats a shape as [a, b, c].</summary>
    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <inheritdoc />
    public override string ToString() => $"Tensor{Format(Shape)}";
}

using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>
/// The statistics a golden keeps of every tensor (spec/vgg16.md, "Golden files"): mean,
/// population standard deviation, min, max and L2 norm, summed in double in element order so
/// that they are the same on every run.
/// </summary>
public sealed record TensorStats(double Mean, double Std, double Min, double Max, double L2)
{
    /// <summary>The column names of a stats row, in order.</summary>
    public static readonly IReadOnlyList<string> Names = ["mean", "std", "min", "max", "l2"];

    /// <summary>The statistics of <paramref name="t"/>; NaN propagates into every sum, so a NaN tensor cannot look normal.</summary>
    public static TensorStats Of(Tensor t)
    {
        double sum = 0, squares = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in t.Data)
        {
            sum += v;
            squares += v * v;
            // Math.Min/Max return NaN when either argument is NaN.
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        double mean = sum / t.Length, centred = 0;
        foreach (double v in t.Data) centred += (v - mean) * (v - mean);
        return new TensorStats(mean, Math.Sqrt(centred / t.Length), min, max, Math.Sqrt(squares));
    }

    /// <summary>The row as stored in stats.npy: mean, std, min, max, l2.</summary>
    public double[] ToArray() => [Mean, Std, Min, Max, L2];

    /// <summary>Reads a stats row.</summary>
    public static TensorStats FromArray(ReadOnlySpan<double> row) => new(row[0], row[1], row[2], row[3], row[4]);
}

/// <summary>
/// The fixed positions at which goldens keep values (spec/vgg16.md): every corner of the tensor
/// (first or last index on each axis, where padding and layout slips show first), then positions
/// drawn by <see cref="CounterRandom"/> until there are <see cref="Count"/>.
/// </summary>
public static class SamplePositions
{
    /// <summary>Positions per tensor; a tensor with fewer elements repeats some.</summary>
    public const int Count = 32;

    /// <summary>The generator seed of the positions, independent of the weights' seed.</summary>
    public const ulong Seed = 7;

    /// <summary>Row-major offsets into a tensor of <paramref name="shape"/> for the step with stream number <paramref name="stream"/>.</summary>
    public static long[] For(int[] shape, int stream)
    {
        long total = shape.Aggregate(1L, (a, d) => a * d);
        var positions = new List<long>();
        // Corners over every axis; an axis of extent 1 (the batch) gives the same index twice, kept once.
        for (int corner = 0; corner < 1 << shape.Length && positions.Count < Count; corner++)
        {
            long offset = 0;
            for (int a = 0; a < shape.Length; a++)
                offset = offset * shape[a] + (corner >> (shape.Length - 1 - a) & 1) * (shape[a] - 1);
            if (!positions.Contains(offset)) positions.Add(offset);
        }
        for (int j = 0; positions.Count < Count; j++)
            positions.Add((long)Math.Floor(CounterRandom.Uniform(Seed, stream, j) * total));
        return positions.ToArray();
    }
}

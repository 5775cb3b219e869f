using System.Globalization;
using Conformance.Reference;

namespace Conformance.Core.Numerics;

/// <summary>
/// What the failing elements of one output have in common, in words that point at a cause: how
/// many exceed the bound, whether they sit on one border, one index of an axis (a row, a column, a
/// channel, a batch item), whether their typical relative error is that of rounding the inputs
/// to TF32 (2^-11 at most, less when many roundings cancel) or bf16 (2^-8), and how many of them
/// are NaN or ±∞ on one side only.
/// </summary>
public static class Diagnosis
{
    /// <summary>The diagnosis lines for an output (empty when every element is within its bound).</summary>
    public static IReadOnlyList<string> Of(Tensor expected, Tensor actual, Tensor bound)
    {
        if (!expected.Shape.SequenceEqual(actual.Shape)) return [];
        var failing = Enumerable.Range(0, expected.Length)
            .Where(i => Comparison.Ratio(expected.Data[i], actual.Data[i], bound.Data[i]) > 1).ToList();
        if (failing.Count == 0) return [];
        var lines = new List<string> { $"{failing.Count} of {expected.Length} elements exceed the bound" };
        int[] shape = expected.Shape;
        for (int axis = 0; axis < shape.Length; axis++)
        {
            if (shape[axis] < 2) continue;
            var indices = failing.Select(i => expected.IndexOf(i)[axis]).Distinct().ToList();
            if (indices.Count != 1) continue;
            int at = indices[0];
            string where = at == shape[axis] - 1 ? "the last index" : at == 0 ? "the first index" : $"index {at}";
            lines.Add($"all of them at {where} of axis {axis} ({AxisName(shape.Length, axis)}, extent {shape[axis]})" +
                (at == 0 || at == shape[axis] - 1 ? ": a border, as a padding split or an off-by-one would give" : ""));
        }
        int[] spatial = shape.Length == 4 ? [1, 2] : shape.Length == 2 ? [0, 1] : [];
        if (spatial.Length == 2 && lines.Count == 1 && failing.All(i => OnBorder(expected.IndexOf(i), shape, spatial)))
            lines.Add("all of them on the border (first or last row or column): as padding on one side, missing or doubled, would give");
        var relative = failing.Where(i => expected.Data[i] != 0 && double.IsFinite(expected.Data[i]) && double.IsFinite(actual.Data[i]))
            .Select(i => Math.Abs(actual.Data[i] - expected.Data[i]) / Math.Abs(expected.Data[i])).Order().ToList();
        if (relative.Count > 0)
        {
            double median = relative[relative.Count / 2];
            // TF32 keeps 10 fraction bits (u = 2^-11), bf16 7 (u = 2^-8). A sum of n products of rounded
            // inputs errs by about u/√n to 2u relative (the roundings partly cancel), hence the wide bands.
            string hint = median > Math.Pow(2, -17) && median < Math.Pow(2, -9) ? ": about 2^-11, what rounding the inputs to TF32 gives (declare --precision tf32 if that is intended)"
                : median >= Math.Pow(2, -9) && median < Math.Pow(2, -5) ? ": about 2^-8, what rounding the inputs to bf16 gives (declare --precision bf16 if that is intended)"
                : "";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"typical relative error of those elements {median:G3}{hint}"));
        }
        // Said apart because no rounding explains them: a NaN or ±∞ the reference does not have, or a
        // special value of the reference (spec/special-values.md) the output lost.
        var spurious = failing.Where(i => double.IsFinite(expected.Data[i]) && !double.IsFinite(actual.Data[i])).ToList();
        if (spurious.Count > 0)
            lines.Add($"{spurious.Count} of them NaN or ±∞ where the reference is finite (first at {Tensor.Format(expected.IndexOf(spurious[0]))})");
        var lost = failing.Where(i => !double.IsFinite(expected.Data[i])).ToList();
        if (lost.Count > 0)
            lines.Add($"{lost.Count} of them where the reference is NaN or ±∞ (first at {Tensor.Format(expected.IndexOf(lost[0]))}): " +
                $"see {SpecialValues.SpecSection} for what each op owes there");
        return lines;
    }

    private static bool OnBorder(int[] index, int[] shape, int[] axes) =>
        axes.Any(a => shape[a] > 1 && (index[a] == 0 || index[a] == shape[a] - 1));

    private static string AxisName(int rank, int axis) => (rank, axis) switch
    {
        (4, 0) => "batch", (4, 1) => "rows", (4, 2) => "columns", (4, 3) => "channels",
        (2, 0) => "rows", (2, 1) => "columns",
        _ => $"axis {axis}",
    };
}

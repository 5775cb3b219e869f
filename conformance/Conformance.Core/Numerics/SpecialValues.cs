using Conformance.Reference;

namespace Conformance.Core.Numerics;

/// <summary>
/// How many NaN, +∞ and −∞ one tensor holds and where the first of each is, so that the commands
/// that take a user's arrays (eval, compare) can say when the special-value rules of
/// spec/numerics.md apply to them.
/// </summary>
/// <param name="NaN">Number of NaN elements.</param>
/// <param name="PlusInfinity">Number of +∞ elements.</param>
/// <param name="MinusInfinity">Number of −∞ elements.</param>
/// <param name="FirstNaN">Index of the first NaN in row-major order, or null.</param>
/// <param name="FirstPlusInfinity">Index of the first +∞, or null.</param>
/// <param name="FirstMinusInfinity">Index of the first −∞, or null.</param>
public sealed record SpecialValues(
    int NaN, int PlusInfinity, int MinusInfinity, int[]? FirstNaN, int[]? FirstPlusInfinity, int[]? FirstMinusInfinity)
{
    /// <summary>The section of the spec that says what each op does with NaN and ±∞.</summary>
    public const string SpecSection = "spec/special-values.md";

    /// <summary>True when the tensor holds at least one NaN or infinity.</summary>
    public bool Any => NaN + PlusInfinity + MinusInfinity > 0;

    /// <summary>Whether <paramref name="t"/> holds a NaN or an infinity (stops at the first).</summary>
    public static bool AnyIn(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        foreach (double v in t.Data)
            if (!double.IsFinite(v)) return true;
        return false;
    }

    /// <summary>Counts the special values of <paramref name="t"/>.</summary>
    public static SpecialValues Of(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        int nan = 0, plus = 0, minus = 0;
        int firstNaN = -1, firstPlus = -1, firstMinus = -1;
        for (int i = 0; i < t.Length; i++)
        {
            double v = t.Data[i];
            if (double.IsNaN(v)) { if (nan++ == 0) firstNaN = i; }
            else if (double.IsPositiveInfinity(v)) { if (plus++ == 0) firstPlus = i; }
            else if (double.IsNegativeInfinity(v)) { if (minus++ == 0) firstMinus = i; }
        }
        int[]? At(int i) => i < 0 ? null : t.IndexOf(i);
        return new SpecialValues(nan, plus, minus, At(firstNaN), At(firstPlus), At(firstMinus));
    }

    /// <summary>
    /// One line for a person, or null when the tensor holds none:
    /// <c>note: x holds 1 NaN (first at [0, 2, 3, 1]) and 2 +∞ (first at [0, 0, 1, 0]): the outputs that depend on them follow spec/special-values.md</c>.
    /// </summary>
    /// <param name="name">The input's name (x, w, b, dy).</param>
    /// <param name="t">The input.</param>
    public static string? Note(string name, Tensor t)
    {
        var s = Of(t);
        if (!s.Any) return null;
        var parts = new List<string>();
        if (s.NaN > 0) parts.Add($"{s.NaN} NaN (first at {Tensor.Format(s.FirstNaN!)})");
        if (s.PlusInfinity > 0) parts.Add($"{s.PlusInfinity} +∞ (first at {Tensor.Format(s.FirstPlusInfinity!)})");
        if (s.MinusInfinity > 0) parts.Add($"{s.MinusInfinity} −∞ (first at {Tensor.Format(s.FirstMinusInfinity!)})");
        string list = parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1];
        return $"note: {name} holds {list}: the outputs that depend on them follow {SpecSection}";
    }
}

using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Cli;

/// <summary>
/// The notes eval and compare print when an input holds NaN or ±∞: one line per such input on
/// standard error, beside the report rather than in it, so scripts reading standard output and
/// the exit code see no change.
/// </summary>
public static class SpecialValueNotes
{
    /// <summary>Writes the note of every input (labels excepted: NaN labels are an argument error) in name order.</summary>
    public static void Write(TextWriter error, IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var (name, tensor) in inputs.Where(kv => kv.Key != "labels").OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (SpecialValues.Note(name, tensor) is { } line)
                error.WriteLine(line);
    }
}

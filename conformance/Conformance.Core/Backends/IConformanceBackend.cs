using Conformance.Reference;

namespace Conformance.Core.Backends;

/// <summary>Whether a backend computes a given call, and if not, why.</summary>
public readonly record struct Support(bool IsSupported, string Reason)
{
    /// <summary>Supported.</summary>
    public static readonly Support Yes = new(true, "");

    /// <summary>Not supported, with the reason shown in the skip.</summary>
    public static Support No(string reason) => new(false, reason);
}

/// <summary>One call of a catalogued op: the op name, named inputs (x, w, b, dy, labels) and attributes.</summary>
public sealed record OpCall(string Op, IReadOnlyDictionary<string, Tensor> Inputs, OpAttributes Attributes)
{
    /// <summary>The catalogue entry of <see cref="Op"/>.</summary>
    public OpInfo Info => OpCatalog.Get(Op);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Op}({string.Join(", ", Inputs.Select(kv => kv.Key + Tensor.Format(kv.Value.Shape)))}; {Attributes})";
}

/// <summary>What a backend is: its device, precision and determinism.</summary>
/// <param name="Device">Where it computes, e.g. "cpu (libtorch 2.10.0)".</param>
/// <param name="Precision">Its arithmetic, for the error bound.</param>
/// <param name="Deterministic">False when repeated calls may legitimately differ (atomics, autotuning).</param>
public sealed record BackendCapabilities(string Device, PrecisionClass Precision, bool Deterministic = true);

/// <summary>
/// The contract a backend implements: the catalogued ops it supports, each as named tensors in and
/// named tensors out (the names and layouts of the catalogue, spec/). Backends know nothing of
/// xunit; the suite and the CLI drive them through this interface alone.
/// </summary>
public interface IConformanceBackend : IDisposable
{
    /// <summary>The command-line name, e.g. torchsharp.</summary>
    string Name { get; }

    /// <summary>Device, precision class and determinism.</summary>
    BackendCapabilities Capabilities { get; }

    /// <summary>
    /// Whether this backend computes <paramref name="call"/> (op, attribute values, shapes).
    /// Unsupported calls are reported as skipped with the reason, never as passed or failed.
    /// </summary>
    Support Supports(OpCall call);

    /// <summary>
    /// Computes the call and returns every output the catalogue lists for the op (y, or dx/dw/db,
    /// or loss), as double tensors holding the backend's values exactly.
    /// </summary>
    IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call);
}

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
/// <param name="Precision">Its arithmetic, for the error bound, for every op not named in <see cref="OpPrecision"/>.</param>
/// <param name="Deterministic">False when repeated calls may legitimately differ (atomics, autotuning).</param>
public sealed record BackendCapabilities(string Device, PrecisionClass Precision, bool Deterministic = true)
{
    /// <summary>
    /// Ops computed in another precision than <see cref="Precision"/>, by catalogue name. Real GPU
    /// libraries differ per op: cuDNN convolves with TF32 inputs by default while softmax and
    /// pooling stay fp32, so a backend declares <c>{ ["conv2d_layer"] = PrecisionClass.Tf32 }</c>
    /// and each op is held to the bound of its own arithmetic, no looser and no tighter. A Winograd
    /// convolution is declared the same way: <c>PrecisionClass.Fp32 with { Algorithm = ConvolutionAlgorithm.WinogradF2x2K3x3 }</c>.
    /// </summary>
    public IReadOnlyDictionary<string, PrecisionClass> OpPrecision
    {
        get => _opPrecision;
        init
        {
            // A misspelt op would silently keep the default precision: name it at construction.
            foreach (string op in value.Keys) OpCatalog.Get(op);
            _opPrecision = value;
        }
    }

    private readonly IReadOnlyDictionary<string, PrecisionClass> _opPrecision = new Dictionary<string, PrecisionClass>();

    /// <summary>The precision <paramref name="op"/> is computed in: its entry in <see cref="OpPrecision"/>, else <see cref="Precision"/>.</summary>
    public PrecisionClass PrecisionOf(string op) => _opPrecision.TryGetValue(op, out var p) ? p : Precision;

    /// <summary>
    /// The precision for people: "fp32", or "fp32; tf32 for conv2d_layer, conv2d_layer_backward",
    /// or with an algorithm "fp32; fp32 Winograd F(2×2,3×3) for conv2d_layer" (<see cref="PrecisionClass.Label"/>).
    /// </summary>
    public string PrecisionSummary => string.Join("; ", new[] { Precision.Label }.Concat(_opPrecision
        .Where(kv => kv.Value != Precision).GroupBy(kv => kv.Value.Label)
        .Select(g => $"{g.Key} for {string.Join(", ", g.Select(kv => kv.Key).Order(StringComparer.Ordinal))}")));
}

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

using Conformance.Reference;

namespace Conformance.Core.Backends;

/// <summary>The double-precision reference as a backend: every op, every attribute.</summary>
public sealed class ReferenceBackend : IConformanceBackend
{
    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public BackendCapabilities Capabilities { get; } = new("cpu (scalar double loops)", PrecisionClass.Fp64);

    /// <inheritdoc />
    public Support Supports(OpCall call) => Support.Yes;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call) =>
        OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);

    /// <inheritdoc />
    public void Dispose() { }
}

using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Mutants;

/// <summary>
/// A realistic wrong backend: the reference with one bug a real implementation might have.
/// It either rewrites the call before computing (a convention slip) or the outputs after.
/// It claims fp32 unless given another <paramref name="precision"/>, so the suite holds it to the
/// bounds a real fp32 backend gets. <see cref="MutantCatalog"/> lists the ones every run must kill.
/// </summary>
public sealed class MutantBackend(string name, Func<OpCall, OpCall>? call = null,
    Func<OpCall, IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>>? outputs = null,
    PrecisionClass? precision = null) : IMutant
{
    private readonly ReferenceBackend _reference = new();

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>The real-world bug this mutant stands for.</summary>
    public string Description { get; init; } = "";

    /// <summary>The ops the bug is in (the cases that can kill it); the others are computed correctly. Empty means every op.</summary>
    public IReadOnlyList<string> Ops { get; init; } = [];

    /// <summary>Claims fp32 (by default) so that the suite applies the bounds a real fp32 backend gets.</summary>
    public BackendCapabilities Capabilities { get; } = new("cpu (mutant of the reference)", precision ?? PrecisionClass.Fp32);

    /// <inheritdoc />
    public Support Supports(OpCall c) => Support.Yes;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall c)
    {
        if (Ops.Count > 0 && !Ops.Contains(c.Op)) return _reference.Evaluate(c);
        var rewritten = call?.Invoke(c) ?? c;
        var result = _reference.Evaluate(rewritten);
        return outputs?.Invoke(c, result) ?? result;
    }

    /// <inheritdoc />
    public void Dispose() { }

    /// <inheritdoc />
    public override string ToString() => Name;
}

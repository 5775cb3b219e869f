using Conformance.Core.Backends;

namespace Conformance.Core.Mutants;

/// <summary>
/// A deliberately wrong backend for <c>conformance mutants</c>: one real-world bug, described,
/// confined to the ops it names. <see cref="MutantBackend"/> wraps the reference; GPU backends
/// add mutants of their own kernels (a kernel version with the bug).
/// </summary>
public interface IMutant : IConformanceBackend
{
    /// <summary>The real-world bug this mutant stands for.</summary>
    string Description { get; }

    /// <summary>The ops the bug is in (only their cases can kill it); empty means every op.</summary>
    IReadOnlyList<string> Ops { get; }
}

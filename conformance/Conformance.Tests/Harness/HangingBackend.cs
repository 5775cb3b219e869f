using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Tests.Harness;

/// <summary>
/// The reference, except that one chosen call never returns (until <see cref="Release"/> or
/// <see cref="Dispose"/>; at most ten minutes): a backend that hangs. Tests release it in their
/// cleanup, so no thread outlives them. Not public and no parameterless constructor, so that
/// --backend-assembly never picks it up from this assembly.
/// </summary>
internal class HangingBackend(string name, int hangOnCall = 1) : IConformanceBackend
{
    private readonly ReferenceBackend _reference = new();
    private readonly ManualResetEventSlim _release = new(false);
    private int _calls;

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public BackendCapabilities Capabilities { get; } = new("cpu (the reference, hanging on one call)", PrecisionClass.Fp64);

    /// <summary>How many calls have started.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Parallelism.Options.MaxDegreeOfParallelism as the last call saw it (the reference's AsyncLocal).</summary>
    public int SeenParallelism { get; private set; }

    /// <inheritdoc />
    public Support Supports(OpCall call) => Support.Yes;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call)
    {
        SeenParallelism = Parallelism.Options.MaxDegreeOfParallelism;
        if (Interlocked.Increment(ref _calls) == hangOnCall) _release.Wait(TimeSpan.FromMinutes(10));
        return _reference.Evaluate(call);
    }

    /// <summary>Lets the hung call return.</summary>
    public void Release() => _release.Set();

    /// <inheritdoc />
    public void Dispose() => Release();
}

/// <summary>A <see cref="HangingBackend"/> that can recover (like a GPU backend recreating its context), or fails to.</summary>
internal sealed class RecoverableHangingBackend(string name, bool canRecover = true) : HangingBackend(name), IRecoverableBackend
{
    private readonly List<string> _causes = [];

    /// <summary>The causes <see cref="Recover"/> was called with.</summary>
    public IReadOnlyList<string> Causes { get { lock (_causes) return _causes.ToList(); } }

    /// <inheritdoc />
    public void Recover(string cause)
    {
        lock (_causes) _causes.Add(cause);
        if (!canRecover) throw new InvalidOperationException("the device is gone");
    }
}

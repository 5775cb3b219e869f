using System.Collections.Concurrent;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Harness;

/// <summary>The reference outputs and bounds of one call for one precision class.</summary>
/// <param name="Call">The call, with inputs representable in the precision's input format.</param>
/// <param name="Outputs">The reference outputs.</param>
/// <param name="Bounds">The allowed error per output element.</param>
public sealed record Expectation(OpCall Call, IReadOnlyDictionary<string, Tensor> Outputs, IReadOnlyDictionary<string, Tensor> Bounds);

/// <summary>
/// Runs calls on a backend and compares them with the reference under the error model. The
/// reference side of each (case, precision) is computed once and shared by every backend.
/// </summary>
public static class CaseRunner
{
    private static readonly ConcurrentDictionary<(string, PrecisionClass), Lazy<Expectation>> Cache = new();

    /// <summary>The reference outputs and bounds of a catalogued case, cached.</summary>
    public static Expectation Expect(ConformanceCase c, PrecisionClass p) => Expect(c, p, null);

    /// <summary>As <see cref="Expect(ConformanceCase, PrecisionClass)"/>, reusing <paramref name="built"/> (c.Build(p)) when the cache is cold.</summary>
    private static Expectation Expect(ConformanceCase c, PrecisionClass p, OpCall? built) =>
        Cache.GetOrAdd((c.Id, p), _ => new Lazy<Expectation>(() => Expect(built ?? c.Build(p), p))).Value;

    /// <summary>The reference outputs and bounds of any call (not cached).</summary>
    public static Expectation Expect(OpCall call, PrecisionClass p)
    {
        if (call.Info.Kind != OpKind.Linear)
        {
            var outputs = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
            return new Expectation(call, outputs, ErrorModel.Bounds(call, outputs, p));
        }
        // A linear op's bounds need only the inputs: made first, their |inputs| copies are garbage
        // (collected, for a large call) before the reference outputs are allocated.
        var bounds = ErrorModel.LinearBounds(call, p);
        LargeCalls.Collect(call);
        return new Expectation(call, OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes), bounds);
    }

    /// <summary>Builds a case's call; for a large one, the garbage of building (the unrounded draws) is collected at once.</summary>
    private static OpCall Build(ConformanceCase c, PrecisionClass p)
    {
        var call = c.Build(p);
        LargeCalls.Collect(call);
        return call;
    }

    /// <summary>Forgets cached expectations (they hold the inputs and outputs of every case run).</summary>
    public static void ClearCache() => Cache.Clear();

    /// <summary>Forgets one case's cached expectations, every precision: a run that is done with the case keeps no memory of it.</summary>
    public static void Forget(string caseId)
    {
        foreach (var key in Cache.Keys.Where(k => k.Item1 == caseId).ToList())
            if (Cache.TryRemove(key, out var gone) && gone.IsValueCreated) LargeCalls.Collect(gone.Value.Call);
    }

    /// <summary>Runs a catalogued case on <paramref name="backend"/>.</summary>
    public static CaseResult Run(IConformanceBackend backend, ConformanceCase c)
    {
        var p = backend.Capabilities.PrecisionOf(c.Op);
        // The inputs of an expectation already made (another backend's run of this case) are reused, not built again.
        var call = Cache.TryGetValue((c.Id, p), out var made) && made.IsValueCreated ? made.Value.Call : Build(c, p);
        var support = backend.Supports(call);
        if (!support.IsSupported)
            return new CaseResult(backend.Name, c.Op, c.Id, CaseStatus.Unsupported, support.Reason, []) { Precision = p.LabelFor(c.Op) };
        // The backend runs before the reference's outputs and bounds are made: the largest cases
        // (VGG16's fc1 weight: 822 MB in double) then never hold the backend's working copies and
        // the reference's tensors at once.
        var (actual, error) = Call(backend, call, c.Id);
        if (error != null) return error;
        LargeCalls.Collect(call);
        return Judge(backend, Expect(c, p, call), actual!, c.Id);
    }

    /// <summary>
    /// Runs one call whose expectation is known; the caller has checked support. The call goes
    /// through <see cref="GuardedCall"/>: past its time limit it is an error naming the limit.
    /// </summary>
    public static CaseResult Run(IConformanceBackend backend, Expectation expected, string caseId)
    {
        var (actual, error) = Call(backend, expected.Call, caseId);
        return error ?? Judge(backend, expected, actual!, caseId);
    }

    /// <summary>The backend's outputs, or the error result when it threw or ran past its time limit.</summary>
    private static (IReadOnlyDictionary<string, Tensor>? Actual, CaseResult? Error) Call(IConformanceBackend backend, OpCall call, string caseId)
    {
        string precision = backend.Capabilities.PrecisionOf(call.Op).LabelFor(call.Op);
        try
        {
            return (GuardedCall.Evaluate(backend, call, caseId), null);
        }
        catch (CallTimeoutException e)
        {
            return (null, new CaseResult(backend.Name, call.Op, caseId, CaseStatus.Error, e.Message, []) { Precision = precision });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, new CaseResult(backend.Name, call.Op, caseId, CaseStatus.Error,
                $"{e.GetType().Name}: {e.Message}", []) { Precision = precision });
        }
    }

    /// <summary>Compares given backend outputs with an expectation.</summary>
    public static CaseResult Judge(IConformanceBackend backend, Expectation expected,
        IReadOnlyDictionary<string, Tensor> actual, string caseId)
    {
        var p = backend.Capabilities.PrecisionOf(expected.Call.Op);
        var reports = expected.Outputs.Select(kv => Comparison.Compare(kv.Key, kv.Value,
            actual.TryGetValue(kv.Key, out var a) ? a : null, expected.Bounds[kv.Key], p)).ToList();
        var status = reports.All(r => r.Passed) ? CaseStatus.Passed : CaseStatus.Failed;
        return new CaseResult(backend.Name, expected.Call.Op, caseId, status, "", reports) { Precision = p.LabelFor(expected.Call.Op) };
    }
}

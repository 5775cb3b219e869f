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
        var outputs = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
        return new Expectation(call, outputs, ErrorModel.Bounds(call, outputs, p));
    }

    /// <summary>Forgets cached expectations (they hold the inputs and outputs of every case run).</summary>
    public static void ClearCache() => Cache.Clear();

    /// <summary>Forgets one case's cached expectations, every precision: a run that is done with the case keeps no memory of it.</summary>
    public static void Forget(string caseId)
    {
        foreach (var key in Cache.Keys.Where(k => k.Item1 == caseId).ToList()) Cache.TryRemove(key, out _);
    }

    /// <summary>Runs a catalogued case on <paramref name="backend"/>.</summary>
    public static CaseResult Run(IConformanceBackend backend, ConformanceCase c)
    {
        var p = backend.Capabilities.PrecisionOf(c.Op);
        var call = c.Build(p);
        var support = backend.Supports(call);
        if (!support.IsSupported)
            return new CaseResult(backend.Name, c.Op, c.Id, CaseStatus.Unsupported, support.Reason, []) { Precision = p.Name };
        return Run(backend, Expect(c, p, call), c.Id);
    }

    /// <summary>
    /// Runs one call whose expectation is known; the caller has checked support. The call goes
    /// through <see cref="GuardedCall"/>: past its time limit it is an error naming the limit.
    /// </summary>
    public static CaseResult Run(IConformanceBackend backend, Expectation expected, string caseId)
    {
        IReadOnlyDictionary<string, Tensor> actual;
        try
        {
            actual = GuardedCall.Evaluate(backend, expected.Call, caseId);
        }
        catch (CallTimeoutException e)
        {
            return new CaseResult(backend.Name, expected.Call.Op, caseId, CaseStatus.Error, e.Message, [])
                { Precision = backend.Capabilities.PrecisionOf(expected.Call.Op).Name };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new CaseResult(backend.Name, expected.Call.Op, caseId, CaseStatus.Error,
                $"{e.GetType().Name}: {e.Message}", []) { Precision = backend.Capabilities.PrecisionOf(expected.Call.Op).Name };
        }
        return Judge(backend, expected, actual, caseId);
    }

    /// <summary>Compares given backend outputs with an expectation.</summary>
    public static CaseResult Judge(IConformanceBackend backend, Expectation expected,
        IReadOnlyDictionary<string, Tensor> actual, string caseId)
    {
        var p = backend.Capabilities.PrecisionOf(expected.Call.Op);
        var reports = expected.Outputs.Select(kv => Comparison.Compare(kv.Key, kv.Value,
            actual.TryGetValue(kv.Key, out var a) ? a : null, expected.Bounds[kv.Key], p)).ToList();
        var status = reports.All(r => r.Passed) ? CaseStatus.Passed : CaseStatus.Failed;
        return new CaseResult(backend.Name, expected.Call.Op, caseId, status, "", reports) { Precision = p.Name };
    }
}

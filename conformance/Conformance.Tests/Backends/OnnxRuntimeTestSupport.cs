using Conformance.Backends.OnnxRuntime;
using Conformance.Core.Backends;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Backends;

/// <summary>One ONNX Runtime backend shared by a test class, so its sessions are created once.</summary>
public sealed class OnnxRuntimeFixture : IDisposable
{
    /// <summary>The backend under test.</summary>
    public OnnxRuntimeBackend Backend { get; } = new();

    /// <inheritdoc />
    public void Dispose() => Backend.Dispose();
}

/// <summary>
/// Inputs and the comparison for the ONNX Runtime smoke tests. The comparison is the suite's own
/// error model (spec/numerics.md), through <see cref="ReferenceAgreement"/>.
/// </summary>
internal static class OnnxRuntimeTestSupport
{
    /// <summary>Parses "padding=same strides=2" into attributes.</summary>
    public static OpAttributes Attrs(string text) => OpAttributes.Parse(
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(kv[0], kv[1])));

    /// <summary>Uniform values in [lo, hi), each exactly a float so rounding to fp32 changes nothing.</summary>
    public static Tensor Random(Random rng, int[] shape, double lo = -1, double hi = 1)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return t;
    }

    /// <summary>Small integers in [−4, 4]: every partial sum of conv and dense is exact in fp32.</summary>
    public static Tensor Integers(Random rng, int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = rng.Next(-4, 5);
        return t;
    }

    /// <summary>A deterministic generator per test case, so a failure reproduces.</summary>
    public static Random Rng(string op, string attrs) => new(StableHash(op + "|" + attrs));

    /// <summary>
    /// Runs <paramref name="op"/> on the backend and asserts every output agrees with the reference
    /// under the suite's error model (<see cref="ReferenceAgreement"/>); returns the largest
    /// error/bound ratio and the worst elements' ULPs, for the test log.
    /// </summary>
    public static (double Ratio, double Ulps) AssertMatchesReference(IConformanceBackend backend, string op,
        Dictionary<string, Tensor> inputs, OpAttributes attrs)
    {
        var result = ReferenceAgreement.AssertAgrees(backend, new OpCall(op, inputs, attrs));
        return (result.MaxRatio, ReferenceAgreement.WorstUlps(result));
    }

    private static int StableHash(string s)
    {
        // string.GetHashCode is randomized per process; the seed must not be.
        unchecked
        {
            int h = 17;
            foreach (char c in s) h = h * 31 + c;
            return h;
        }
    }
}

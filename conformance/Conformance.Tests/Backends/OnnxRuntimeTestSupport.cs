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
/// Inputs and comparisons for the ONNX Runtime smoke tests. The tolerance is deliberately simple
/// (the real error bound lives in Conformance.Core): linear ops are compared relative to the same op
/// on |inputs|, selection ops exactly, softmax and the loss relative to the expected value.
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
    /// Runs <paramref name="op"/> on the backend and the reference and asserts every output is close;
    /// returns the largest error / tolerance ratio and the largest error in float ULPs of the expected value, for the test log.
    /// </summary>
    public static (double Ratio, double Ulps) AssertMatchesReference(IConformanceBackend backend, string op,
        Dictionary<string, Tensor> inputs, OpAttributes attrs)
    {
        var call = new OpCall(op, inputs, attrs);
        Assert.True(backend.Supports(call).IsSupported, $"{call} should be supported: {backend.Supports(call).Reason}");
        var expected = OpCatalog.Evaluate(op, inputs, attrs);
        var actual = backend.Evaluate(call);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var kind = OpCatalog.Get(op).Kind;
        IReadOnlyDictionary<string, Tensor>? magnitude = kind == OpKind.Linear
            ? OpCatalog.Evaluate(op, inputs.ToDictionary(kv => kv.Key, kv => kv.Value.Abs()), attrs)
            : null;
        double worst = 0, ulps = 0;
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{call} {name}: shape {Tensor.Format(a.Shape)}, expected {Tensor.Format(e.Shape)}");
            for (int i = 0; i < e.Length; i++)
            {
                double err = Math.Abs(a.Data[i] - e.Data[i]);
                double tol = kind switch
                {
                    OpKind.Selection => 0,
                    OpKind.Linear => 1e-5 * magnitude![name].Data[i] + 1e-30,
                    _ => 1e-5 * Math.Abs(e.Data[i]) + 1e-7,
                };
                if (err > tol)
                    Assert.Fail($"{call} {name}[{string.Join(",", e.IndexOf(i))}]: got {a.Data[i]:R}, expected {e.Data[i]:R}, " +
                                $"error {err:E3} over tolerance {tol:E3}");
                if (tol > 0) worst = Math.Max(worst, err / tol);
                ulps = Math.Max(ulps, err / FloatUlp(e.Data[i]));
            }
        }
        return (worst, ulps);
    }

    /// <summary>The spacing of floats at <paramref name="v"/> (the smallest subnormal at zero).</summary>
    public static double FloatUlp(double v)
    {
        float f = MathF.Abs((float)v);
        return (double)MathF.BitIncrement(f) - f;
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

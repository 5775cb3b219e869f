using System.Security.Cryptography;
using Conformance.Backends.OnnxRuntime;
using Conformance.Backends.TorchSharp;
using Conformance.Core.Backends;
using Conformance.Core.Cases;

namespace Conformance.Benchmarks;

/// <summary>
/// <c>--checksums</c>: one line per default-catalogue forward case and library backend with the
/// SHA-256 of the output's bits (or the error), each case built twice (fp32-representable inputs,
/// as the suite feeds them, and full double inputs, so the adapter's rounding is exercised).
/// Diff the output from before and after an adapter change to show the change keeps every
/// result bit for bit.
/// </summary>
public static class Checksums
{
    /// <summary>Prints the lines to standard output.</summary>
    public static void Print()
    {
        using var torchBackend = new TorchBackend();
        using var onnx = new OnnxRuntimeBackend();
        foreach (var c in CaseCatalog.Select())
        {
            if (Reference.OpCatalog.Get(c.Op).IsBackward) continue;
            foreach (var precision in new[] { PrecisionClass.Fp32, PrecisionClass.Fp64 })
            {
                var call = c.Build(precision);
                foreach (IConformanceBackend backend in new IConformanceBackend[] { torchBackend, onnx })
                {
                    if (!backend.Supports(call).IsSupported) continue;
                    Console.WriteLine($"{c.Id} {precision.Name} {backend.Name} {Hash(backend, call)}");
                }
            }
        }
    }

    private static string Hash(IConformanceBackend backend, OpCall call)
    {
        try
        {
            var outputs = backend.Evaluate(call);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var (name, t) in outputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + Reference.Tensor.Format(t.Shape)));
                foreach (double v in t.Data) sha.AppendData(BitConverter.GetBytes(BitConverter.DoubleToInt64Bits(v)));
            }
            return Convert.ToHexString(sha.GetHashAndReset())[..16];
        }
        catch (Exception e)
        {
            return $"error {e.GetType().Name}: {e.Message}";
        }
    }
}

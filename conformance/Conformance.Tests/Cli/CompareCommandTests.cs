using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary><c>conformance compare</c>: a verdict on outputs computed elsewhere, from .npy files not written by our own writer.</summary>
public sealed class CompareCommandTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    /// <inheritdoc />
    public void Dispose() => _kit.Dispose();

    /// <summary>One small catalogued case of every op.</summary>
    public static IEnumerable<object[]> OneCasePerOp =>
        CaseCatalog.All.Where(c => c.Group == "edge").GroupBy(c => c.Op).Select(g => new object[] { g.First().Id });

    /// <summary>The reference's own outputs pass; one element moved far fails, naming the output and the element.</summary>
    [Theory]
    [MemberData(nameof(OneCasePerOp))]
    public void ReferenceOutputsPassAndAlteredOnesFail(string id)
    {
        var c = CaseCatalog.Get(id);
        var call = c.Build(PrecisionClass.Fp32);
        var outputs = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
        var args = new List<string> { "compare", call.Op, "--precision", "fp32" };
        foreach (var (name, t) in call.Inputs) args.AddRange(["--in", $"{name}={WriteByHand($"in-{name}.npy", t)}"]);
        foreach (var (key, value) in Attributes(call.Attributes, call.Info)) args.AddRange(["--attr", $"{key}={value}"]);
        foreach (var (name, t) in outputs) args.AddRange(["--actual", $"{name}={WriteByHand($"out-{name}.npy", t)}"]);
        var pass = CliTestKit.Run(args.ToArray());
        Assert.True(pass.ExitCode == 0, id + ": " + pass.Out + pass.Error);
        Assert.Contains($"compare {call.Op} (fp32): passed", pass.Out);

        var (first, tensor) = outputs.First(kv => kv.Value.Length > 0 && kv.Value.Data.Any(double.IsFinite));
        int at = Array.FindIndex(tensor.Data, double.IsFinite);
        var altered = tensor.Clone();
        altered.Data[at] += 1 + 10 * Math.Abs(altered.Data[at]);
        WriteByHand($"out-{first}.npy", altered);
        var fail = CliTestKit.Run(args.ToArray());
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains($"compare {call.Op} (fp32): FAILED", fail.Out);
        Assert.Contains($"{first}{Tensor.Format(tensor.IndexOf(at))}", fail.Out);
        Assert.Contains("1 of", fail.Out);
    }

    /// <summary>A precision the model does not know and an output the op does not have are one error each.</summary>
    [Fact]
    public void BadArgumentsAreOneErrorEach()
    {
        string x = WriteByHand("x.npy", new Tensor([2, 2], [1, 2, 3, 4]));
        var r = CliTestKit.Run("compare", "relu", "--in", $"x={x}", "--actual", $"y={x}", "--precision", "fp16");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--precision", Assert.Single(r.ErrorLines));
        r = CliTestKit.Run("compare", "relu", "--in", $"x={x}", "--actual", $"dx={x}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--actual", Assert.Single(r.ErrorLines));
    }

    /// <summary>The attributes of a call as the CLI's KEY=VALUE pairs (only those the op accepts).</summary>
    private static IEnumerable<(string, string)> Attributes(OpAttributes a, OpInfo op)
    {
        string P(Pair p) => $"{p.Rows},{p.Cols}";
        if (op.Attributes.Contains("padding")) yield return ("padding", a.Padding.ToString());
        if (op.Attributes.Contains("reversal")) yield return ("reversal", a.Reversal ? "true" : "false");
        if (op.Attributes.Contains("strides") && a.Strides is { } s) yield return ("strides", P(s));
        if (op.Attributes.Contains("dilation")) yield return ("dilation", P(a.Dilation));
        if (op.Attributes.Contains("groups")) yield return ("groups", a.Groups.ToString(CultureInfo.InvariantCulture));
        if (op.Attributes.Contains("pool") && a.Pool is { } pool) yield return ("pool", P(pool));
    }

    /// <summary>A version 1.0 .npy file of little-endian doubles written byte by byte, as another language would.</summary>
    private string WriteByHand(string name, Tensor t)
    {
        string shape = t.Rank == 0 ? "()" : t.Rank == 1 ? $"({t.Shape[0]},)" : "(" + string.Join(", ", t.Shape) + ")";
        string dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + dict.Length + 1;
        string header = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.IsLittleEndian ? BitConverter.GetBytes((ushort)header.Length) : [(byte)header.Length, (byte)(header.Length >> 8)]);
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        var value = new byte[8];
        foreach (double v in t.Data)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(value, v);
            bytes.AddRange(value);
        }
        string path = _kit.PathOf(name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }
}

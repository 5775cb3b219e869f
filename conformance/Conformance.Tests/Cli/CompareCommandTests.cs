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

    /// <summary>A layer whose last row is wrong (padding missing on one side) is reported with its count and its row.</summary>
    [Fact]
    public void WrongLastRowIsNamedAsABorderPattern()
    {
        var (args, y) = Layer(PrecisionClass.Fp32);
        var bad = y.Clone();
        for (int c = 0; c < 6; c++)
            for (int m = 0; m < 3; m++) bad[0, 5, c, m] += 0.5;
        WriteByHand("y.npy", bad);
        var r = CliTestKit.Run([.. args, "--dump", _kit.Dir]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("y: 18 of 108 elements exceed the bound", r.Out);
        Assert.Contains("all of them at the last index of axis 1 (rows, extent 6): a border", r.Out);
        foreach (string f in new[] { "y.expected.npy", "y.actual.npy", "y.bound.npy", "y.ratio.npy" })
            Assert.True(File.Exists(_kit.PathOf(f)), f);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(_kit.PathOf("y.ratio.png"))[..4]);
    }

    /// <summary>Outputs computed from TF32-rounded inputs fail the fp32 bound with the TF32 hints (typical error and the tested cause), and pass when TF32 is declared.</summary>
    [Fact]
    public void Tf32RoundedInputsGetTheTf32Hint()
    {
        var (args, _) = Layer(PrecisionClass.Tf32);
        var r = CliTestKit.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.True(r.Out.Contains("what rounding the inputs to TF32 gives"), r.Out);
        Assert.Contains("hint: these outputs are within the fp32 bound of the reference on inputs rounded to tf32", r.Out);
        var declared = CliTestKit.Run([.. args.Select(a => a == "fp32" ? "tf32" : a)]);
        Assert.True(declared.ExitCode == 0, declared.Out);
    }

    /// <summary>
    /// conv2d_layer on positive inputs x[1,6,6,4], w[3,3,4,3] (no cancellation, so relative errors are those of the inputs),
    /// with y computed by the reference on inputs rounded to <paramref name="computedIn"/>; the command line judges it as fp32.
    /// </summary>
    private (string[] Args, Tensor Y) Layer(PrecisionClass computedIn)
    {
        var x = new Tensor([1, 6, 6, 4], Enumerable.Range(0, 144).Select(i => 0.5 + (i * 0.6180339887 % 1)).ToArray());
        var w = new Tensor([3, 3, 4, 3], Enumerable.Range(0, 108).Select(i => 0.5 + (i * 0.4142135623 % 1)).ToArray());
        var a = OpAttributes.Default with { Padding = Padding.Same };
        var y = Convolution.Conv2dLayer(x.Map(computedIn.RoundToInput), w.Map(computedIn.RoundToInput), null, a);
        string[] args = ["compare", "conv2d_layer", "--in", $"x={WriteByHand("x.npy", x)}", "--in", $"w={WriteByHand("w.npy", w)}",
            "--attr", "padding=same", "--actual", $"y={WriteByHand("y.npy", y)}", "--precision", "fp32"];
        return (args, y);
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

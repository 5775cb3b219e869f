using System.Buffers.Binary;
using Conformance.Cli;
using Conformance.Core.Io;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary>Every bad command line gives one stderr line naming the argument, a non-zero exit and no output file.</summary>
public sealed class EvalErrorTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    /// <summary>A conv2d_layer_backward call on x[1,4,4,4], w[3,3,2,4] (groups 2 fits), dy[1,2,2,4], writing all three outputs.</summary>
    private string[] LayerBackward(string[] attrs)
    {
        var rng = new Random(3);
        _kit.Save("x.npy", CliTestKit.RandomFloats(rng, 1, 4, 4, 4));
        _kit.Save("w.npy", CliTestKit.RandomFloats(rng, 3, 3, 2, 4));
        _kit.Save("dy.npy", CliTestKit.RandomFloats(rng, 1, 2, 2, 4));
        var args = new List<string> { "eval", "conv2d_layer_backward", "--in", $"x={_kit.PathOf("x.npy")}",
            "--in", $"w={_kit.PathOf("w.npy")}", "--in", $"dy={_kit.PathOf("dy.npy")}" };
        foreach (string a in attrs) args.AddRange(["--attr", a]);
        foreach (string o in new[] { "dx", "dw", "db" }) args.AddRange(["--out", $"{o}={_kit.PathOf("out-" + o + ".npy")}"]);
        return args.ToArray();
    }

    private void AssertOneLineError(CliResult r, int code, params string[] fragments)
    {
        Assert.Equal(code, r.ExitCode);
        string line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("error: ", line);
        foreach (string f in fragments) Assert.Contains(f, line);
        // No stack frame ("at Namespace.Type.Method(") and no exception type name.
        Assert.DoesNotMatch(@"\bat [\w.`]+\.\w+\(", r.Error);
        Assert.DoesNotContain("Exception", r.Error);
        Assert.DoesNotContain(_kit.Files(), f => f.StartsWith("out-") || f.EndsWith(".tmp"));
    }

    [Fact]
    public void ValidCallWritesAllThreeOutputs()
    {
        var r = CliTestKit.Run(LayerBackward(["groups=2", "padding=valid"]));
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        Assert.Equal(["dy.npy", "out-db.npy", "out-dw.npy", "out-dx.npy", "w.npy", "x.npy"], _kit.Files());
    }

    [Theory]
    [InlineData("dilation=3", "argument 'w'", "effective window")]          // output dim < 1 (Keff 7 > 4)
    [InlineData("groups=3", "argument 'groups'", "a divisor of the input channels Cin = 4")]
    [InlineData("strides=0", "argument 'strides'", "positive")]
    [InlineData("dilation=0", "argument 'dilation'", "positive")]
    [InlineData("padding=-1,0,0,0", "argument 'padding'", "non-negative")]
    [InlineData("padding=middle", "argument 'padding'", "'middle'")]
    [InlineData("reversal=maybe", "argument 'reversal'", "true or false")]
    [InlineData("pool=2", "argument 'attr'", "'pool'")]                      // an attribute conv layers do not read
    [InlineData("colour=red", "argument 'attr'", "'colour'")]
    [InlineData("strides", "argument '--attr'", "KEY=VALUE")]
    public void BadAttributes(string attr, string argument, string fragment)
    {
        var r = CliTestKit.Run(LayerBackward(attr.StartsWith("groups=") ? [attr] : ["groups=2", attr]));
        AssertOneLineError(r, ExitCodes.UsageError, argument, fragment);
    }

    [Fact]
    public void ChannelMismatch()
    {
        // Without groups, w's 2 input channels do not match x's 4.
        var r = CliTestKit.Run(LayerBackward(["groups=1"]));
        AssertOneLineError(r, ExitCodes.UsageError, "argument 'w'", "Cin/groups = 4", "got 2");
    }

    public static TheoryData<Whole, string, string> BadLines => new()
    {
        { new("eval nosuchop --out y=o.npy"), "argument 'op'", "conv2d_layer_backward" },
        { new("eval conv1d --in x=a.npy --in w=a.npy --in q=a.npy --out y=o.npy"), "argument '--in'", "'q'" },
        { new("eval conv1d --in x=a.npy --out y=o.npy"), "argument 'w'", "none" },
        { new("eval conv1d --in x --out y=o.npy"), "argument '--in'", "NAME=FILE.npy" },
        { new("eval conv1d --in x=a.npy --in x=b.npy --out y=o.npy"), "argument '--in'", "'x' twice" },
        { new("eval conv1d --in x=a.npy --in w=a.npy"), "argument '--out'", "at least one" },
        { new("eval conv1d --in x=a.npy --in w=a.npy --out dx=o.npy"), "argument '--out'", "'dx'" },
        { new("eval conv1d --in x=a.npy --in w=a.npy --out y=nofolder/o.npy"), "argument '--out'", "no folder" },
        { new("eval conv1d --in x=a.npy --in w=missing.npy --out y=o.npy"), "argument '--in'", "missing.npy" },
        { new("eval conv1d --in x=a.npy --in w=a.npy --out y=o.npy --dtype f2"), "argument '--dtype'", "'f2'" },
        { new("eval conv1d --in x=a.npy --in w=a.npy --out y=o.npy --backend nosuch"), "argument 'backend'", "reference" },
        { new("eval conv1d --in x=a.npy --in w=a.npy --out y=o.npy --frobnicate"), "frobnicate", "" },
        { new("eval"), "OP", "" },
        { new("explode"), "explode", "" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void BadCommandLines(Whole line, string fragment1, string fragment2)
    {
        _kit.Save("a.npy", new Tensor([3], [1, 2, 3]));
        _kit.Save("b.npy", new Tensor([3], [1, 2, 3]));
        // Relative paths in the test lines are made absolute in the kit's folder.
        string[] args = line.Text.Split(' ').Select(a =>
            a.Contains("=") && a.EndsWith(".npy") ? a[..(a.IndexOf('=') + 1)] + _kit.PathOf(a[(a.IndexOf('=') + 1)..]) : a).ToArray();
        var r = CliTestKit.Run(args);
        Assert.NotEqual(0, r.ExitCode);
        AssertOneLineError(r, ExitCodes.UsageError, fragment1, fragment2);
        Assert.DoesNotContain("o.npy", _kit.Files());
    }

    [Fact]
    public void MalformedAndIntegerInputFilesNameTheArgument()
    {
        File.WriteAllBytes(_kit.PathOf("junk.npy"), [1, 2, 3]);
        var r = CliTestKit.Run("eval", "relu", "--in", $"x={_kit.PathOf("junk.npy")}", "--out", $"y={_kit.PathOf("out-y.npy")}");
        AssertOneLineError(r, ExitCodes.UsageError, "argument '--in x=", "junk.npy", "\\x93NUMPY");

        // Integers are labels only: an integer x is refused, integer labels are read.
        var ints = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(ints, 1);
        BinaryPrimitives.WriteInt64LittleEndian(ints.AsSpan(8), 0);
        File.WriteAllBytes(_kit.PathOf("labels.npy"), CliTestKit.RawNpy(CliTestKit.Header("<i8", "(2,)"), ints));
        r = CliTestKit.Run("eval", "relu", "--in", $"x={_kit.PathOf("labels.npy")}", "--out", $"y={_kit.PathOf("out-y.npy")}");
        AssertOneLineError(r, ExitCodes.UsageError, "argument '--in x=", "'<i8'", "only for labels");

        var logits = new Tensor([2, 3], [0.5, -1, 2, 3, 0, -2]);
        r = CliTestKit.Run("eval", "softmax_cross_entropy", "--in", $"x={_kit.Save("x.npy", logits)}",
            "--in", $"labels={_kit.PathOf("labels.npy")}", "--out", $"loss={_kit.PathOf("loss.npy")}");
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        var loss = Npy.Read(_kit.PathOf("loss.npy"));
        Assert.Empty(loss.Shape);
        var expected = Activation.SoftmaxCrossEntropy(logits, new Tensor([2], [1, 0]));
        Assert.True(expected.BitwiseEquals(loss));
    }

    [Fact]
    public void LabelOutOfRangeIsAUserError()
    {
        string x = _kit.Save("x.npy", new Tensor([1, 2], [0, 1]));
        string l = _kit.Save("l.npy", new Tensor([1], [2]));
        var r = CliTestKit.Run("eval", "softmax_cross_entropy", "--in", $"x={x}", "--in", $"labels={l}", "--out", $"loss={_kit.PathOf("out-l.npy")}");
        AssertOneLineError(r, ExitCodes.UsageError, "argument 'labels'", "[0, 2)");
    }
}

using Conformance.Cli;
using Conformance.Core.Io;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

public sealed class EvalCommandTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void LectureConv1dWithReversalFull()
    {
        // Lecture: x = [1,2,3,4], w = [1,2], convolution (with reversal), 4+2-1 = 5 outputs.
        string x = _kit.Save("x.npy", new Tensor([4], [1, 2, 3, 4]), NpyDType.Float32);
        string w = _kit.Save("w.npy", new Tensor([2], [1, 2]));
        var r = CliTestKit.Run("eval", "conv1d", "--in", $"x={x}", "--in", $"w={w}",
            "--attr", "padding=full", "--attr", "reversal=true", "--out", $"y={_kit.PathOf("y.npy")}");
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        var y = Npy.Read(_kit.PathOf("y.npy"));
        Assert.Equal([5], y.Shape);
        Assert.Equal([1.0, 4, 7, 10, 8], y.Data);
        Assert.Contains("y [5] ->", r.Out);
    }

    [Fact]
    public void LectureConv2dXKernelValid()
    {
        // The lecture's 5×5 binary image convolved in the valid region with the "X" kernel
        // [[1,0,1],[0,1,0],[1,0,1]] (symmetric, so reversal does not matter).
        var image = new Tensor([5, 5],
        [
            1, 1, 1, 0, 0,
            0, 1, 1, 1, 0,
            0, 0, 1, 1, 1,
            0, 0, 1, 1, 0,
            0, 1, 1, 0, 0,
        ]);
        string x = _kit.Save("image.npy", image);
        string w = _kit.Save("kernel.npy", new Tensor([3, 3], [1, 0, 1, 0, 1, 0, 1, 0, 1]), NpyDType.Float32);
        foreach (string reversal in new[] { "true", "false" })
        {
            string outPath = _kit.PathOf($"z-{reversal}.npy");
            var r = CliTestKit.Run("eval", "conv2d", "--in", $"x={x}", "--in", $"w={w}", "--attr", "reversal=" + reversal,
                "--out", $"y={outPath}", "--dtype", "f4");
            Assert.Equal(ExitCodes.Success, r.ExitCode);
            var z = Npy.Read(outPath);
            Assert.Equal([3, 3], z.Shape);
            Assert.Equal([4.0, 3, 4, 2, 4, 3, 2, 3, 4], z.Data);
        }
    }

    public static TheoryData<string, int> RandomCases => new()
    {
        { "conv1d", 1 }, { "conv2d", 2 }, { "conv2d_layer", 3 }, { "conv2d_layer_backward", 4 }, { "max_pool2d", 5 },
        { "avg_pool2d_backward", 6 }, { "dense_backward", 7 }, { "softmax_cross_entropy", 8 }, { "softmax_cross_entropy_backward", 9 },
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void EvalEqualsTheCatalogueBitwise(string op, int seed)
    {
        var rng = new Random(seed);
        var (inputs, attrs) = RandomCall(op, rng);
        var args = new List<string> { "eval", op };
        foreach (var (name, t) in inputs)
        {
            // Inputs alternate between f4 and f8 files; the random values are floats, so both are exact.
            var dtype = args.Count % 4 == 2 ? NpyDType.Float32 : NpyDType.Float64;
            args.AddRange(["--in", $"{name}={_kit.Save(name + ".npy", t, dtype)}"]);
        }
        foreach (var (k, v) in attrs) args.AddRange(["--attr", $"{k}={v}"]);
        var info = OpCatalog.Get(op);
        foreach (string o in info.Outputs) args.AddRange(["--out", $"{o}={_kit.PathOf("out-" + o + ".npy")}"]);

        var r = CliTestKit.Run(args.ToArray());
        Assert.True(r.ExitCode == ExitCodes.Success, r.Error);

        var expected = OpCatalog.Evaluate(op, inputs, OpAttributes.Parse(attrs));
        foreach (string o in info.Outputs)
        {
            var actual = Npy.Read(_kit.PathOf("out-" + o + ".npy"));
            Assert.True(expected[o].BitwiseEquals(actual), $"{op} output {o} differs");
        }
    }

    [Fact]
    public void WritesOnlyTheOutputsAskedFor()
    {
        var rng = new Random(11);
        var (inputs, attrs) = RandomCall("conv2d_layer_backward", rng);
        var args = new List<string> { "eval", "conv2d_layer_backward" };
        foreach (var (name, t) in inputs) args.AddRange(["--in", $"{name}={_kit.Save(name + ".npy", t)}"]);
        foreach (var (k, v) in attrs) args.AddRange(["--attr", $"{k}={v}"]);
        args.AddRange(["--out", $"dw={_kit.PathOf("dw.npy")}"]);
        var r = CliTestKit.Run(args.ToArray());
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Equal(["dw.npy", "dy.npy", "w.npy", "x.npy"], _kit.Files());
        var dw = OpCatalog.Evaluate("conv2d_layer_backward", inputs, OpAttributes.Parse(attrs))["dw"];
        Assert.True(dw.BitwiseEquals(Npy.Read(_kit.PathOf("dw.npy"))));
    }

    [Fact]
    public void Float32OutputIsTheRoundedValue()
    {
        string x = _kit.Save("x.npy", new Tensor([1, 3], [0, 1, 2]));
        string y = _kit.PathOf("y.npy");
        var r = CliTestKit.Run("eval", "softmax", "--in", $"x={x}", "--out", $"y={y}", "--dtype", "f4");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        var expected = Activation.Softmax(new Tensor([1, 3], [0, 1, 2]));
        Assert.Equal(expected.Data.Select(v => (double)(float)v), Npy.Read(y).Data);
        Assert.Contains("'<f4'", System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(y), 0, 64));
    }

    /// <summary>A small random call of <paramref name="op"/>: float32-representable values, op-specific attributes.</summary>
    internal static (Dictionary<string, Tensor> Inputs, List<KeyValuePair<string, string>> Attrs) RandomCall(string op, Random rng)
    {
        var attrs = new List<KeyValuePair<string, string>>();
        void Attr(string k, string v) => attrs.Add(new(k, v));
        Tensor F(params int[] shape) => CliTestKit.RandomFloats(rng, shape);
        switch (op)
        {
            case "conv1d":
                Attr("padding", "same"); Attr("dilation", "2"); Attr("reversal", "true");
                return (new() { ["x"] = F(9), ["w"] = F(3) }, attrs);
            case "conv2d":
                Attr("padding", "1,0,2,1"); Attr("strides", "2,1");
                return (new() { ["x"] = F(6, 5), ["w"] = F(3, 2) }, attrs);
            case "conv2d_layer":
                Attr("padding", "same"); Attr("groups", "2"); Attr("strides", "2");
                return (new() { ["x"] = F(2, 5, 6, 4), ["w"] = F(3, 3, 2, 6), ["b"] = F(6) }, attrs);
            case "conv2d_layer_backward":
                Attr("padding", "same_lower"); Attr("strides", "2"); Attr("dilation", "1,2");
                return (new() { ["x"] = F(2, 5, 6, 3), ["w"] = F(2, 3, 3, 4), ["dy"] = F(2, 3, 3, 4) }, attrs);
            case "max_pool2d":
                Attr("pool", "2,3"); Attr("padding", "same");
                return (new() { ["x"] = F(2, 5, 7, 3) }, attrs);
            case "avg_pool2d_backward":
                Attr("pool", "3"); Attr("strides", "2"); Attr("padding", "same");
                return (new() { ["x"] = F(1, 6, 5, 2), ["dy"] = F(1, 3, 3, 2) }, attrs);
            case "dense_backward":
                return (new() { ["x"] = F(3, 5), ["w"] = F(5, 4), ["dy"] = F(3, 4) }, attrs);
            case "softmax_cross_entropy":
                return (new() { ["x"] = F(4, 5), ["labels"] = new Tensor([4], [4, 0, 2, 2]) }, attrs);
            case "softmax_cross_entropy_backward":
                return (new() { ["x"] = F(3, 4), ["labels"] = new Tensor([3], [1, 3, 0]), ["dy"] = new Tensor([], [0.5]) }, attrs);
            default:
                throw new ArgumentException(op);
        }
    }
}

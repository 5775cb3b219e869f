using Conformance.Reference;
using Xunit;
using Xunit.Abstractions;
using static Conformance.Tests.Backends.OnnxRuntimeTestSupport;

namespace Conformance.Tests.Backends;

/// <summary>Every forward op on ONNX Runtime against the reference, over the attribute combinations that change the result.</summary>
public sealed class OnnxRuntimeSmokeTests(OnnxRuntimeFixture fixture, ITestOutputHelper output) : IClassFixture<OnnxRuntimeFixture>
{
    private void Check(string op, Dictionary<string, Tensor> inputs, string attrs)
    {
        var (ratio, ulps) = AssertMatchesReference(fixture.Backend, op, inputs, Attrs(attrs));
        output.WriteLine($"{op} {attrs}: worst error/bound {ratio:F4}, {ulps:F2} ulp");
    }

    [Theory]
    [InlineData(3, "padding=valid")]
    [InlineData(4, "padding=same")]
    [InlineData(4, "padding=same_lower")]
    [InlineData(4, "padding=full")]
    [InlineData(3, "padding=1,3")]
    [InlineData(4, "padding=same strides=2")]
    [InlineData(3, "padding=same_lower strides=3 dilation=2")]
    [InlineData(4, "padding=full dilation=2 reversal=true")]
    [InlineData(5, "padding=valid strides=2 reversal=true")]
    [InlineData(4, "padding=same_lower reversal=true")]
    public void Conv1dMatchesReference(int k, string attrs)
    {
        var rng = Rng("conv1d" + k, attrs);
        Check("conv1d", new() { ["x"] = Random(rng, [11]), ["w"] = Random(rng, [k]) }, attrs);
    }

    [Theory]
    [InlineData(3, 4, "padding=valid")]
    [InlineData(2, 4, "padding=same")]
    [InlineData(2, 4, "padding=same_lower")]
    [InlineData(3, 2, "padding=full")]
    [InlineData(3, 3, "padding=0,2,1,3")]
    [InlineData(2, 3, "padding=same strides=2,3")]
    [InlineData(4, 2, "padding=same_lower dilation=2,1")]
    [InlineData(2, 3, "padding=full dilation=1,2 reversal=true")]
    [InlineData(4, 4, "padding=same reversal=true")]
    [InlineData(4, 4, "padding=same_lower reversal=true")]
    [InlineData(3, 3, "padding=valid strides=2")]
    public void Conv2dMatchesReference(int k1, int k2, string attrs)
    {
        var rng = Rng($"conv2d{k1}x{k2}", attrs);
        Check("conv2d", new() { ["x"] = Random(rng, [7, 9]), ["w"] = Random(rng, [k1, k2]) }, attrs);
    }

    [Theory]
    [InlineData(3, 3, 4, 6, true, "padding=valid")]
    [InlineData(2, 4, 4, 6, false, "padding=same")]
    [InlineData(2, 4, 4, 6, true, "padding=same_lower")]
    [InlineData(3, 2, 4, 6, false, "padding=full groups=2")]
    [InlineData(3, 3, 4, 6, true, "padding=1,0,2,1 groups=2 strides=2")]
    [InlineData(2, 2, 3, 5, false, "padding=same strides=2 dilation=2")]
    [InlineData(3, 2, 4, 6, true, "padding=same_lower reversal=true groups=2")]
    [InlineData(3, 3, 4, 8, true, "padding=same groups=4")]
    [InlineData(2, 3, 2, 3, false, "padding=full reversal=true dilation=2,1 strides=2")]
    [InlineData(3, 3, 4, 4, true, "padding=same groups=4")]
    [InlineData(1, 1, 4, 6, true, "padding=valid")]
    [InlineData(1, 1, 4, 6, false, "padding=valid strides=2")]
    public void Conv2dLayerMatchesReference(int k1, int k2, int cin, int cout, bool bias, string attrs)
    {
        var rng = Rng($"conv2d_layer{k1}x{k2}x{cin}x{cout}{bias}", attrs);
        int groups = Attrs(attrs).Groups;
        var inputs = new Dictionary<string, Tensor>
        {
            ["x"] = Random(rng, [2, 6, 7, cin]),
            ["w"] = Random(rng, [k1, k2, cin / groups, cout]),
        };
        if (bias) inputs["b"] = Random(rng, [cout]);
        Check("conv2d_layer", inputs, attrs);
    }

    [Fact]
    public void LargerConv2dLayerMatchesReference()
    {
        // Big enough for ONNX Runtime to block the GEMM and split work across threads.
        var rng = Rng("conv2d_layer_large", "");
        Check("conv2d_layer", new() { ["x"] = Random(rng, [2, 16, 16, 8]), ["w"] = Random(rng, [3, 3, 8, 16]), ["b"] = Random(rng, [16]) },
            "padding=same strides=1");
    }

    public static TheoryData<string, string> PoolCases()
    {
        string[] attrs =
        [
            "pool=2", "pool=3 padding=same", "pool=2 padding=same", "pool=2 padding=same_lower",
            "pool=3,2 strides=1 padding=same", "pool=3,2 strides=2,1 padding=same_lower", "pool=2 strides=3",
            "pool=4,3 strides=1,2 padding=same_lower", "pool=4 strides=1 padding=same",
        ];
        var data = new TheoryData<string, string>();
        foreach (string op in new[] { "max_pool2d", "avg_pool2d" })
            foreach (string a in attrs) data.Add(op, a);
        return data;
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void PoolingMatchesReference(string op, string attrs)
    {
        var rng = Rng(op, attrs);
        Check(op, new() { ["x"] = Random(rng, [2, 7, 6, 3]) }, attrs);
    }

    [Theory]
    [InlineData("max_pool2d", "pool=3 strides=1 padding=same")]
    [InlineData("max_pool2d", "pool=2 padding=same_lower")]
    [InlineData("avg_pool2d", "pool=3 strides=1 padding=same")]
    public void PaddedPositionsNeverCount(string op, string attrs)
    {
        // All inputs in [−3, −1]: a zero from the padding would win every edge max and shrink every edge mean.
        var rng = Rng(op + "negative", attrs);
        var x = Random(rng, [1, 5, 5, 2], -3, -1);
        Check(op, new() { ["x"] = x }, attrs);
        var y = fixture.Backend.Evaluate(new(op, new Dictionary<string, Tensor> { ["x"] = x }, Attrs(attrs)))["y"];
        Assert.All(y.Data, v => Assert.True(v <= -1, $"padded zero counted: {v}"));
    }

    [Theory]
    [InlineData(3, 5, 4, true)]
    [InlineData(3, 5, 4, false)]
    [InlineData(2, 300, 3, true)]
    public void DenseMatchesReference(int batch, int nin, int nout, bool bias)
    {
        var rng = Rng("dense", $"{batch},{nin},{nout},{bias}");
        var inputs = new Dictionary<string, Tensor> { ["x"] = Random(rng, [batch, nin]), ["w"] = Random(rng, [nin, nout]) };
        if (bias) inputs["b"] = Random(rng, [nout]);
        Check("dense", inputs, "");
    }

    [Theory]
    [InlineData("conv1d", "padding=same_lower strides=2 reversal=true")]
    [InlineData("conv2d", "padding=full dilation=2")]
    [InlineData("conv2d_layer", "padding=same groups=2 strides=2")]
    [InlineData("dense", "")]
    public void IntegerInputsAreBitExact(string op, string attrs)
    {
        // The exact tier of spec/numerics.md: integer partial sums are representable, so the bound is 0.
        var rng = Rng(op + "int", attrs);
        var inputs = op switch
        {
            "conv1d" => new Dictionary<string, Tensor> { ["x"] = Integers(rng, [13]), ["w"] = Integers(rng, [4]) },
            "conv2d" => new() { ["x"] = Integers(rng, [8, 9]), ["w"] = Integers(rng, [3, 2]) },
            "conv2d_layer" => new() { ["x"] = Integers(rng, [2, 7, 8, 4]), ["w"] = Integers(rng, [3, 3, 2, 6]), ["b"] = Integers(rng, [6]) },
            _ => new() { ["x"] = Integers(rng, [3, 40]), ["w"] = Integers(rng, [40, 5]), ["b"] = Integers(rng, [5]) },
        };
        var a = Attrs(attrs);
        var expected = OpCatalog.Evaluate(op, inputs, a)["y"];
        var actual = fixture.Backend.Evaluate(new(op, inputs, a))["y"];
        Assert.True(expected.BitwiseEquals(actual), $"{op} {attrs}: integer result differs from the reference");
    }

    [Fact]
    public void ReluMatchesReference()
    {
        var x = Random(Rng("relu", ""), [2, 3, 4, 5]);
        x.Data[0] = 0;
        x.Data[1] = -0.0;
        Check("relu", new() { ["x"] = x }, "");
        var y = fixture.Backend.Evaluate(new("relu", new Dictionary<string, Tensor> { ["x"] = x }, Attrs("")))["y"];
        output.WriteLine($"relu(-0.0) = {y.Data[1]:R}, negative sign: {double.IsNegative(y.Data[1])}");
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4, 5 })]
    [InlineData(new[] { 3, 7 })]
    [InlineData(new[] { 4 })]
    public void FlattenMatchesReference(int[] shape)
    {
        Check("flatten", new() { ["x"] = Random(Rng("flatten", Tensor.Format(shape)), shape) }, "");
    }

    [Theory]
    [InlineData(new[] { 4, 7 }, 1.0)]
    [InlineData(new[] { 2, 3, 5 }, 1.0)]
    [InlineData(new[] { 6 }, 20.0)]
    [InlineData(new[] { 3, 10 }, 30.0)]
    public void SoftmaxMatchesReference(int[] shape, double range)
    {
        Check("softmax", new() { ["x"] = Random(Rng("softmax", Tensor.Format(shape) + range), shape, -range, range) }, "");
    }

    [Theory]
    [InlineData(5, 7, 1.0)]
    [InlineData(1, 3, 1.0)]
    [InlineData(4, 10, 15.0)]
    public void SoftmaxCrossEntropyMatchesReference(int batch, int classes, double range)
    {
        var rng = Rng("sce", $"{batch},{classes},{range}");
        var labels = Tensor.Zeros(batch);
        for (int i = 0; i < batch; i++) labels.Data[i] = rng.Next(classes);
        Check("softmax_cross_entropy", new() { ["x"] = Random(rng, [batch, classes], -range, range), ["labels"] = labels }, "");
    }
}

using Conformance.Backends.TorchSharp;
using Conformance.Core.Backends;
using Conformance.Reference;
using Xunit;
using Padding = Conformance.Reference.Padding;

namespace Conformance.Tests.Backends;

/// <summary>
/// Random geometries for the convolution and pooling ops: every padding mode, strides, dilation,
/// groups and reversal drawn at random on small shapes. A call the reference rejects must be
/// rejected by the backend with an error naming the same argument; any other call must agree
/// with the reference within the suite's error bound (<see cref="ReferenceAgreement"/>).
/// </summary>
public sealed class TorchSharpRandomTests
{
    private static readonly TorchBackend Backend = new();

    private static readonly string[] Ops =
        ["conv1d", "conv2d", "conv2d_layer", "conv2d_layer_backward", "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward"];

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Random_geometries_agree_with_the_reference(int seed)
    {
        var rng = new Random(seed);
        int compared = 0;
        for (int trial = 0; trial < 120; trial++)
        {
            string op = Ops[rng.Next(Ops.Length)];
            var (inputs, attrs) = Draw(rng, op);
            try
            {
                // Only to learn whether the reference accepts the call; AssertAgrees compares.
                _ = OpCatalog.Evaluate(op, inputs, attrs);
            }
            catch (OpArgumentException e)
            {
                var mine = Assert.Throws<OpArgumentException>(() => Backend.Evaluate(new OpCall(op, inputs, attrs)));
                Assert.Equal(e.ParamName, mine.ParamName);
                continue;
            }
            compared++;
            ReferenceAgreement.AssertAgrees(Backend, new OpCall(op, inputs, attrs));
        }
        // Most draws must be valid calls, or the test would only be checking errors.
        Assert.True(compared >= 60, $"only {compared} of 120 draws were valid calls");
    }

    private static (Dictionary<string, Tensor> Inputs, OpAttributes Attributes) Draw(Random rng, string op)
    {
        var padding = rng.Next(5) switch
        {
            0 => Padding.Valid,
            1 => Padding.Same,
            2 => Padding.SameLower,
            3 => Padding.Full,
            _ => Padding.Explicit(rng.Next(4), rng.Next(4), rng.Next(4), rng.Next(4)),
        };
        var attrs = new OpAttributes
        {
            Padding = padding,
            Reversal = rng.Next(2) == 1,
            Strides = rng.Next(3) == 0 ? null : new Pair(rng.Next(1, 4), rng.Next(1, 4)),
            Dilation = new Pair(rng.Next(1, 3), rng.Next(1, 3)),
        };
        int n1 = rng.Next(1, 9), n2 = rng.Next(1, 9), k1 = rng.Next(1, 5), k2 = rng.Next(1, 5);
        Tensor R(params int[] shape) => TorchSharpCases.Random(rng, shape, rng.Next(4) == 0);
        var inputs = new Dictionary<string, Tensor>();
        switch (op)
        {
            case "conv1d":
                inputs["x"] = R(n2);
                inputs["w"] = R(k2);
                break;
            case "conv2d":
                inputs["x"] = R(n1, n2);
                inputs["w"] = R(k1, k2);
                break;
            case "conv2d_layer" or "conv2d_layer_backward":
                int groups = rng.Next(1, 4), cin = groups * rng.Next(1, 3), cout = groups * rng.Next(1, 3);
                attrs = attrs with { Groups = rng.Next(5) == 0 ? groups + 1 : groups };
                inputs["x"] = R(rng.Next(1, 3), n1, n2, cin);
                inputs["w"] = R(k1, k2, cin / groups, cout);
                if (op == "conv2d_layer" && rng.Next(2) == 0) inputs["b"] = R(cout);
                break;
            default:
                // Pooling reads only pool, strides and padding (valid, same, same_lower).
                attrs = new OpAttributes
                {
                    Pool = new Pair(k1, k2),
                    Strides = attrs.Strides,
                    Padding = rng.Next(3) switch { 0 => Padding.Valid, 1 => Padding.Same, _ => Padding.SameLower },
                };
                inputs["x"] = R(rng.Next(1, 3), n1, n2, rng.Next(1, 3));
                break;
        }
        if (op.EndsWith("_backward", StringComparison.Ordinal))
        {
            string forward = OpCatalog.Get(op).Forward!;
            try
            {
                var y = OpCatalog.Evaluate(forward, inputs.Where(kv => kv.Key != "b").ToDictionary(kv => kv.Key, kv => kv.Value), attrs)["y"];
                inputs["dy"] = R(y.Shape);
            }
            catch (OpArgumentException)
            {
                inputs["dy"] = R(1);
            }
        }
        return (inputs, attrs);
    }
}

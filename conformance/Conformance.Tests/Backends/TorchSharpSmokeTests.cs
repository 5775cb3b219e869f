using Conformance.Backends.TorchSharp;
using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Reference;
using TorchSharp;
using Padding = Conformance.Reference.Padding;
using Xunit;

namespace Conformance.Tests.Backends;

/// <summary>
/// The TorchSharp backend loads libtorch and agrees with the reference on every catalogued op,
/// under the suite's own error model (spec/numerics.md, through <see cref="ReferenceAgreement"/>):
/// selection ops and integer inputs must match exactly.
/// </summary>
public sealed class TorchSharpSmokeTests
{
    private static readonly TorchBackend Backend = new();

    [Fact]
    public void TorchSharp_loads_and_computes()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(2f, torch.ones(2).sum().item<float>());
    }

    [Fact]
    public void Loaded_native_library_is_the_build_output_copy()
    {
        if (!OperatingSystem.IsLinux()) return;
        using (var scope = torch.NewDisposeScope()) _ = torch.ones(1).sum();
        string[] loaded = File.ReadAllLines("/proc/self/maps")
            .Where(l => l.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
            .Select(l => l[l.IndexOf('/')..]).Distinct().ToArray();
        string path = Assert.Single(loaded);
        Assert.StartsWith(Path.GetFullPath(AppContext.BaseDirectory), path);
    }

    [Fact]
    public void Describes_itself()
    {
        Assert.Equal("torchsharp", Backend.Name);
        Assert.Equal("cpu (libtorch 2.10.0)", Backend.Capabilities.Device);
        Assert.Same(PrecisionClass.Fp32, Backend.Capabilities.Precision);
        Assert.True(Backend.Capabilities.Deterministic);
    }

    [Theory]
    [MemberData(nameof(TorchSharpCases.Names), MemberType = typeof(TorchSharpCases))]
    public void Agrees_with_the_reference(Whole name)
    {
        var call = TorchSharpCases.Call(name);
        if (TorchSharpCases.IsIntegerCase(name))
        {
            // Small integers put these cases in the exact tier (or they are selection ops): the error
            // model itself must then demand bit-exact results, not some tolerance.
            var bounds = CaseRunner.Expect(call, Backend.Capabilities.Precision).Bounds;
            Assert.All(bounds.Values.SelectMany(b => b.Data), b => Assert.Equal(0.0, b));
        }
        ReferenceAgreement.AssertAgrees(Backend, call);
    }

    [Fact]
    public void Max_pool_backward_routes_ties_to_the_first_element_of_each_window()
    {
        // Every element ties: each window must send its dy to its first real sample, and
        // overlapping windows (stride 1) then add up on those samples only.
        var x = new Tensor([1, 4, 5, 1], Enumerable.Repeat(1.0, 20).ToArray());
        var attrs = new OpAttributes { Pool = Pair.Of(2), Strides = Pair.Of(1), Padding = Padding.Same };
        var dy = new Tensor([1, 4, 5, 1], Enumerable.Range(1, 20).Select(v => (double)v).ToArray());
        var call = new OpCall("max_pool2d_backward", new Dictionary<string, Tensor> { ["x"] = x, ["dy"] = dy }, attrs);
        var expected = OpCatalog.Evaluate(call.Op, call.Inputs, attrs)["dx"];
        Assert.Equal(expected.Data, Backend.Evaluate(call)["dx"].Data);
        // Same padding with pool 2 pads only at the end, so window (i1,i2) starts at (i1,i2): dx = dy.
        Assert.Equal(dy.Data, expected.Data);
    }

    [Fact]
    public void Repeated_calls_are_bitwise_equal()
    {
        var rng = new Random(5);
        var inputs = new Dictionary<string, Tensor>
        {
            ["x"] = TorchSharpCases.Random(rng, [4, 20, 20, 16], false),
            ["w"] = TorchSharpCases.Random(rng, [3, 3, 16, 16], false),
            ["dy"] = TorchSharpCases.Random(rng, [4, 10, 10, 16], false),
        };
        var call = new OpCall("conv2d_layer_backward", inputs, new OpAttributes { Padding = Padding.Same, Strides = Pair.Of(2) });
        var first = Backend.Evaluate(call);
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var again = Backend.Evaluate(call);
            foreach (string output in first.Keys) Assert.True(first[output].BitwiseEquals(again[output]), output);
        }
    }

    [Fact]
    public void Bad_arguments_are_the_catalogue_errors()
    {
        var rng = new Random(1);
        var inputs = new Dictionary<string, Tensor>
        {
            ["x"] = TorchSharpCases.Random(rng, [1, 4, 4, 3], false),
            ["w"] = TorchSharpCases.Random(rng, [2, 2, 1, 4], false),
        };
        var call = new OpCall("conv2d_layer", inputs, new OpAttributes { Groups = 2 });
        var error = Assert.Throws<OpArgumentException>(() => Backend.Evaluate(call));
        Assert.Equal("groups", error.ParamName);

        var labels = new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(2, 3), ["labels"] = new Tensor([2], [0, 3]) };
        var ce = Assert.Throws<OpArgumentException>(() => Backend.Evaluate(new OpCall("softmax_cross_entropy", labels, OpAttributes.Default)));
        Assert.Equal("labels", ce.ParamName);
    }

    [Fact]
    public void NaN_in_max_pooling_and_relu_propagates_as_the_spec_requires()
    {
        // The NaN comes second in the window, where a plain "greater than" scan would skip it.
        var x = new Tensor([1, 2, 2, 1], [1, double.NaN, 3, 4]);
        var pool = new OpCall("max_pool2d", new Dictionary<string, Tensor> { ["x"] = x }, new OpAttributes { Pool = Pair.Of(2) });
        var relu = new OpCall("relu", new Dictionary<string, Tensor> { ["x"] = x }, OpAttributes.Default);
        Assert.True(Backend.Supports(pool).IsSupported);
        Assert.True(Backend.Supports(relu).IsSupported);
        Assert.True(double.IsNaN(Backend.Evaluate(pool)["y"].Data[0]));
        Assert.Equal([1, double.NaN, 3, 4], Backend.Evaluate(relu)["y"].Data);
    }

    [Fact]
    public void Max_pool_backward_routes_an_all_minus_infinity_window_to_its_first_real_sample()
    {
        // Pool 2, same_lower: one −inf pad at the start of the rows, so window 0 is (pad, −inf).
        var x = new Tensor([1, 3, 1, 1], [double.NegativeInfinity, 1, 2]);
        var dy = new Tensor([1, 2, 1, 1], [10, 20]);
        var call = new OpCall("max_pool2d_backward", new Dictionary<string, Tensor> { ["x"] = x, ["dy"] = dy },
            new OpAttributes { Pool = new Pair(2, 1), Padding = Padding.SameLower });
        Assert.True(Backend.Supports(call).IsSupported);
        // A −inf pad before the window would be libtorch's first candidate and take dy = 10 from x[0].
        Assert.Equal([10, 0, 20], OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes)["dx"].Data);
        Assert.Equal([10, 0, 20], Backend.Evaluate(call)["dx"].Data);
    }
}

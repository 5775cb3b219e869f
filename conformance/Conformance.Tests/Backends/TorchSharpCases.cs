using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Tests.Backends;

/// <summary>
/// Small named calls covering every catalogued op and the attribute combinations where a backend
/// is most likely to differ from the catalogue: same vs same_lower with even kernels, explicit
/// uneven padding, strides, dilation, groups, reversal and pooling with uneven same padding.
/// Inputs are random floats (exactly representable in float32) from a seed fixed per case, or
/// small integers where ties and exactness matter.
/// </summary>
public static class TorchSharpCases
{
    private sealed record Case(string Name, string Op, OpAttributes Attributes, bool Integers, (string Input, int[] Shape)[] Inputs);

    private static readonly OpAttributes Valid = OpAttributes.Default;
    private static readonly OpAttributes Same = new() { Padding = Padding.Same };
    private static readonly OpAttributes SameLower = new() { Padding = Padding.SameLower };

    /// <summary>Attribute sets for conv2d_layer and its backward, with the kernel shape each uses (x is [2,6,5,4]).</summary>
    private static readonly (string Name, OpAttributes Attributes, int[] W)[] LayerVariants =
    [
        ("valid 3x3", Valid, [3, 3, 4, 3]),
        ("same even 2x2 stride 2", Same with { Strides = Pair.Of(2) }, [2, 2, 4, 3]),
        ("same_lower 4x2 dilation 2,1", SameLower with { Dilation = new Pair(2, 1) }, [4, 2, 4, 3]),
        ("same even 4x2 dilation 2,1", Same with { Dilation = new Pair(2, 1) }, [4, 2, 4, 3]),
        ("explicit 1,0,0,2 strides 1,2", new OpAttributes { Padding = Padding.Explicit(1, 0, 0, 2), Strides = new Pair(1, 2) }, [3, 3, 4, 3]),
        ("groups 2 same", Same with { Groups = 2 }, [3, 3, 2, 6]),
        ("depthwise reversal same_lower even", SameLower with { Groups = 4, Reversal = true }, [2, 2, 1, 4]),
        ("full reversal groups 2", new OpAttributes { Padding = Padding.Full, Reversal = true, Groups = 2 }, [2, 3, 2, 4]),
    ];

    /// <summary>Attribute sets for the pooling ops (x is [2,6,7,3]).</summary>
    private static readonly (string Name, OpAttributes Attributes)[] PoolVariants =
    [
        ("pool 2 valid", Valid with { Pool = Pair.Of(2) }),
        ("pool 3 stride 2 same (uneven)", Same with { Pool = Pair.Of(3), Strides = Pair.Of(2) }),
        ("pool 3 stride 2 same_lower (uneven)", SameLower with { Pool = Pair.Of(3), Strides = Pair.Of(2) }),
        ("pool 2,3 strides 1,2 same (overlapping)", Same with { Pool = new Pair(2, 3), Strides = new Pair(1, 2) }),
        ("pool 4 stride 3 same", Same with { Pool = Pair.Of(4), Strides = Pair.Of(3) }),
    ];

    private static readonly Case[] All = Build().ToArray();

    private static IEnumerable<Case> Build()
    {
        (string, int[])[] XW(int[] x, int[] w) => [("x", x), ("w", w)];

        yield return new("conv1d valid K3", "conv1d", Valid, false, XW([9], [3]));
        yield return new("conv1d same even K4", "conv1d", Same, false, XW([9], [4]));
        yield return new("conv1d same_lower even K4", "conv1d", SameLower, false, XW([9], [4]));
        yield return new("conv1d full K3", "conv1d", new() { Padding = Padding.Full }, false, XW([7], [3]));
        yield return new("conv1d explicit 2,0", "conv1d", new() { Padding = Padding.Explicit(0, 0, 2, 0) }, false, XW([8], [3]));
        yield return new("conv1d same stride 2 dilation 2", "conv1d", Same with { Strides = Pair.Of(2), Dilation = Pair.Of(2) }, false, XW([11], [4]));
        yield return new("conv1d reversal same_lower", "conv1d", SameLower with { Reversal = true }, false, XW([9], [4]));

        yield return new("conv2d valid 3x3", "conv2d", Valid, false, XW([6, 7], [3, 3]));
        yield return new("conv2d same even 2x4", "conv2d", Same, false, XW([5, 6], [2, 4]));
        yield return new("conv2d same_lower even 2x4", "conv2d", SameLower, false, XW([5, 6], [2, 4]));
        yield return new("conv2d explicit 0,2,1,0", "conv2d", new() { Padding = Padding.Explicit(0, 2, 1, 0) }, false, XW([5, 5], [3, 2]));
        yield return new("conv2d same strides 2,3 dilation 2,1", "conv2d",
            Same with { Strides = new Pair(2, 3), Dilation = new Pair(2, 1) }, false, XW([9, 10], [3, 3]));
        yield return new("conv2d full reversal 3x2", "conv2d", new() { Padding = Padding.Full, Reversal = true }, false, XW([4, 5], [3, 2]));
        yield return new("conv2d reversal same_lower 4x4 (scipy convolve2d same)", "conv2d",
            SameLower with { Reversal = true }, false, XW([7, 6], [4, 4]));

        foreach (var (name, attrs, w) in LayerVariants)
        {
            bool grouped = attrs.Groups > 1;
            yield return new("conv2d_layer " + name, "conv2d_layer", attrs, false, [("x", [2, 6, 5, 4]), ("w", w), ("b", [w[3]])]);
            if (!grouped) yield return new("conv2d_layer no bias " + name, "conv2d_layer", attrs, false, XW([2, 6, 5, 4], w));
            yield return new("conv2d_layer_backward " + name, "conv2d_layer_backward", attrs, false, XW([2, 6, 5, 4], w));
        }
        yield return new("conv2d_layer integers exact", "conv2d_layer", Same with { Groups = 2 }, true,
            [("x", [2, 6, 5, 4]), ("w", [3, 3, 2, 6]), ("b", [6])]);
        yield return new("conv2d_layer_backward integers exact", "conv2d_layer_backward",
            SameLower with { Strides = Pair.Of(2), Reversal = true }, true, XW([2, 6, 5, 4], [2, 4, 4, 3]));

        yield return new("relu", "relu", Valid, false, [("x", [3, 4])]);
        yield return new("relu integers with zeros", "relu", Valid, true, [("x", [4, 5])]);
        yield return new("relu_backward", "relu_backward", Valid, false, [("x", [3, 4])]);
        yield return new("relu_backward integers with zeros", "relu_backward", Valid, true, [("x", [4, 5])]);

        foreach (var (name, attrs) in PoolVariants)
            foreach (string op in new[] { "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward" })
                yield return new($"{op} {name}", op, attrs, false, [("x", [2, 6, 7, 3])]);
        foreach (var (name, attrs) in PoolVariants)
        {
            yield return new($"max_pool2d integers with ties {name}", "max_pool2d", attrs, true, [("x", [2, 6, 7, 3])]);
            yield return new($"max_pool2d_backward integers with ties {name}", "max_pool2d_backward", attrs, true, [("x", [2, 6, 7, 3])]);
        }

        yield return new("dense with bias", "dense", Valid, false, [("x", [3, 5]), ("w", [5, 4]), ("b", [4])]);
        yield return new("dense without bias", "dense", Valid, false, XW([3, 5], [5, 4]));
        yield return new("dense integers exact", "dense", Valid, true, [("x", [3, 6]), ("w", [6, 2]), ("b", [2])]);
        yield return new("dense_backward", "dense_backward", Valid, false, XW([3, 5], [5, 4]));
        yield return new("dense_backward integers exact", "dense_backward", Valid, true, XW([4, 3], [3, 5]));

        yield return new("flatten rank 4", "flatten", Valid, false, [("x", [2, 3, 4, 5])]);
        yield return new("flatten rank 2", "flatten", Valid, false, [("x", [3, 7])]);
        yield return new("softmax rank 2", "softmax", Valid, false, [("x", [3, 5])]);
        yield return new("softmax rank 3", "softmax", Valid, false, [("x", [2, 3, 4])]);
        yield return new("softmax_cross_entropy", "softmax_cross_entropy", Valid, false, [("x", [4, 5]), ("labels", [4])]);
        yield return new("softmax_cross_entropy_backward default dy", "softmax_cross_entropy_backward", Valid, false,
            [("x", [4, 5]), ("labels", [4])]);
        yield return new("softmax_cross_entropy_backward dy", "softmax_cross_entropy_backward", Valid, false,
            [("x", [4, 5]), ("labels", [4]), ("dy", [])]);
    }

    /// <summary>Every case name, for xunit's MemberData.</summary>
    public static IEnumerable<object[]> Names => All.Select(c => new object[] { new Whole(c.Name) });

    /// <summary>True when the case's inputs are small integers (for the exact-result checks).</summary>
    public static bool IsIntegerCase(string name) => Find(name).Integers;

    /// <summary>The call for case <paramref name="name"/>; dy (for backward ops) gets the forward output's shape.</summary>
    public static OpCall Call(string name)
    {
        var c = Find(name);
        var rng = new Random(StableSeed(c.Name));
        var inputs = new Dictionary<string, Tensor>();
        foreach (var (input, shape) in c.Inputs)
            inputs[input] = input == "labels" ? Labels(rng, shape, inputs["x"].Shape[1]) : Random(rng, shape, c.Integers);
        var info = OpCatalog.Get(c.Op);
        if (info.IsBackward && info.Inputs.Contains("dy"))
        {
            var forwardInputs = inputs.Where(kv => OpCatalog.Get(info.Forward!).AllInputs.Contains(kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            int[] yShape = OpCatalog.Evaluate(info.Forward!, forwardInputs, c.Attributes)["y"].Shape;
            inputs["dy"] = Random(rng, yShape, c.Integers);
        }
        return new OpCall(c.Op, inputs, c.Attributes);
    }

    /// <summary>A tensor of random floats in [−2, 2), or of integers in [−3, 3] (many ties and zeros).</summary>
    public static Tensor Random(Random rng, int[] shape, bool integers)
    {
        var data = new float[Tensor.SizeOf(shape, "shape")];
        for (int i = 0; i < data.Length; i++)
            data[i] = integers ? rng.Next(-3, 4) : (float)(rng.NextDouble() * 4 - 2);
        return Tensor.FromFloat(shape, data);
    }

    private static Tensor Labels(Random rng, int[] shape, int classes) =>
        new(shape, Enumerable.Range(0, shape[0]).Select(_ => (double)rng.Next(classes)).ToArray());

    private static Case Find(string name) => All.Single(c => c.Name == name);

    private static int StableSeed(string s) => s.Aggregate(17, (h, ch) => unchecked(h * 31 + ch));
}

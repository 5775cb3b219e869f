using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Reference;
using Conformance.Tests.Oracles;
using Conformance.Tests.Properties;
using Xunit;

namespace Conformance.Tests.Numerics;

/// <summary>
/// The special-value cases (group <c>special</c>) against results worked out by hand from
/// spec/special-values.md, the independent implementation, and the error model: an
/// output that depends on no NaN or ∞ keeps a finite bound (0 in the exact tier).
/// </summary>
public sealed class SpecialValueCaseTests
{
    private const double NaN = double.NaN, Inf = double.PositiveInfinity;

    /// <summary>Every case of the special group.</summary>
    public static IEnumerable<object[]> SpecialCases =>
        CaseCatalog.All.Where(c => c.Group == CaseCatalog.SpecialGroup).Select(c => new object[] { new Whole(c.Id) });

    private static IReadOnlyDictionary<string, Tensor> Reference(string id)
    {
        var call = CaseCatalog.Get(id).Build(PrecisionClass.Fp32);
        return OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
    }

    /// <summary>N for NaN, + and − for the infinities, f for a finite value, one character per element in row-major order.</summary>
    private static string Pattern(Tensor t) => string.Concat(t.Data.Select(v =>
        double.IsNaN(v) ? 'N' : double.IsPositiveInfinity(v) ? '+' : double.IsNegativeInfinity(v) ? '-' : 'f'));

    [Fact]
    public void TheGroupRunsInEveryModeAndCoversEveryForwardOp()
    {
        foreach (var mode in new[] { SuiteMode.Quick, SuiteMode.Default, SuiteMode.Thorough })
            Assert.Equal(SpecialCases.Count(), SuiteSettings.Cases(mode).Count(c => c.Group == CaseCatalog.SpecialGroup));
        var ops = CaseCatalog.All.Where(c => c.Group == CaseCatalog.SpecialGroup).Select(c => c.Op).ToHashSet();
        Assert.Subset(ops, OpCatalog.All.Where(o => !o.IsBackward).Select(o => o.Name).ToHashSet());
    }

    [Fact]
    public void ConvolutionsGiveNaNForInfTimesZeroAndForInfMinusInfAndNothingForPads()
    {
        TT.Exact(new Tensor([13], [1, NaN, NaN, 5, 7, Inf, Inf, 11, -Inf, NaN, Inf, 15, 8]),
            Reference("conv1d/special/nan-inf-full")["y"], "conv1d");
        Assert.Equal("N+fff" + "N+fff" + "fffff" + "ffffN", Pattern(Reference("conv2d/special/inf-meets-zero-weight")["y"]));
        // Per position (r, q): output channels 0 and 1.
        Assert.Equal(
            "++N+-+-+ffff" + "++NN-+-+ffff" + "ffffffffffff" + "ffffffffNNNN" + "ffffffffNNNN",
            Pattern(Reference("conv2d_layer/special/nan-inf-in-x-same")["y"]));
        Assert.Equal("+f+f-f+fNf+f", Pattern(Reference("conv2d_layer/special/inf-weight-valid")["y"]));
    }

    [Fact]
    public void LinearGradientsFollowTheSameArithmetic()
    {
        var x = Reference("conv2d_layer_backward/special/nan-inf-in-x-valid");
        Assert.Equal(new string('f', 12), Pattern(x["dx"]));
        Assert.Equal("Nff-", Pattern(x["dw"]));
        Assert.Equal("f", Pattern(x["db"]));
        var dy = Reference("conv2d_layer_backward/special/inf-in-dy-valid");
        Assert.Equal("+Nff" + "+-ff" + "ffff", Pattern(dy["dx"]));
        Assert.Equal("+++N", Pattern(dy["dw"]));
        Assert.Equal("+", Pattern(dy["db"]));
        var dense = Reference("dense/special/nan-inf")["y"];
        Assert.Equal("+-NN" + "NNNN" + "fff-" + "fff-", Pattern(dense));
        Assert.Equal([1.0, 1, 1, -Inf], dense.Data[12..]);
        var dg = Reference("dense_backward/special/nan-inf-in-x");
        Assert.Equal(new string('f', 16), Pattern(dg["dx"]));
        Assert.Equal("NNNN" + "+-N+" + "ffff" + "ffff", Pattern(dg["dw"]));
        Assert.Equal("ffff", Pattern(dg["db"]));
    }

    [Fact]
    public void SelectionOpsPropagateNaNAndKeepInfinities()
    {
        TT.Exact(new Tensor([2, 4], [NaN, Inf, 0, 1, 0, 0, 2, 0]), Reference("relu/special/nan-inf")["y"], "relu");
        TT.Exact(new Tensor([6], [NaN, Inf, 0, 0, 0, -Inf]), Reference("relu_backward/special/inf-x-nan-inf-dy")["dx"], "relu_backward");
        var flat = CaseCatalog.Get("flatten/special/nan-inf").Build(PrecisionClass.Fp32).Inputs["x"];
        TT.Exact(flat.Reshape(2, 4), Reference("flatten/special/nan-inf")["y"], "flatten");
    }

    [Fact]
    public void MaxPoolingPropagatesNaNAndRoutesToIt()
    {
        var y = Reference("max_pool2d/special/nan-inf-windows")["y"];
        Assert.Equal([NaN, Inf, -Inf, NaN, NaN, NaN, 4, 5], Enumerable.Range(0, 8).Select(i => y.Data[2 * i]).ToArray());
        Assert.All(Enumerable.Range(0, 8), i => Assert.True(double.IsFinite(y.Data[2 * i + 1]), "channel 1 holds no special value"));

        // Channel 0: each window's dy at its NaN, its +∞, its first −∞ or its maximum (dy of window (1,2) is NaN).
        var expected = Tensor.Zeros(4, 8);
        (int R, int Q, double Dy)[] routes = [(0, 1, 1), (1, 2, 3), (0, 4, 5), (0, 7, 7), (3, 1, 9), (2, 2, 11), (3, 4, NaN), (2, 7, 15)];
        foreach (var (r, q, d) in routes) expected[r, q] = d;
        var dx = Reference("max_pool2d_backward/special/one-nan-per-window")["dx"];
        TT.Exact(expected, new Tensor([4, 8], Enumerable.Range(0, 32).Select(i => dx.Data[2 * i]).ToArray()), "max_pool2d_backward channel 0");

        TT.Exact(new Tensor([1, 2, 2, 1], [-Inf, -Inf, -Inf, -Inf]), Reference("max_pool2d/special/minus-inf-same")["y"], "all −∞");
        TT.Exact(new Tensor([1, 3, 3, 1], [1, 0, 2, 0, 0, 0, 3, 0, 4]), Reference("max_pool2d_backward/special/minus-inf-same")["dx"],
            "all −∞: each dy to its window's first real sample");
    }

    [Fact]
    public void AveragePoolingAddsWhatItAverages()
    {
        TT.Exact(new Tensor([1, 3, 3, 1], [NaN, 5, Inf, NaN, 4, 5.5, 1.5, 3.5, -Inf]), Reference("avg_pool2d/special/nan-inf-same")["y"], "avg_pool2d");
        // Overlapping windows, dy/4 each; x (all NaN) only gives the shape.
        TT.Exact(new Tensor([1, 3, 5, 1], [Inf, NaN, -Inf, 0.75, 0.5, Inf, NaN, -Inf, NaN, NaN, 0.75, 1.75, 2.25, NaN, NaN]),
            Reference("avg_pool2d_backward/special/nan-inf-dy")["dx"], "avg_pool2d_backward");
    }

    [Fact]
    public void SoftmaxAndCrossEntropyGiveNaNRowsForNaNAndPlusInfinity()
    {
        var y = Reference("softmax/special/nan-inf-rows")["y"];
        Assert.Equal("NNN" + "NNN" + "fff" + "NNN" + "fff", Pattern(y));
        Assert.Equal(0.0, y[2, 1]);
        double Loss(string name) => Reference("softmax_cross_entropy/special/" + name)["loss"].Data[0];
        Assert.True(double.IsNaN(Loss("nan-logit")));
        Assert.True(double.IsNaN(Loss("plus-inf-logit")));
        Assert.Equal(Inf, Loss("label-logit-minus-inf"));
        Assert.True(double.IsFinite(Loss("other-logit-minus-inf")));
        var dx = Reference("softmax_cross_entropy_backward/special/nan-inf-rows")["dx"];
        Assert.Equal("NNN" + "fff" + "NNN" + "fff", Pattern(dx));
        Assert.Equal(0.0, dx[1, 0]);
    }

    /// <summary>The independent implementation gives the same NaN and ∞ in the same places, and finite values within 1e-12 relative.</summary>
    [Theory]
    [MemberData(nameof(SpecialCases))]
    public void TheIndependentImplementationAgrees(Whole id)
    {
        var call = CaseCatalog.Get(id).Build(PrecisionClass.Fp32);
        var oracle = IndependentOps.Evaluate(call.Op, call.Inputs, call.Attributes);
        foreach (var (name, actual) in OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes))
        {
            var expected = oracle[name];
            Assert.Equal(Pattern(expected), Pattern(actual));
            for (int i = 0; i < actual.Length; i++)
                if (double.IsFinite(actual.Data[i]))
                    Assert.True(Math.Abs(actual.Data[i] - expected.Data[i]) <= 1e-12 * (1 + Math.Abs(expected.Data[i])),
                        $"{id} {name}{Tensor.Format(actual.IndexOf(i))}: {actual.Data[i]} against {expected.Data[i]}");
        }
    }

    /// <summary>
    /// A NaN or ∞ in one window does not leak into another output's bound: every finite reference
    /// value gets a finite bound, and 0 (the exact tier) where the op is integer-exact and every
    /// finite input is an integer.
    /// </summary>
    [Theory]
    [MemberData(nameof(SpecialCases))]
    public void OutputsThatDependOnNoSpecialValueKeepAFiniteBound(Whole id)
    {
        var c = CaseCatalog.Get(id);
        var e = CaseRunner.Expect(c, PrecisionClass.Fp32);
        bool exact = Core.Numerics.ErrorModel.IntegerExactOps.Contains(c.Op)
            && e.Call.Inputs.Values.All(t => t.Data.All(v => !double.IsFinite(v) || v == Math.Floor(v)));
        foreach (var (name, y) in e.Outputs)
            for (int i = 0; i < y.Length; i++)
            {
                if (!double.IsFinite(y.Data[i])) continue;
                double bound = e.Bounds[name].Data[i];
                Assert.True(double.IsFinite(bound) && bound >= 0, $"{id} {name}{Tensor.Format(y.IndexOf(i))}: bound {bound}");
                if (exact) Assert.True(bound == 0, $"{id} {name}{Tensor.Format(y.IndexOf(i))}: bound {bound}, the exact tier owes 0");
            }
    }
}

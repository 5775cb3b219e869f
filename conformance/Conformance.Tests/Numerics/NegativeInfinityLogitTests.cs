using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Numerics;

/// <summary>
/// A −∞ logit (a masked class) adds exp(−∞ − m) = 0 to the softmax sum exactly, so the finite
/// elements of its row keep finite bounds (spec/numerics.md, softmax), and its own output is
/// exactly 0. Before, max|x − m| = ∞ made every bound of the row infinite, which under the rule
/// for unbounded elements would demand bit-exact results from a correct fp32 softmax.
/// </summary>
public sealed class NegativeInfinityLogitTests
{
    private static readonly double U = Math.Pow(2, -24);
    private static readonly double MinNormal = Math.Pow(2, -126);
    private const double Ninf = double.NegativeInfinity;

    /// <summary>What a buggy backend might be off by: the old placeholder tolerance let 1e-4 relative through.</summary>
    private const double RelativeBug = 1e-4;

    private static double Gamma(int n) => n * U / (1 - n * U);

    private static Expectation Softmax(int[] shape, params double[] x) =>
        CaseRunner.Expect(new OpCall("softmax", new Dictionary<string, Tensor> { ["x"] = new(shape, x) }, OpAttributes.Default),
            PrecisionClass.Fp32);

    [Fact]
    public void TwoClassRowWithAMaskedClassHasTheBoundOfAnExactOne()
    {
        // [0, −∞]: m = 0, max|x − m| = 0 and max|x| = 0 over the finite logits, C = 2, y = [1, 0].
        var e = Softmax([2], 0, Ninf);
        Assert.Equal([1.0, 0.0], e.Outputs["y"].Data);
        AssertRelative(Gamma(4) + 8 * U + MinNormal, e.Bounds["y"].Data[0]);
        Assert.Equal(0.0, e.Bounds["y"].Data[1]);
    }

    [Fact]
    public void ThreeClassRowBoundsMatchTheHandComputation()
    {
        // [1, 0, −∞]: m = 1, spread 1, max|x| 1, C = 3; the bracket is γ_5 + (2·4 + |x_j − m| + 1)·u + 2u·1.
        var e = Softmax([3], 1, 0, Ninf);
        double y0 = Math.E / (Math.E + 1), y1 = 1 / (Math.E + 1);
        Assert.Equal(y0, e.Outputs["y"].Data[0], 15);
        AssertRelative(y0 * (Gamma(5) + 11 * U) + MinNormal, e.Bounds["y"].Data[0]);
        AssertRelative(y1 * (Gamma(5) + 12 * U) + MinNormal, e.Bounds["y"].Data[1]);
        Assert.Equal(0.0, e.Bounds["y"].Data[2]);
    }

    [Fact]
    public void CorrectFp32SoftmaxPassesAndOneOffByATenThousandthFails()
    {
        double[] x = [3.5, Ninf, 0.25, -2, Ninf, Ninf, 1, 0, Ninf, -7.75];
        var e = Softmax([2, 5], x);
        Assert.All(e.Bounds["y"].Data, b => Assert.True(double.IsFinite(b), $"bound {b}"));
        float[] y = Fp32Softmax(x, 5);
        Assert.True(Judge(e, "y", y).Passed, Judge(e, "y", y).Describe());

        var off = y.Select(v => v * (float)(1 + RelativeBug)).ToArray();
        var r = Judge(e, "y", off);
        Assert.False(r.Passed);
        Assert.Equal("error exceeds the bound", r.Problem);
        Assert.True(r.MaxRatio > 10, $"ratio {r.MaxRatio}");
    }

    [Fact]
    public void TheMaskedClassMustBeExactlyZero()
    {
        double[] x = [1, 0, Ninf];
        var e = Softmax([3], x);
        float[] y = Fp32Softmax(x, 3);
        y[2] = float.Epsilon;
        var r = Judge(e, "y", y);
        Assert.False(r.Passed);
        Assert.Equal([2], r.WorstIndex);
    }

    [Fact]
    public void CrossEntropyWithAMaskedClassHasAFiniteBoundThatCatchesATenThousandth()
    {
        double[] x = [1, 0, Ninf, 2, Ninf, 0.5];
        var e = CrossEntropy("softmax_cross_entropy", x, labels: [0, 2]);
        double bound = e.Bounds["loss"].Data[0];
        Assert.True(double.IsFinite(bound) && bound > 0, $"bound {bound}");
        float loss = Fp32CrossEntropy(x, 3, [0, 2]);
        Assert.True(Judge(e, "loss", [loss]).Passed, Judge(e, "loss", [loss]).Describe());
        Assert.False(Judge(e, "loss", [loss * (float)(1 + RelativeBug)]).Passed);
    }

    [Fact]
    public void CrossEntropyWhoseLabelIsMaskedOwesPlusInfinity()
    {
        var e = CrossEntropy("softmax_cross_entropy", [1, 0, Ninf], labels: [2]);
        Assert.Equal(double.PositiveInfinity, e.Outputs["loss"].Data[0]);
        Assert.True(Judge(e, "loss", [float.PositiveInfinity]).Passed);
        Assert.False(Judge(e, "loss", [float.MaxValue]).Passed);
    }

    [Fact]
    public void CrossEntropyBackwardWithAMaskedClassHasFiniteBounds()
    {
        double[] x = [1, 0, Ninf, 2, Ninf, 0.5];
        var e = CrossEntropy("softmax_cross_entropy_backward", x, labels: [0, 2]);
        Assert.All(e.Bounds["dx"].Data, b => Assert.True(double.IsFinite(b), $"bound {b}"));
        // dx = (softmax − one-hot)/B, in fp32.
        float[] y = Fp32Softmax(x, 3);
        float[] dx = y.Select((v, i) => (v - (i == 0 || i == 5 ? 1f : 0f)) / 2f).ToArray();
        Assert.True(Judge(e, "dx", dx).Passed, Judge(e, "dx", dx).Describe());
        dx[1] *= (float)(1 + RelativeBug);
        Assert.False(Judge(e, "dx", dx).Passed);
    }

    /// <summary>Equal to 1e-12 relative: the bound's own double arithmetic, far below the u = 6e-8 terms it is made of.</summary>
    private static void AssertRelative(double expected, double actual) =>
        Assert.Equal(expected, actual, Math.Abs(expected) * 1e-12);

    private static Expectation CrossEntropy(string op, double[] x, double[] labels) =>
        CaseRunner.Expect(new OpCall(op, new Dictionary<string, Tensor>
        {
            ["x"] = new([labels.Length, x.Length / labels.Length], x), ["labels"] = new([labels.Length], labels),
        }, OpAttributes.Default), PrecisionClass.Fp32);

    private static OutputReport Judge(Expectation e, string output, float[] actual) =>
        Comparison.Compare(output, e.Outputs[output], Tensor.FromFloat(e.Outputs[output].Shape, actual), e.Bounds[output], PrecisionClass.Fp32);

    /// <summary>The max-shifted softmax in float arithmetic, as a correct fp32 backend computes it.</summary>
    private static float[] Fp32Softmax(double[] x, int c)
    {
        var y = new float[x.Length];
        for (int row = 0; row < x.Length / c; row++)
        {
            float m = float.NegativeInfinity, s = 0;
            for (int j = 0; j < c; j++) m = MathF.Max(m, (float)x[row * c + j]);
            for (int j = 0; j < c; j++) s += y[row * c + j] = MathF.Exp((float)x[row * c + j] - m);
            for (int j = 0; j < c; j++) y[row * c + j] /= s;
        }
        return y;
    }

    private static float Fp32CrossEntropy(double[] x, int c, int[] labels)
    {
        float total = 0;
        for (int b = 0; b < labels.Length; b++)
        {
            float m = float.NegativeInfinity, s = 0;
            for (int j = 0; j < c; j++) m = MathF.Max(m, (float)x[b * c + j]);
            for (int j = 0; j < c; j++) s += MathF.Exp((float)x[b * c + j] - m);
            total += m + MathF.Log(s) - (float)x[b * c + labels[b]];
        }
        return total / labels.Length;
    }
}

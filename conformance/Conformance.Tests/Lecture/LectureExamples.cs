using Conformance.Reference;
using Conformance.Tests.Properties;
using Xunit;

namespace Conformance.Tests.Lecture;

/// <summary>
/// The worked examples of lecture 10 (shared/seed/lecture-10-cnn.txt). Hand-written expected
/// values appear only here, each copied from the lecture or derivable from it by hand.
/// </summary>
public class LectureExamples
{
    private static readonly double[,] Gx = { { 1, 0, -1 }, { 2, 0, -2 }, { 1, 0, -1 } };
    private static readonly double[,] Gy = { { 1, 2, 1 }, { 0, 0, 0 }, { -1, -2, -1 } };

    private static Tensor T2(double[,] v)
    {
        var t = Tensor.Zeros(v.GetLength(0), v.GetLength(1));
        for (int i = 0; i < v.GetLength(0); i++)
            for (int j = 0; j < v.GetLength(1); j++) t[i, j] = v[i, j];
        return t;
    }

    private static OpAttributes Attrs(Padding p, bool reversal) => new() { Padding = p, Reversal = reversal };

    private static Tensor Conv2d(Tensor x, Tensor w, OpAttributes a) => Ref.One("conv2d", a, ("x", x), ("w", w));

    [Fact]
    public void OneDimensionalExampleWithReversalIsFull_1_4_7_10_8()
    {
        var y = Ref.One("conv1d", Attrs(Padding.Full, true), ("x", new Tensor([4], [1, 2, 3, 4])), ("w", new Tensor([2], [1, 2])));
        TT.Exact(new Tensor([5], [1, 4, 7, 10, 8]), y, "z = w * x");
    }

    [Fact]
    public void OneDimensionalExampleWithoutReversalIsTheSlidingCorrelation()
    {
        // z[n] = Σ w[k] x[n+k] over the zero-padded x: [2, 5, 8, 11, 4] (w[1]x[0] = 2 first).
        var y = Ref.One("conv1d", Attrs(Padding.Full, false), ("x", new Tensor([4], [1, 2, 3, 4])), ("w", new Tensor([2], [1, 2])));
        TT.Exact(new Tensor([5], [2, 5, 8, 11, 4]), y, "correlation");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FiveByFiveImageWithXKernelValid(bool reversal)
    {
        var x = T2(new double[,] { { 1, 1, 1, 0, 0 }, { 0, 1, 1, 1, 0 }, { 0, 0, 1, 1, 1 }, { 0, 0, 1, 1, 0 }, { 0, 1, 1, 0, 0 } });
        var w = T2(new double[,] { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 0, 1 } });
        // The kernel equals its own flip (W = W~), so reversal does not change the result.
        var y = Conv2d(x, w, Attrs(Padding.Valid, reversal));
        TT.Exact(T2(new double[,] { { 4, 3, 4 }, { 2, 4, 3 }, { 2, 3, 4 } }), y, "convolved feature");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SobelOfConstantImageIsZero(bool reversal)
    {
        var x = Tensor.Zeros(6, 7).Map(_ => 5.0);
        foreach (var g in new[] { Gx, Gy })
            TT.Exact(Tensor.Zeros(4, 5), Conv2d(x, T2(g), Attrs(Padding.Valid, reversal)), "gradient of a constant image");
    }

    [Fact]
    public void SobelGxWithoutReversalIsPositiveOnADecreaseInX()
    {
        // Columns 1,1,0,0: every window sees (left − right column)·(1+2+1) = 4.
        var x = T2(new double[,] { { 1, 1, 0, 0 }, { 1, 1, 0, 0 }, { 1, 1, 0, 0 } });
        TT.Exact(T2(new double[,] { { 4, 4 } }), Conv2d(x, T2(Gx), Attrs(Padding.Valid, false)), "Zx on a white-to-black edge");
        TT.Exact(T2(new double[,] { { 0, 0 } }), Conv2d(x, T2(Gy), Attrs(Padding.Valid, false)), "Zy on a vertical edge");
    }

    [Fact]
    public void Image512WithThreeByThreeValidIs510AndScipyFlipMatchesKeras()
    {
        var x = new Tensor([512, 512], Enumerable.Range(0, 512 * 512).Select(i => (double)((i * 7919) % 251)).ToArray());
        // The lecture flips Gx and calls scipy convolve2d (reversal) to get Keras' correlation.
        var scipy = Conv2d(x, TT.Reverse(T2(Gx)), Attrs(Padding.Valid, true));
        var keras = Conv2d(x, T2(Gx), Attrs(Padding.Valid, false));
        Assert.Equal([510, 510], scipy.Shape);
        TT.Exact(keras, scipy, "convolve2d(im, flip(Gx)) vs correlation with Gx");
    }

    [Fact]
    public void KerasSobelLayerGivesTheTwoGradientImages()
    {
        // Conv2D(2, (3,3)) on (N,N,1): W[:,:,0,0] = Gx, W[:,:,0,1] = Gy, b = 0; 3·3·1·2 + 2 = 20 parameters.
        var w = Tensor.Zeros(3, 3, 1, 2);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                w[i, j, 0, 0] = Gx[i, j];
                w[i, j, 0, 1] = Gy[i, j];
            }
        var b = Tensor.Zeros(2);
        Assert.Equal(20, w.Length + b.Length);
        var x = new Tensor([1, 12, 10, 1], Enumerable.Range(0, 120).Select(i => (double)((i * 37) % 17)).ToArray());
        var y = Ref.Layer(x, w, b, Attrs(Padding.Valid, false));
        Assert.Equal([1, 10, 8, 2], y.Shape);
        var plane = TT.Plane(x, 0, 0);
        TT.Exact(Conv2d(plane, T2(Gx), Attrs(Padding.Valid, false)), TT.Plane(y, 0, 0), "y[:,:,0] = Gx correlation");
        TT.Exact(Conv2d(plane, T2(Gy), Attrs(Padding.Valid, false)), TT.Plane(y, 0, 1), "y[:,:,1] = Gy correlation");
    }

    [Fact]
    public void ColourLayerShapeAndParameterCount()
    {
        // 9×9 kernel, 3 → 4 channels on a 368×487×3 image: (None, 360, 479, 4) and 976 parameters.
        var w = Tensor.Zeros(9, 9, 3, 4);
        var b = Tensor.Zeros(4);
        var g = LayerGeometry.Of(Tensor.Zeros(1, 368, 487, 3), w, b, OpAttributes.Default);
        Assert.Equal([1, 360, 479, 4], g.OutputShape);
        Assert.Equal(976, w.Length + b.Length);
    }

    [Fact]
    public void ColourLayerRunsOnTheFullImage()
    {
        // The real 368×487×3 input through the 9×9×3×4 layer (≈175M multiply-adds, a few seconds once).
        var x = new Tensor([1, 368, 487, 3], Enumerable.Range(0, 368 * 487 * 3).Select(i => (double)((i * 31) % 11 - 5)).ToArray());
        var w = new Tensor([9, 9, 3, 4], Enumerable.Range(0, 972).Select(i => (double)((i * 7) % 5 - 2)).ToArray());
        var b = new Tensor([4], [1, -1, 2, 0]);
        var y = Ref.Layer(x, w, b, OpAttributes.Default);
        Assert.Equal([1, 360, 479, 4], y.Shape);
        // Spot checks straight from Z[i1,i2,m] = Σ W[k1,k2,n,m]·X[i1+k1, i2+k2, n] + b[m].
        foreach (var (i1, i2, m) in new[] { (0, 0, 0), (359, 478, 3), (123, 456, 1), (200, 7, 2) })
        {
            double z = b.Data[m];
            for (int k1 = 0; k1 < 9; k1++)
                for (int k2 = 0; k2 < 9; k2++)
                    for (int n = 0; n < 3; n++) z += w[k1, k2, n, m] * x[0, i1 + k1, i2 + k2, n];
            Assert.Equal(z, y[0, i1, i2, m]);
        }
    }

    [Fact]
    public void ColourLayerIsSpaceFilterTimesColourWeights()
    {
        // W[i,j,k,l] = G[i,j]·C[l,k]: by linearity y[:,:,l] = G ⋆ (Σ_k C[l,k]·x[:,:,k]).
        double[,] c = { { 1, -0.5, -0.5 }, { -0.5, 1, -0.5 }, { -0.5, -0.5, 1 }, { 0.5, -1, 0.5 } };
        var g = new Tensor([9, 9], Enumerable.Range(0, 81).Select(i => (double)(1 + (i % 5))).ToArray());
        var w = Tensor.Zeros(9, 9, 3, 4);
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 9; j++)
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < 4; l++) w[i, j, k, l] = g[i, j] * c[l, k];
        var x = new Tensor([1, 14, 12, 3], Enumerable.Range(0, 14 * 12 * 3).Select(i => (double)((i * 13) % 9)).ToArray());
        var y = Ref.Layer(x, w, Tensor.Zeros(4), OpAttributes.Default);
        Assert.Equal([1, 6, 4, 4], y.Shape);
        for (int l = 0; l < 4; l++)
        {
            var mixed = Tensor.Zeros(14, 12);
            for (int k = 0; k < 3; k++) mixed = TT.Combine(mixed, 1, TT.Plane(x, 0, k), c[l, k]);
            // Halves and integers: every product and partial sum is exact, so equality is exact.
            TT.Exact(Conv2d(mixed, g, OpAttributes.Default), TT.Plane(y, 0, l), $"output channel {l}");
        }
    }

    [Fact]
    public void LeNetFirstLayerShape()
    {
        // 32×32 image filtered by 6 channels 5×5 each creates 6×28×28 outputs.
        var g = LayerGeometry.Of(Tensor.Zeros(1, 32, 32, 1), Tensor.Zeros(5, 5, 1, 6), null, OpAttributes.Default);
        Assert.Equal([1, 28, 28, 6], g.OutputShape);
    }

    [Fact]
    public void Vgg16FirstBlockShapesAndParameters()
    {
        var same = new OpAttributes { Padding = Padding.Same };
        // Parameters = K1·K2·Cin·Cout + Cout, counted on the tensors the layer accepted.
        Tensor w1 = Tensor.Zeros(3, 3, 3, 64), w2 = Tensor.Zeros(3, 3, 64, 64), b = Tensor.Zeros(64);
        var conv1 = LayerGeometry.Of(Tensor.Zeros(1, 224, 224, 3), w1, b, same);
        Assert.Equal([1, 224, 224, 64], conv1.OutputShape);
        Assert.Equal(1792, w1.Length + b.Length);
        var conv2 = LayerGeometry.Of(Tensor.Zeros(1, 224, 224, 64), w2, b, same);
        Assert.Equal([1, 224, 224, 64], conv2.OutputShape);
        Assert.Equal(36928, w2.Length + b.Length);
        var pool = PoolGeometry.Of(Tensor.Zeros(1, 224, 224, 64), new OpAttributes { Pool = Pair.Of(2) });
        Assert.Equal([1, 112, 112, 64], pool.OutputShape);
        var block5 = PoolGeometry.Of(Tensor.Zeros(1, 14, 14, 512), new OpAttributes { Pool = Pair.Of(2) });
        Assert.Equal([1, 7, 7, 512], block5.OutputShape);
        var flat = Ref.One("flatten", OpAttributes.Default, ("x", Tensor.Zeros(1, 7, 7, 512)));
        Assert.Equal([1, 25088], flat.Shape);
    }
}

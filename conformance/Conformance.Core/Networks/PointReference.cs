using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>
/// Single elements of the reference's linear ops, each with its magnitude term Σ|terms|: the
/// value a chained check needs at a golden's sampled positions without running the whole op
/// (VGG16's convolutions cost seconds each in the reference; one element costs microseconds).
/// Every sum runs in the reference's order (spec/layers.md, spec/gradients.md), so the value is
/// bitwise the reference's.
/// </summary>
public static class PointReference
{
    /// <summary>Ops evaluated here one element at a time; every other op is cheap enough to run whole.</summary>
    public static readonly IReadOnlySet<string> Ops = new HashSet<string>
        { "conv2d_layer", "conv2d_layer_backward", "dense", "dense_backward" };

    /// <summary>Output <paramref name="output"/> of <paramref name="call"/> at row-major <paramref name="offset"/>: value and magnitude.</summary>
    public static (double Value, double Magnitude) At(OpCall call, string output, long offset)
    {
        var x = call.Inputs["x"];
        var w = call.Inputs["w"];
        return call.Op switch
        {
            "conv2d_layer" => ConvForward(x, w, call.Inputs.GetValueOrDefault("b"), call.Attributes, offset),
            "conv2d_layer_backward" => ConvBackward(x, w, call.Inputs["dy"], call.Attributes, output, offset),
            "dense" => DenseForward(x, w, call.Inputs.GetValueOrDefault("b"), offset),
            "dense_backward" => DenseBackward(x, w, call.Inputs["dy"], output, offset),
            _ => throw new InvalidOperationException($"{call.Op} has no point evaluation"),
        };
    }

    /// <summary>The shape the reference gives output <paramref name="output"/> of <paramref name="call"/>.</summary>
    public static int[] Shape(OpCall call, string output)
    {
        var x = call.Inputs["x"];
        var w = call.Inputs["w"];
        return (call.Op, output) switch
        {
            ("conv2d_layer", _) => LayerGeometry.Of(x, w, call.Inputs.GetValueOrDefault("b"), call.Attributes).OutputShape,
            ("dense", _) => [Check.Dense(x, w).Batch, w.Shape[1]],
            (_, "dx") => x.Shape,
            (_, "dw") => w.Shape,
            _ => [w.Shape[^1]],
        };
    }

    private static (double, double) ConvForward(Tensor x, Tensor w, Tensor? bias, OpAttributes a, long offset)
    {
        var g = LayerGeometry.Of(x, w, bias, a);
        int[] i = IndexOf(g.OutputShape, offset);
        int b = i[0], m = i[3], group = m / g.CoutPerGroup;
        double sum = 0, mag = 0;
        for (int k1 = 0; k1 < g.K1; k1++)
        {
            int r = i[1] * g.S1 + k1 * g.D1 - g.Out1.Before;
            if (r < 0 || r >= g.N1) continue;
            for (int k2 = 0; k2 < g.K2; k2++)
            {
                int c = i[2] * g.S2 + k2 * g.D2 - g.Out2.Before;
                if (c < 0 || c >= g.N2) continue;
                for (int n = 0; n < g.CinPerGroup; n++)
                {
                    double wv = Kernel(w, a, k1, k2, n, m), xv = x[b, r, c, group * g.CinPerGroup + n];
                    sum += wv * xv;
                    mag += Math.Abs(wv * xv);
                }
            }
        }
        if (bias != null) { sum += bias.Data[m]; mag += Math.Abs(bias.Data[m]); }
        return (sum, mag);
    }

    private static (double, double) ConvBackward(Tensor x, Tensor w, Tensor dy, OpAttributes a, string output, long offset)
    {
        var g = LayerGeometry.Of(x, w, null, a);
        int m1 = g.Out1.OutputSize, m2 = g.Out2.OutputSize;
        double sum = 0, mag = 0;
        void Add(double p, double q) { sum += p * q; mag += Math.Abs(p * q); }
        switch (output)
        {
            case "dx":
            {
                int[] i = IndexOf(x.Shape, offset);
                int b = i[0], r = i[1], c = i[2], group = i[3] / g.CinPerGroup, n = i[3] % g.CinPerGroup;
                for (int m = group * g.CoutPerGroup; m < (group + 1) * g.CoutPerGroup; m++)
                    for (int k1 = 0; k1 < g.K1; k1++)
                    {
                        int t1 = r + g.Out1.Before - k1 * g.D1;
                        if (t1 < 0 || t1 % g.S1 != 0 || t1 / g.S1 >= m1) continue;
                        for (int k2 = 0; k2 < g.K2; k2++)
                        {
                            int t2 = c + g.Out2.Before - k2 * g.D2;
                            if (t2 < 0 || t2 % g.S2 != 0 || t2 / g.S2 >= m2) continue;
                            Add(Kernel(w, a, k1, k2, n, m), dy[b, t1 / g.S1, t2 / g.S2, m]);
                        }
                    }
                return (sum, mag);
            }
            case "dw":
            {
                // With reversal the reference computes dW of the flipped kernel and flips it back.
                int[] i = IndexOf(w.Shape, offset);
                int k1 = a.Reversal ? g.K1 - 1 - i[0] : i[0], k2 = a.Reversal ? g.K2 - 1 - i[1] : i[1], n = i[2], m = i[3];
                int ch = m / g.CoutPerGroup * g.CinPerGroup + n;
                for (int b = 0; b < g.Batch; b++)
                    for (int i1 = 0; i1 < m1; i1++)
                    {
                        int r = i1 * g.S1 + k1 * g.D1 - g.Out1.Before;
                        if (r < 0 || r >= g.N1) continue;
                        for (int i2 = 0; i2 < m2; i2++)
                        {
                            int c = i2 * g.S2 + k2 * g.D2 - g.Out2.Before;
                            if (c >= 0 && c < g.N2) Add(dy[b, i1, i2, m], x[b, r, c, ch]);
                        }
                    }
                return (sum, mag);
            }
            default:
            {
                int m = (int)offset;
                for (int b = 0; b < g.Batch; b++)
                    for (int i1 = 0; i1 < m1; i1++)
                        for (int i2 = 0; i2 < m2; i2++) Add(dy[b, i1, i2, m], 1);
                return (sum, mag);
            }
        }
    }

    private static (double, double) DenseForward(Tensor x, Tensor w, Tensor? bias, long offset)
    {
        int nout = w.Shape[1], b = (int)(offset / nout), j = (int)(offset % nout);
        double sum = 0, mag = 0;
        for (int i = 0; i < x.Shape[1]; i++) { double p = x[b, i] * w[i, j]; sum += p; mag += Math.Abs(p); }
        if (bias != null) { sum += bias.Data[j]; mag += Math.Abs(bias.Data[j]); }
        return (sum, mag);
    }

    private static (double, double) DenseBackward(Tensor x, Tensor w, Tensor dy, string output, long offset)
    {
        int batch = x.Shape[0], nin = x.Shape[1], nout = w.Shape[1];
        double sum = 0, mag = 0;
        void Add(double p) { sum += p; mag += Math.Abs(p); }
        switch (output)
        {
            case "dx":
            {
                int b = (int)(offset / nin), i = (int)(offset % nin);
                for (int j = 0; j < nout; j++) Add(dy[b, j] * w[i, j]);
                break;
            }
            case "dw":
            {
                int i = (int)(offset / nout), j = (int)(offset % nout);
                for (int b = 0; b < batch; b++) Add(x[b, i] * dy[b, j]);
                break;
            }
            default:
                for (int b = 0; b < batch; b++) Add(dy[b, (int)offset]);
                break;
        }
        return (sum, mag);
    }

    private static double Kernel(Tensor w, OpAttributes a, int k1, int k2, int n, int m) =>
        a.Reversal ? w[w.Shape[0] - 1 - k1, w.Shape[1] - 1 - k2, n, m] : w[k1, k2, n, m];

    /// <summary>The full index of a row-major offset into <paramref name="shape"/>.</summary>
    private static int[] IndexOf(int[] shape, long offset)
    {
        var index = new int[shape.Length];
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            index[a] = (int)(offset % shape[a]);
            offset /= shape[a];
        }
        return index;
    }
}

namespace Conformance.Reference;

/// <summary>relu, softmax and softmax_cross_entropy with their backward ops (spec/pooling-activation-dense.md).</summary>
public static class Activation
{
    /// <summary>y = max(x, 0) element-wise; NaN stays NaN (spec/special-values.md).</summary>
    [Op("relu")]
    public static Tensor Relu(Tensor x) => x.Map(v => v > 0 || double.IsNaN(v) ? v : 0.0);

    /// <summary>dx = dy where x &gt; 0, else 0 (the derivative at exactly 0 is 0).</summary>
    [Op("relu_backward")]
    public static Tensor ReluBackward(Tensor x, Tensor dy)
    {
        Check.Shape(dy, x.Shape, "dy");
        var dx = Tensor.Zeros(x.Shape);
        for (int i = 0; i < x.Length; i++) dx.Data[i] = x.Data[i] > 0 ? dy.Data[i] : 0.0;
        return dx;
    }

    /// <summary>y[…,j] = exp(x[…,j] − m) / Σ_k exp(x[…,k] − m) over the last axis, m the row maximum.</summary>
    [Op("softmax")]
    public static Tensor Softmax(Tensor x)
    {
        int c = Check.Softmax(x);
        var y = Tensor.Zeros(x.Shape);
        for (int row = 0; row < x.Length / c; row++)
        {
            double m = double.NegativeInfinity;
            for (int j = 0; j < c; j++) m = Math.Max(m, x.Data[row * c + j]);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.Exp(x.Data[row * c + j] - m);
            for (int j = 0; j < c; j++) y.Data[row * c + j] = Math.Exp(x.Data[row * c + j] - m) / sum;
        }
        return y;
    }

    /// <summary>loss = (1/B) Σ_b (m_b + log Σ_j exp(x[b,j] − m_b) − x[b, labels[b]]): mean cross-entropy of softmax(x).</summary>
    [Op("softmax_cross_entropy")]
    public static Tensor SoftmaxCrossEntropy(Tensor x, Tensor labels)
    {
        int[] l = Check.Labels(x, labels);
        int b = x.Shape[0], c = x.Shape[1];
        double total = 0;
        for (int i = 0; i < b; i++)
        {
            double m = double.NegativeInfinity;
            for (int j = 0; j < c; j++) m = Math.Max(m, x[i, j]);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.Exp(x[i, j] - m);
            total += m + Math.Log(sum) - x[i, l[i]];
        }
        return new Tensor([], [total / b]);
    }

    /// <summary>dx[b,j] = dy·(softmax(x)[b,j] − [j = labels[b]]) / B; dy is the scalar upstream gradient (default 1).</summary>
    [Op("softmax_cross_entropy_backward")]
    public static Tensor SoftmaxCrossEntropyBackward(Tensor x, Tensor labels, Tensor? dy)
    {
        int[] l = Check.Labels(x, labels);
        double upstream = 1.0;
        if (dy != null)
        {
            if (dy.Length != 1) throw new OpArgumentException("dy", "a scalar (shape [] or [1])", $"shape {Tensor.Format(dy.Shape)}");
            upstream = dy.Data[0];
        }
        var y = Softmax(x);
        int b = x.Shape[0];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < x.Shape[1]; j++)
                y[i, j] = upstream * (y[i, j] - (j == l[i] ? 1.0 : 0.0)) / b;
        return y;
    }
}

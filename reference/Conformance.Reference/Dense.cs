namespace Conformance.Reference;

/// <summary>dense, dense_backward and flatten (spec/pooling-activation-dense.md).</summary>
public static class Dense
{
    /// <summary>y[b,j] = Σ_i x[b,i]·W[i,j] + b[j], summed over i in order, bias last.</summary>
    [Op("dense")]
    public static Tensor Forward(Tensor x, Tensor w, Tensor? bias)
    {
        var (batch, nin, nout) = Check.Dense(x, w);
        if (bias != null) Check.Shape(bias, [nout], "b");
        var y = Tensor.Zeros(batch, nout);
        Parallel.For(0, batch, Parallelism.Options, b =>
        {
            for (int j = 0; j < nout; j++)
            {
                double sum = 0;
                for (int i = 0; i < nin; i++) sum += x[b, i] * w[i, j];
                if (bias != null) sum += bias.Data[j];
                y[b, j] = sum;
            }
        });
        return y;
    }

    /// <summary>dx = dy·Wᵀ, dW = xᵀ·dy, db[j] = Σ_b dy[b,j].</summary>
    [Op("dense_backward")]
    public static (Tensor Dx, Tensor Dw, Tensor Db) Backward(Tensor x, Tensor w, Tensor dy)
    {
        var (batch, nin, nout) = Check.Dense(x, w);
        Check.Shape(dy, [batch, nout], "dy");
        var dx = Tensor.Zeros(batch, nin);
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < nin; i++)
            {
                double sum = 0;
                for (int j = 0; j < nout; j++) sum += dy[b, j] * w[i, j];
                dx[b, i] = sum;
            }
        var dw = Tensor.Zeros(nin, nout);
        for (int i = 0; i < nin; i++)
            for (int j = 0; j < nout; j++)
            {
                double sum = 0;
                for (int b = 0; b < batch; b++) sum += x[b, i] * dy[b, j];
                dw[i, j] = sum;
            }
        var db = Tensor.Zeros(nout);
        for (int j = 0; j < nout; j++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++) sum += dy[b, j];
            db.Data[j] = sum;
        }
        return (dx, dw, db);
    }

    /// <summary>[B, d1, …, dk] → [B, d1·…·dk], keeping row-major (NHWC, Keras channels_last) order.</summary>
    [Op("flatten")]
    public static Tensor Flatten(Tensor x)
    {
        int rest = Check.Flatten(x);
        return new Tensor([x.Shape[0], rest], (double[])x.Data.Clone());
    }
}

namespace Conformance.Reference;

/// <summary>Argument checks shared by the reference ops; each failure names the argument, the expectation and the value.</summary>
public static class Check
{
    /// <summary>Requires <paramref name="t"/> to have exactly <paramref name="rank"/> axes.</summary>
    public static void Rank(Tensor t, int rank, string argument, string layout)
    {
        ArgumentNullException.ThrowIfNull(t, argument);
        if (t.Rank != rank)
            throw new OpArgumentException(argument, $"rank {rank} {layout}", $"shape {Tensor.Format(t.Shape)}");
    }

    /// <summary>Requires <paramref name="t"/> to have the given shape.</summary>
    public static void Shape(Tensor t, int[] shape, string argument)
    {
        ArgumentNullException.ThrowIfNull(t, argument);
        if (!t.Shape.SequenceEqual(shape))
            throw new OpArgumentException(argument, $"shape {Tensor.Format(shape)}", $"shape {Tensor.Format(t.Shape)}");
    }

    /// <summary>Requires every extent to be at least 1.</summary>
    public static void NonEmpty(Tensor t, string argument)
    {
        if (t.Shape.Any(d => d < 1))
            throw new OpArgumentException(argument, "every extent at least 1", $"shape {Tensor.Format(t.Shape)}");
    }

    /// <summary>Requires two values to be equal, naming what they are.</summary>
    public static void Equal(int actual, int expected, string argument, string what)
    {
        if (actual != expected)
            throw new OpArgumentException(argument, $"{what} = {expected}", $"{actual}");
    }

    /// <summary>Validates logits x[B,C] and labels[B] (integers in [0, C)) and returns the labels as ints.</summary>
    public static int[] Labels(Tensor x, Tensor labels)
    {
        Rank(x, 2, "x", "[B,C] (logits)");
        NonEmpty(x, "x");
        Shape(labels, [x.Shape[0]], "labels");
        var l = new int[labels.Length];
        for (int i = 0; i < l.Length; i++)
        {
            double v = labels.Data[i];
            if (v != Math.Floor(v) || v < 0 || v >= x.Shape[1])
                throw new OpArgumentException("labels", $"integers in [0, {x.Shape[1]})", $"{v} at index {i}");
            l[i] = (int)v;
        }
        return l;
    }

    /// <summary>Validates dense's x[B,Nin] and w[Nin,Nout] and returns (B, Nin, Nout).</summary>
    public static (int Batch, int Nin, int Nout) Dense(Tensor x, Tensor w)
    {
        Rank(x, 2, "x", "[B,Nin]");
        Rank(w, 2, "w", "[Nin,Nout]");
        Equal(w.Shape[0], x.Shape[1], "w", "axis 0 (Nin) matching x's axis 1");
        return (x.Shape[0], x.Shape[1], w.Shape[1]);
    }

    /// <summary>Validates flatten's x[B, ...] and returns the flattened length of one sample.</summary>
    public static int Flatten(Tensor x)
    {
        if (x.Rank < 1) throw new OpArgumentException("x", "rank at least 1 [B,...]", "a scalar");
        return Tensor.SizeOf(x.Shape[1..], "x");
    }

    /// <summary>Validates softmax's x (rank at least 1, no empty axis) and returns the length of its last axis.</summary>
    public static int Softmax(Tensor x)
    {
        if (x.Rank < 1) throw new OpArgumentException("x", "rank at least 1", "a scalar");
        NonEmpty(x, "x");
        return x.Shape[^1];
    }
}

using System.Globalization;
using Conformance.Reference;

namespace Conformance.Tests.Properties;

/// <summary>Formats tensors with their data so that a failing FsCheck case can be read and rerun by hand.</summary>
public static class Describe
{
    /// <summary>shape and row-major data, round-trippable.</summary>
    public static string Of(Tensor? t) => t is null
        ? "none"
        : $"{Tensor.Format(t.Shape)}{{{string.Join(" ", t.Data.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}}";
}

/// <summary>A conv1d call: x[N], w[K].</summary>
public sealed record Conv1dCase(Tensor X, Tensor W, OpAttributes A)
{
    /// <inheritdoc />
    public override string ToString() => $"conv1d x={Describe.Of(X)} w={Describe.Of(W)} {A}";
}

/// <summary>A conv2d call: x[N1,N2], w[K1,K2].</summary>
public sealed record Conv2dCase(Tensor X, Tensor W, OpAttributes A)
{
    /// <inheritdoc />
    public override string ToString() => $"conv2d x={Describe.Of(X)} w={Describe.Of(W)} {A}";
}

/// <summary>A conv2d_layer call with an upstream gradient dy of the output's shape. Integer data.</summary>
public sealed record LayerCase(Tensor X, Tensor W, Tensor? B, Tensor Dy, OpAttributes A)
{
    /// <summary>Input channels.</summary>
    public int Cin => X.Shape[3];

    /// <summary>Output channels.</summary>
    public int Cout => W.Shape[3];

    /// <summary>Inputs for OpCatalog.Evaluate("conv2d_layer").</summary>
    public Dictionary<string, Tensor> ForwardInputs()
    {
        var d = new Dictionary<string, Tensor> { ["x"] = X, ["w"] = W };
        if (B != null) d["b"] = B;
        return d;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"conv2d_layer x={Describe.Of(X)} w={Describe.Of(W)} b={Describe.Of(B)} dy={Describe.Of(Dy)} {A}";
}

/// <summary>The same shapes as <see cref="LayerCase"/> but with non-integer data, where rounding matters.</summary>
public sealed record RealLayerCase(LayerCase Case)
{
    /// <inheritdoc />
    public override string ToString() => "real " + Case;
}

/// <summary>
/// A conv2d_layer call a Winograd F(2×2,3×3) backend may compute (3×3 kernel, strides and dilation
/// 1), with more channels than <see cref="LayerCase"/>; integer data, or reals exactly representable in fp32.
/// </summary>
public sealed record WinogradCase(LayerCase Case, bool Integer)
{
    /// <inheritdoc />
    public override string ToString() => (Integer ? "integer " : "fp32 ") + Case;
}

/// <summary>A pooling call x[B,N1,N2,C] with dy of the output's shape. Integer data, often with ties.</summary>
public sealed record PoolCase(Tensor X, Tensor Dy, OpAttributes A)
{
    /// <inheritdoc />
    public override string ToString() => $"pool x={Describe.Of(X)} dy={Describe.Of(Dy)} {A}";
}

/// <summary>A dense call x[B,Nin], w[Nin,Nout], b[Nout], dy[B,Nout]. Integer data.</summary>
public sealed record DenseCase(Tensor X, Tensor W, Tensor B, Tensor Dy)
{
    /// <inheritdoc />
    public override string ToString() => $"dense x={Describe.Of(X)} w={Describe.Of(W)} b={Describe.Of(B)} dy={Describe.Of(Dy)}";
}

/// <summary>Logits x[B,C], integer labels[B] and a scalar upstream gradient. Real data.</summary>
public sealed record LogitsCase(Tensor X, Tensor Labels, double Dy)
{
    /// <inheritdoc />
    public override string ToString() => $"logits x={Describe.Of(X)} labels={Describe.Of(Labels)} dy={Dy:R}";
}

/// <summary>A case with a second input and a second kernel of the same shapes and two small integer scalars.</summary>
public sealed record Twin<T>(T Case, Tensor X2, Tensor W2, int Alpha, int Beta) where T : notnull
{
    /// <inheritdoc />
    public override string ToString() => $"{Case} x2={Describe.Of(X2)} w2={Describe.Of(W2)} alpha={Alpha} beta={Beta}";
}

/// <summary>A case with two extra non-negative integers (positions, shifts) that the property reduces modulo what it needs.</summary>
public sealed record Extra<T>(T Case, int P, int Q) where T : notnull
{
    /// <inheritdoc />
    public override string ToString() => $"{Case} p={P} q={Q}";
}

/// <summary>A real signal and kernel of rank 1 or 2 for the FFT oracle (longer than the conv cases).</summary>
public sealed record SignalPair(Tensor X, Tensor W)
{
    /// <inheritdoc />
    public override string ToString() => $"x={Describe.Of(X)} w={Describe.Of(W)}";
}

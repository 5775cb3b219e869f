using Conformance.Reference;
using TorchSharp;
using static Conformance.Backends.TorchSharp.TorchTensors;
using F = TorchSharp.torch.nn.functional;

namespace Conformance.Backends.TorchSharp;

/// <summary>relu, softmax, softmax_cross_entropy, dense and flatten (with their backward ops) on libtorch.</summary>
internal static class TorchActivationDense
{
    /// <summary>relu.</summary>
    public static Tensor Relu(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return FromTorch(F.relu(ToTorch(x)));
    }

    /// <summary>relu_backward by autograd (libtorch's threshold_backward passes dy where x &gt; 0).</summary>
    public static Tensor ReluBackward(Tensor x, Tensor dy)
    {
        Check.Shape(dy, x.Shape, "dy");
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var xt = ToTorch(x, requiresGrad: true);
        return FromTorch(torch.autograd.grad([F.relu(xt)], [xt], [ToTorch(dy)])[0]);
    }

    /// <summary>softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x)
    {
        Check.Softmax(x);
        using var scope = torch.NewDisposeScope();
        return FromTorch(F.softmax(ToTorch(x), -1));
    }

    /// <summary>softmax_cross_entropy: libtorch's cross_entropy with mean reduction, as a shape-[] tensor.</summary>
    public static Tensor SoftmaxCrossEntropy(Tensor x, Tensor labels)
    {
        int[] l = Check.Labels(x, labels);
        using var scope = torch.NewDisposeScope();
        return FromTorch(F.cross_entropy(ToTorch(x), ToTorchLabels(l)));
    }

    /// <summary>softmax_cross_entropy_backward by autograd, with the scalar upstream dy (default 1).</summary>
    public static Tensor SoftmaxCrossEntropyBackward(Tensor x, Tensor labels, Tensor? dy)
    {
        int[] l = Check.Labels(x, labels);
        if (dy != null && dy.Length != 1)
            throw new OpArgumentException("dy", "a scalar (shape [] or [1])", $"shape {Tensor.Format(dy.Shape)}");
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var xt = ToTorch(x, requiresGrad: true);
        var loss = F.cross_entropy(xt, ToTorchLabels(l));
        var upstream = torch.tensor((float)(dy?.Data[0] ?? 1.0));
        return FromTorch(torch.autograd.grad([loss], [xt], [upstream])[0]);
    }

    /// <summary>dense: y = x·W + b through libtorch's linear (weights [Nout,Nin], hence Wᵀ).</summary>
    public static Tensor Dense(Tensor x, Tensor w, Tensor? b)
    {
        Check.Dense(x, w);
        if (b != null) Check.Shape(b, [w.Shape[1]], "b");
        using var scope = torch.NewDisposeScope();
        return FromTorch(F.linear(ToTorch(x), ToTorch(w).t(), b is null ? null : ToTorch(b)));
    }

    /// <summary>dense_backward by autograd, with a zero bias leaf for db.</summary>
    public static (Tensor Dx, Tensor Dw, Tensor Db) DenseBackward(Tensor x, Tensor w, Tensor dy)
    {
        Check.Dense(x, w);
        Check.Shape(dy, [x.Shape[0], w.Shape[1]], "dy");
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var xt = ToTorch(x, requiresGrad: true);
        var wt = ToTorch(w, requiresGrad: true);
        var bt = torch.zeros([w.Shape[1]], torch.float32, requires_grad: true);
        var y = F.linear(xt, wt.t(), bt);
        var grads = torch.autograd.grad([y], [xt, wt, bt], [ToTorch(dy)]);
        return (FromTorch(grads[0]), FromTorch(grads[1]), FromTorch(grads[2]));
    }

    /// <summary>flatten: a libtorch reshape of the NHWC tensor to [B, prod(rest)].</summary>
    public static Tensor Flatten(Tensor x)
    {
        int rest = Check.Flatten(x);
        using var scope = torch.NewDisposeScope();
        return FromTorch(ToTorch(x).reshape(x.Shape[0], rest));
    }
}

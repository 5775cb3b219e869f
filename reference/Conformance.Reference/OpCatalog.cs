namespace Conformance.Reference;

/// <summary>How an op's outputs relate to its inputs, which decides its error bound (spec/numerics.md).</summary>
public enum OpKind
{
    /// <summary>Sums of products (conv, dense, avg pool and their gradients): bound from the op on |inputs|.</summary>
    Linear,
    /// <summary>Outputs are copies of input elements (relu, max pool, flatten, relu_backward): exact.</summary>
    Selection,
    /// <summary>softmax.</summary>
    Softmax,
    /// <summary>softmax_cross_entropy and its backward.</summary>
    CrossEntropy,
}

/// <summary>One catalogued operation: its name, spec page, inputs, outputs and attributes.</summary>
public sealed record OpInfo(
    string Name,
    string SpecPage,
    string Summary,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> OptionalInputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<string> Attributes,
    OpKind Kind,
    string? Forward = null,
    string? Backward = null)
{
    /// <summary>True for a *_backward op.</summary>
    public bool IsBackward => Forward != null;

    /// <summary>Every input name, required first.</summary>
    public IEnumerable<string> AllInputs => Inputs.Concat(OptionalInputs);
}

/// <summary>
/// The catalogue of operations. Names here are the names of the spec sections, the reference
/// functions (see <see cref="OpAttribute"/>), the CLI and the tests.
/// </summary>
public static class OpCatalog
{
    private static readonly string[] ConvAttrs = ["padding", "reversal", "strides", "dilation"];
    private static readonly string[] LayerAttrs = ["padding", "reversal", "strides", "dilation", "groups"];
    private static readonly string[] PoolAttrs = ["pool", "strides", "padding"];
    private const string Conv = "spec/convolution.md", Layers = "spec/layers.md", Misc = "spec/pooling-activation-dense.md";

    /// <summary>Every catalogued op, in catalogue order.</summary>
    public static readonly IReadOnlyList<OpInfo> All =
    [
        new("conv1d", Conv, "1D convolution of x[N] with w[K]", ["x", "w"], [], ["y"], ConvAttrs, OpKind.Linear),
        new("conv2d", Conv, "2D single-channel convolution of x[N1,N2] with w[K1,K2]", ["x", "w"], [], ["y"], ConvAttrs, OpKind.Linear),
        new("conv2d_layer", Layers, "multi-channel layer: x[B,N1,N2,Cin] (NHWC), w[K1,K2,Cin/groups,Cout] (HWIO), b[Cout]",
            ["x", "w"], ["b"], ["y"], LayerAttrs, OpKind.Linear, Backward: "conv2d_layer_backward"),
        new("conv2d_layer_backward", Layers, "gradients of conv2d_layer: dx, dw, db from x, w, dy",
            ["x", "w", "dy"], [], ["dx", "dw", "db"], LayerAttrs, OpKind.Linear, Forward: "conv2d_layer"),
        new("relu", Misc, "max(x, 0) element-wise", ["x"], [], ["y"], [], OpKind.Selection, Backward: "relu_backward"),
        new("relu_backward", Misc, "dy where x > 0, else 0", ["x", "dy"], [], ["dx"], [], OpKind.Selection, Forward: "relu"),
        new("max_pool2d", Misc, "maximum over each window of x[B,N1,N2,C]; padding never counts", ["x"], [], ["y"], PoolAttrs,
            OpKind.Selection, Backward: "max_pool2d_backward"),
        new("max_pool2d_backward", Misc, "dy routed to the first maximal element of each window", ["x", "dy"], [], ["dx"], PoolAttrs,
            OpKind.Linear, Forward: "max_pool2d"),
        new("avg_pool2d", Misc, "mean of the real samples in each window of x[B,N1,N2,C]", ["x"], [], ["y"], PoolAttrs,
            OpKind.Linear, Backward: "avg_pool2d_backward"),
        new("avg_pool2d_backward", Misc, "dy spread evenly over the real samples of each window", ["x", "dy"], [], ["dx"], PoolAttrs,
            OpKind.Linear, Forward: "avg_pool2d"),
        new("dense", Misc, "y = x·W + b with x[B,Nin], W[Nin,Nout], b[Nout]", ["x", "w"], ["b"], ["y"], [], OpKind.Linear,
            Backward: "dense_backward"),
        new("dense_backward", Misc, "gradients of dense: dx, dw, db from x, w, dy", ["x", "w", "dy"], [], ["dx", "dw", "db"], [],
            OpKind.Linear, Forward: "dense"),
        new("flatten", Misc, "[B, ...] to [B, prod(...)] in NHWC row-major order", ["x"], [], ["y"], [], OpKind.Selection),
        new("softmax", Misc, "softmax over the last axis", ["x"], [], ["y"], [], OpKind.Softmax),
        new("softmax_cross_entropy", Misc, "mean over the batch of −log softmax(x)[label]; x[B,C], integer labels[B]",
            ["x", "labels"], [], ["loss"], [], OpKind.CrossEntropy, Backward: "softmax_cross_entropy_backward"),
        new("softmax_cross_entropy_backward", Misc, "gradient of the mean loss with respect to the logits (dy scalar, default 1)",
            ["x", "labels"], ["dy"], ["dx"], [], OpKind.CrossEntropy, Forward: "softmax_cross_entropy"),
    ];

    /// <summary>Finds an op by name, or throws an error listing the catalogue.</summary>
    public static OpInfo Get(string name) =>
        All.FirstOrDefault(o => o.Name == name)
        ?? throw new OpArgumentException("op", "one of " + string.Join(", ", All.Select(o => o.Name)), $"'{name}'");

    /// <summary>Checks that the inputs are exactly the op's required ones plus any of its optional ones.</summary>
    public static void CheckInputs(OpInfo op, IReadOnlyDictionary<string, Tensor> inputs)
    {
        foreach (string name in op.Inputs)
            if (!inputs.ContainsKey(name))
                throw new OpArgumentException(name, $"input '{name}' for {op.Name} (inputs: {string.Join(", ", op.AllInputs)})", "none");
        foreach (string name in inputs.Keys)
            if (!op.AllInputs.Contains(name))
                throw new OpArgumentException(name, $"one of the inputs of {op.Name}: {string.Join(", ", op.AllInputs)}", $"'{name}'");
    }

    /// <summary>Checks that every attribute key given is one the op reads.</summary>
    public static void CheckAttributeKeys(OpInfo op, IEnumerable<string> keys)
    {
        foreach (string key in keys)
            if (!op.Attributes.Contains(key.Trim().ToLowerInvariant()))
                throw new OpArgumentException("attr", op.Attributes.Count == 0
                    ? $"no attributes for {op.Name}"
                    : $"one of {string.Join(", ", op.Attributes)} for {op.Name}", $"'{key}'");
    }

    /// <summary>Runs the reference implementation of <paramref name="op"/> and returns its named outputs.</summary>
    public static IReadOnlyDictionary<string, Tensor> Evaluate(string op, IReadOnlyDictionary<string, Tensor> inputs, OpAttributes a)
    {
        var info = Get(op);
        CheckInputs(info, inputs);
        Tensor In(string n) => inputs[n];
        Tensor? Opt(string n) => inputs.TryGetValue(n, out var t) ? t : null;
        static Dictionary<string, Tensor> Y(Tensor y) => new() { ["y"] = y };
        static Dictionary<string, Tensor> Grads((Tensor Dx, Tensor Dw, Tensor Db) g) =>
            new() { ["dx"] = g.Dx, ["dw"] = g.Dw, ["db"] = g.Db };
        return op switch
        {
            "conv1d" => Y(Convolution.Conv1d(In("x"), In("w"), a)),
            "conv2d" => Y(Convolution.Conv2d(In("x"), In("w"), a)),
            "conv2d_layer" => Y(Convolution.Conv2dLayer(In("x"), In("w"), Opt("b"), a)),
            "conv2d_layer_backward" => Grads(ConvolutionBackward.Conv2dLayerBackward(In("x"), In("w"), In("dy"), a)),
            "relu" => Y(Activation.Relu(In("x"))),
            "relu_backward" => new Dictionary<string, Tensor> { ["dx"] = Activation.ReluBackward(In("x"), In("dy")) },
            "max_pool2d" => Y(Pooling.MaxPool2d(In("x"), a)),
            "max_pool2d_backward" => new Dictionary<string, Tensor> { ["dx"] = Pooling.MaxPool2dBackward(In("x"), In("dy"), a) },
            "avg_pool2d" => Y(Pooling.AvgPool2d(In("x"), a)),
            "avg_pool2d_backward" => new Dictionary<string, Tensor> { ["dx"] = Pooling.AvgPool2dBackward(In("x"), In("dy"), a) },
            "dense" => Y(Dense.Forward(In("x"), In("w"), Opt("b"))),
            "dense_backward" => Grads(Dense.Backward(In("x"), In("w"), In("dy"))),
            "flatten" => Y(Dense.Flatten(In("x"))),
            "softmax" => Y(Activation.Softmax(In("x"))),
            "softmax_cross_entropy" => new Dictionary<string, Tensor> { ["loss"] = Activation.SoftmaxCrossEntropy(In("x"), In("labels")) },
            "softmax_cross_entropy_backward" =>
                new Dictionary<string, Tensor> { ["dx"] = Activation.SoftmaxCrossEntropyBackward(In("x"), In("labels"), Opt("dy")) },
            _ => throw new InvalidOperationException($"catalogued op {op} has no reference dispatch"),
        };
    }
}

using Conformance.Reference;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Conformance.Backends.OnnxRuntime;

/// <summary>One graph input's value: float data (every tensor operand) or int64 data (class labels).</summary>
internal sealed record Feed(string Name, Array Data, long[] Shape)
{
    /// <summary>A float tensor of the given shape.</summary>
    public static Feed Float(string name, float[] data, params int[] shape) => new(name, data, Longs(shape));

    /// <summary>An int64 tensor of the given shape.</summary>
    public static Feed Int64(string name, long[] data, params int[] shape) => new(name, data, Longs(shape));

    /// <summary>The element type the graph declares for this input.</summary>
    public TensorProto.Types.DataType Type =>
        Data is long[] ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float;

    /// <summary>Wraps the data (pinned, not copied) as an OrtValue; the caller disposes it after the run.</summary>
    public OrtValue ToOrtValue() => Data switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, Shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, Shape),
        _ => throw new InvalidOperationException($"feed {Name} holds {Data.GetType()}"),
    };

    /// <summary>Shape as ONNX's int64 extents.</summary>
    public static long[] Longs(int[] shape) => Array.ConvertAll(shape, d => (long)d);
}

/// <summary>
/// How one catalogued call runs on ONNX Runtime: the one-node model and the values fed to its
/// inputs; the shape the node must return; whether that output is NCHW (turned back into NHWC);
/// and the catalogue's name and shape for the result.
/// </summary>
internal sealed record OnnxPlan(
    OneNodeModel Model, IReadOnlyList<Feed> Feeds, int[] OnnxOutputShape, bool Nchw, string OutputName, int[] OutputShape)
{
    /// <summary>
    /// A plan for <paramref name="opType"/> whose graph inputs are <paramref name="feeds"/>, in order.
    /// The catalogue shape is <paramref name="onnxShape"/> itself, or its NHWC form when <paramref name="nchw"/>.
    /// </summary>
    public static OnnxPlan Of(string opType, int[] onnxShape, bool nchw, string outputName, params Feed[] feeds) =>
        Of(opType, onnxShape, nchw, outputName, nchw ? [onnxShape[0], onnxShape[2], onnxShape[3], onnxShape[1]] : onnxShape, feeds);

    /// <summary>A plan whose row-major output is read back under another shape with as many elements.</summary>
    public static OnnxPlan Of(string opType, int[] onnxShape, bool nchw, string outputName, int[] outputShape, params Feed[] feeds)
    {
        var model = new OneNodeModel(opType);
        foreach (var f in feeds) model.Input(f.Name, f.Type, f.Shape);
        return new OnnxPlan(model, feeds, onnxShape, nchw, outputName, outputShape);
    }

    /// <summary>
    /// The catalogue's tensor from the node's output. A shape other than the expected one means the
    /// node computed something else than the catalogued op, so it is an error rather than a result.
    /// </summary>
    public Tensor ToCatalogue(ReadOnlySpan<float> data, int[] shape)
    {
        if (!shape.SequenceEqual(OnnxOutputShape))
            throw new InvalidOperationException(
                $"ONNX Runtime {Model.OpType} returned shape {Tensor.Format(shape)}, expected {Tensor.Format(OnnxOutputShape)}");
        var y = Nchw
            ? Layout.PermuteToDouble(data, shape, Layout.NchwToNhwc)
            : Layout.PermuteToDouble(data, shape, Enumerable.Range(0, shape.Length).ToArray());
        return y.Reshape(OutputShape);
    }
}

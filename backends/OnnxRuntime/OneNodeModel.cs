using Google.Protobuf;
using Onnx;

namespace Conformance.Backends.OnnxRuntime;

/// <summary>A graph input of a one-node model: its name, element type and fixed shape.</summary>
internal sealed record GraphInput(string Name, TensorProto.Types.DataType Type, long[] Shape);

/// <summary>
/// Builds an ONNX model holding a single node, serialized to the bytes an InferenceSession loads.
/// Every operand, weights included, is a graph input rather than an initializer, so one session
/// serves every call with the same op, attributes and shapes.
/// </summary>
internal sealed class OneNodeModel
{
    /// <summary>The default-domain opset the models import: new enough for Softmax over one axis (13) and SoftmaxCrossEntropyLoss.</summary>
    public const int Opset = 17;

    /// <summary>IR version 8 is the one that accompanies opset 17.</summary>
    private const long IrVersion = 8;

    private readonly NodeProto _node;
    private readonly List<GraphInput> _inputs = [];

    /// <summary>Starts a model whose node has type <paramref name="opType"/> and one float output named y.</summary>
    public OneNodeModel(string opType)
    {
        _node = new NodeProto { OpType = opType, Name = opType.ToLowerInvariant() };
        _node.Output.Add(OutputName);
    }

    /// <summary>The name of the node's single output.</summary>
    public const string OutputName = "y";

    /// <summary>The node's operator type, e.g. Conv.</summary>
    public string OpType => _node.OpType;

    /// <summary>The graph inputs added so far, in node-input order.</summary>
    public IReadOnlyList<GraphInput> Inputs => _inputs;

    /// <summary>Adds a node input that is also a graph input.</summary>
    public OneNodeModel Input(string name, TensorProto.Types.DataType type, params long[] shape)
    {
        _node.Input.Add(name);
        _inputs.Add(new GraphInput(name, type, shape));
        return this;
    }

    /// <summary>Adds an integer attribute.</summary>
    public OneNodeModel IntAttr(string name, long value)
    {
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return this;
    }

    /// <summary>Adds an integer-list attribute.</summary>
    public OneNodeModel IntsAttr(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        _node.Attribute.Add(a);
        return this;
    }

    /// <summary>Adds a string attribute.</summary>
    public OneNodeModel StringAttr(string name, string value)
    {
        _node.Attribute.Add(new AttributeProto
        {
            Name = name,
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(value),
        });
        return this;
    }

    /// <summary>Serializes the model. The output's shape is left for ONNX Runtime to infer.</summary>
    public byte[] ToBytes()
    {
        var graph = new GraphProto { Name = "conformance_" + _node.Name };
        graph.Node.Add(_node.Clone());
        foreach (var input in _inputs) graph.Input.Add(ValueInfo(input.Name, input.Type, input.Shape));
        graph.Output.Add(ValueInfo(OutputName, TensorProto.Types.DataType.Float, null));
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "conformance",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[]? shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (shape != null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (long d in shape) tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}

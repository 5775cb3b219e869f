using BenchmarkDotNet.Attributes;
using Conformance.Core.Backends;
using Conformance.Backends.OnnxRuntime;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Conformance.Benchmarks;

/// <summary>
/// onnxruntime's adapter overhead on conv2d_layer (forward) per VGG16 layer.
/// <para>
/// Baseline, the raw library call: InferenceSession.Run on a one-node Conv model (NCHW, float32,
/// auto_pad SAME_UPPER, x, w and b as graph inputs like the adapter's models) built and loaded
/// in GlobalSetup with the adapter's own session options (2 intra-op threads, no spinning, all
/// graph optimizations; <c>--threads=N</c> sets N on both sides), fed OrtValues over float arrays prepared in GlobalSetup, and the output
/// copied into a managed float[] (NCHW). Same options on both sides, so the thread setting is not
/// counted as overhead.
/// </para>
/// <para>
/// <see cref="ContractFloor"/> adds the contract's unavoidable conversions, one pass each (see
/// <see cref="FloatLayout"/>); <see cref="Adapter"/> is <c>new OnnxRuntimeBackend().Evaluate(call)</c>
/// on a backend made once in GlobalSetup and warmed, since the backend caches its session per
/// model and a fresh backend per call would time session creation.
/// </para>
/// </summary>
[BenchmarkCategory("onnxruntime")]
public class OnnxAdapterOverhead : Vgg16Layer
{
    internal static readonly string[] InputNames = ["x", "w", "b"];
    internal static readonly string[] OutputNames = ["y"];
    private SessionOptions _options = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _values = null!;
    private OnnxRuntimeBackend _backend = null!;

    /// <summary>Draws the layer, builds and loads the raw model, prepares its inputs and warms the adapter's session.</summary>
    [GlobalSetup]
    public void Setup()
    {
        SetupLayer();
        // The raw side uses the adapter's own session options, so only the adapter's work differs.
        _options = OnnxRuntimeBackend.NewSessionOptions(BenchmarkSettings.OnnxThreads);
        _session = new InferenceSession(ConvModel(Cin, Cout, Side), _options);
        _runOptions = new RunOptions();
        _values =
        [
            OrtValue.CreateTensorValueFromMemory(FloatLayout.NhwcToNchw(Call.Inputs["x"]), [1, Cin, Side, Side]),
            OrtValue.CreateTensorValueFromMemory(FloatLayout.HwioToOihw(Call.Inputs["w"]), [Cout, Cin, 3, 3]),
            OrtValue.CreateTensorValueFromMemory(FloatLayout.ToFloat(Call.Inputs["b"]), [Cout]),
        ];
        _backend = BenchmarkSettings.Threads is int n ? new OnnxRuntimeBackend(n) : new OnnxRuntimeBackend();
        _backend.Evaluate(Call);
    }

    /// <summary>Releases the session, values and backend.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var v in _values) v.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
        _backend.Dispose();
    }

    /// <summary>The raw call: Run on prepared OrtValues, output copied to a float[].</summary>
    [Benchmark(Baseline = true)]
    public float[] Raw()
    {
        using var outputs = _session.Run(_runOptions, InputNames, _values, OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>The raw call plus the contract's unavoidable conversions, each done in one pass.</summary>
    [Benchmark]
    public Reference.Tensor ContractFloor()
    {
        using var x = OrtValue.CreateTensorValueFromMemory(FloatLayout.NhwcToNchw(Call.Inputs["x"]), [1, Cin, Side, Side]);
        using var w = OrtValue.CreateTensorValueFromMemory(FloatLayout.HwioToOihw(Call.Inputs["w"]), [Cout, Cin, 3, 3]);
        using var b = OrtValue.CreateTensorValueFromMemory(FloatLayout.ToFloat(Call.Inputs["b"]), [Cout]);
        using var outputs = _session.Run(_runOptions, InputNames, [x, w, b], OutputNames);
        return FloatLayout.NchwToNhwc(outputs[0].GetTensorDataAsSpan<float>(), 1, Cout, Side, Side);
    }

    /// <summary>
    /// The adapter, <c>new OnnxRuntimeBackend()</c> (or <c>(N)</c> with <c>--threads=N</c>), on the double
    /// NHWC/HWIO call; its session cached by the warm-up in GlobalSetup.
    /// </summary>
    [Benchmark]
    public IReadOnlyDictionary<string, Reference.Tensor> Adapter() => _backend.Evaluate(Call);

    /// <summary>A one-node Conv model: 3×3, stride 1, SAME_UPPER, bias; every operand a graph input.</summary>
    internal static byte[] ConvModel(int cin, int cout, int side)
    {
        var node = new NodeProto { OpType = "Conv", Name = "conv" };
        node.Input.AddRange(InputNames);
        node.Output.Add("y");
        node.Attribute.Add(Ints("kernel_shape", 3, 3));
        node.Attribute.Add(Ints("strides", 1, 1));
        node.Attribute.Add(Ints("dilations", 1, 1));
        node.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        node.Attribute.Add(new AttributeProto
        {
            Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SAME_UPPER"),
        });
        var graph = new GraphProto { Name = "raw_conv" };
        graph.Node.Add(node);
        graph.Input.Add(Value("x", 1, cin, side, side));
        graph.Input.Add(Value("w", cout, cin, 3, 3));
        graph.Input.Add(Value("b", cout));
        graph.Output.Add(Value("y", 1, cout, side, side));
        var model = new ModelProto { IrVersion = 8, ProducerName = "conformance-benchmarks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static ValueInfoProto Value(string name, params long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (long d in shape) tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}

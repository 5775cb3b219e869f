using System.Runtime.InteropServices;
using Conformance.Core.Networks;
using Conformance.Reference;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Conformance.Backends.OnnxRuntime;

/// <summary>
/// VGG16 as one whole ONNX model run by one ONNX Runtime session: an engine independent of
/// <see cref="Vgg16Runner"/>, which drives the same network one catalogued op (one model) at a time.
/// Here ONNX Runtime sees the whole graph, so it may fuse, re-layout and schedule as it would for
/// an exported model; agreement between the two paths checks our export and our op-by-op driving
/// against each other. Weights are float32 initializers; the graph computes in ONNX's NCHW layout,
/// and results are returned in ours (NHWC for conv and pool layers, [1, N] for flatten and dense).
/// </summary>
public static class OnnxVgg16
{
    /// <summary>The graph input: the preprocessed image, NHWC [1, 224, 224, 3], as the catalogue holds it.</summary>
    private const string ImageInput = "image";

    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;

    /// <summary>
    /// Builds VGG16 with <paramref name="weights"/> as one ONNX model, runs it on <paramref name="image"/>
    /// ([1, 224, 224, 3] NHWC, rounded to float32) and returns the post-activation outputs of the
    /// Keras layers named in <paramref name="layers"/> (e.g. "block4_conv2" after its ReLU,
    /// "predictions" the softmax probabilities), keyed by name, as doubles holding float values:
    /// [1, H, W, C] for input, conv and pool layers, [1, N] for flatten and dense layers.
    /// The model goes through a temporary file that is deleted before this returns or throws.
    /// </summary>
    /// <exception cref="OpArgumentException">A layer name is not one of <see cref="Vgg16.Layers"/>, the list is empty, or the image has the wrong shape.</exception>
    public static IReadOnlyDictionary<string, Tensor> Run(Vgg16Weights weights, Tensor image, IReadOnlyList<string> layers)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(layers);
        // Validate everything before the expensive part: building the model converts 138M weights.
        var requested = new List<Vgg16Layer>();
        foreach (string name in layers)
        {
            var layer = Vgg16.Get(name ?? "(null)", nameof(layers));
            if (!requested.Contains(layer)) requested.Add(layer);
        }
        if (requested.Count == 0)
            throw new OpArgumentException(nameof(layers), "at least one VGG16 layer name", "an empty list");
        Check.Shape(image, [1, Vgg16.ImageSize, Vgg16.ImageSize, 3], nameof(image));

        string path = Path.Combine(Path.GetTempPath(), $"conformance-vgg16-{Guid.NewGuid():N}.onnx");
        try
        {
            WriteModel(path, weights, requested);
            return RunSession(path, image, requested);
        }
        finally
        {
            // The file holds ~553 MB of weights; it must not outlive the call, success or not.
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Builds the model and streams it to <paramref name="path"/>. Kept in its own method so the
    /// ModelProto and its weight buffers are unreachable (collectable) while ONNX Runtime loads the file.
    /// </summary>
    private static void WriteModel(string path, Vgg16Weights weights, List<Vgg16Layer> requested)
    {
        var model = Build(weights, requested);
        // Streaming avoids a second ~553 MB byte[] that ToByteArray would allocate.
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        model.WriteTo(file);
    }

    /// <summary>Runs the model in one session and reads back the requested outputs in our layout.</summary>
    private static Dictionary<string, Tensor> RunSession(string path, Tensor image, List<Vgg16Layer> requested)
    {
        // 2 intra-op threads like OnnxRuntimeBackend's default: MLAS may split reductions by thread
        // count, so a fixed count keeps repeated runs bitwise equal.
        using var options = OnnxRuntimeBackend.NewSessionOptions(2);
        using var session = new InferenceSession(path, options);

        float[] pixels = Array.ConvertAll(image.Data, v => (float)v);
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, Longs(image.Shape));
        using var runOptions = new RunOptions();
        string[] outputNames = requested.Select(l => l.Name).ToArray();
        using var outputs = session.Run(runOptions, [ImageInput], [input], outputNames);

        var result = new Dictionary<string, Tensor>();
        for (int k = 0; k < requested.Count; k++)
        {
            var layer = requested[k];
            int[] expected = [1, .. layer.OutputShape];
            int[] shape = Array.ConvertAll(outputs[k].GetTensorTypeAndShape().Shape, d => checked((int)d));
            // A different shape means the graph computes something other than the Keras layer.
            if (!shape.SequenceEqual(expected))
                throw new InvalidOperationException(
                    $"ONNX VGG16 returned {Tensor.Format(shape)} for {layer.Name}, expected {Tensor.Format(expected)}");
            var data = outputs[k].GetTensorDataAsSpan<float>();
            var values = new double[data.Length];
            for (int i = 0; i < data.Length; i++) values[i] = data[i];
            result[layer.Name] = new Tensor(shape, values);
        }
        return result;
    }

    /// <summary>
    /// The model: the image is transposed NHWC→NCHW once, the blocks run in NCHW (ONNX Conv and
    /// MaxPool's layout), block5_pool is transposed back to NHWC before Flatten so the flattened
    /// order is Keras' channels_last one. The graph stops at the deepest requested layer, so
    /// later layers' weights are never converted. Each requested layer's output is a graph output
    /// named after the layer, transposed to NHWC when the graph holds it as NCHW.
    /// </summary>
    private static ModelProto Build(Vgg16Weights weights, List<Vgg16Layer> requested)
    {
        var graph = new GraphProto { Name = "vgg16" };
        graph.Input.Add(ValueInfo(ImageInput, [1, Vgg16.ImageSize, Vgg16.ImageSize, 3]));
        var wanted = requested.Select(l => l.Name).ToHashSet();
        int last = requested.Max(l => IndexOf(l));

        // The tensor that flows on, and whether it is NCHW (before flatten) or [1, N] (after).
        string current = Nchw("input_1");
        graph.Node.Add(Node("Transpose", [ImageInput], current, Ints("perm", 0, 3, 1, 2)));
        for (int i = 0; i <= last; i++)
        {
            var layer = Vgg16.Layers[i];
            string name = layer.Name;
            switch (layer.Kind)
            {
                case LayerKind.Input:
                    // Identity rather than exposing the graph input itself, so "input_1" reads back
                    // through the engine like every other layer (as the float32 image it received).
                    if (wanted.Contains(name)) graph.Node.Add(Node("Identity", [ImageInput], name));
                    continue;
                case LayerKind.Conv:
                {
                    var w = weights[name];
                    int[] k = layer.KernelShape!; // HWIO
                    graph.Initializer.Add(Initializer(name + "/kernel", [k[3], k[2], k[0], k[1]], HwioToOihw(w.Kernel)));
                    graph.Initializer.Add(Initializer(name + "/bias", [k[3]], ToFloat(w.Bias)));
                    // Keras "same" with a 3×3 kernel and stride 1 pads one on every side; SAME_UPPER
                    // states Keras' rule itself (any odd padding goes after), rather than fixed pads.
                    graph.Node.Add(Node("Conv", [current, name + "/kernel", name + "/bias"], name + "/conv",
                        Str("auto_pad", "SAME_UPPER"), Ints("kernel_shape", k[0], k[1]), Ints("strides", 1, 1),
                        Ints("dilations", 1, 1), Int("group", 1)));
                    graph.Node.Add(Node("Relu", [name + "/conv"], Nchw(name)));
                    current = Nchw(name);
                    break;
                }
                case LayerKind.Pool:
                    graph.Node.Add(Node("MaxPool", [current], Nchw(name),
                        Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Str("auto_pad", "NOTSET"), Ints("pads", 0, 0, 0, 0)));
                    current = Nchw(name);
                    break;
                case LayerKind.Flatten:
                {
                    // Keras flattens channels_last: transpose the NCHW pool output back to NHWC first,
                    // or the 25,088 features would reach fc1 in another order than its kernel's rows.
                    var previous = Vgg16.Layers[i - 1];
                    AddNhwc(graph, previous.Name);
                    graph.Node.Add(Node("Flatten", [previous.Name], name, Int("axis", 1)));
                    current = name;
                    break;
                }
                case LayerKind.Dense:
                {
                    var w = weights[name];
                    int[] k = layer.KernelShape!; // [in, out], already Gemm's B without a transpose
                    graph.Initializer.Add(Initializer(name + "/kernel", k, ToFloat(w.Kernel)));
                    graph.Initializer.Add(Initializer(name + "/bias", [k[1]], ToFloat(w.Bias)));
                    graph.Node.Add(Node("Gemm", [current, name + "/kernel", name + "/bias"], name + "/dense",
                        Float32("alpha", 1), Float32("beta", 1), Int("transA", 0), Int("transB", 0)));
                    graph.Node.Add(layer.Activation == "softmax"
                        ? Node("Softmax", [name + "/dense"], name, Int("axis", -1))
                        : Node("Relu", [name + "/dense"], name));
                    current = name;
                    break;
                }
            }
            // Conv and pool layers live as NCHW in the graph; a requested one gets an NHWC copy as its output.
            if (wanted.Contains(name) && layer.Kind is LayerKind.Conv or LayerKind.Pool) AddNhwc(graph, name);
        }

        foreach (var layer in requested) graph.Output.Add(ValueInfo(layer.Name, [1, .. layer.OutputShape]));
        var model = new ModelProto { IrVersion = 8, ProducerName = "conformance", Graph = graph };
        // Opset shared with the one-node models, so both paths run the same operator versions.
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OneNodeModel.Opset });
        return model;
    }

    /// <summary>The graph's name for a conv or pool layer's NCHW output (the layer's name is kept for its NHWC form).</summary>
    private static string Nchw(string layer) => layer + "/nchw";

    private static int IndexOf(Vgg16Layer layer)
    {
        for (int i = 0; i < Vgg16.Layers.Count; i++)
            if (Vgg16.Layers[i] == layer) return i;
        throw new InvalidOperationException($"{layer.Name} is not a VGG16 layer");
    }

    /// <summary>Adds Transpose(layer's NCHW tensor) → NHWC tensor named after the layer, once.</summary>
    private static void AddNhwc(GraphProto graph, string layer)
    {
        if (graph.Node.Any(n => n.Output.Contains(layer))) return;
        graph.Node.Add(Node("Transpose", [Nchw(layer)], layer, Ints("perm", 0, 2, 3, 1)));
    }

    /// <summary>
    /// Rounds a Keras HWIO kernel to float32 and permutes it to ONNX's OIHW, straight into the bytes
    /// of the initializer (no intermediate float[]).
    /// </summary>
    private static byte[] HwioToOihw(Tensor kernel)
    {
        int kh = kernel.Shape[0], kw = kernel.Shape[1], cin = kernel.Shape[2], cout = kernel.Shape[3];
        var bytes = new byte[checked(kernel.Length * sizeof(float))];
        var dst = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        var src = kernel.Data;
        int d = 0;
        for (int o = 0; o < cout; o++)
            for (int i = 0; i < cin; i++)
                for (int h = 0; h < kh; h++)
                    for (int w = 0; w < kw; w++)
                        dst[d++] = (float)src[((h * kw + w) * cin + i) * cout + o];
        return bytes;
    }

    /// <summary>Rounds a tensor to float32 in its own row-major order, as the bytes of an initializer.</summary>
    private static byte[] ToFloat(Tensor t)
    {
        var bytes = new byte[checked(t.Length * sizeof(float))];
        var dst = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        var src = t.Data;
        for (int i = 0; i < src.Length; i++) dst[i] = (float)src[i];
        return bytes;
    }

    /// <summary>
    /// A float initializer over <paramref name="rawFloats"/>, wrapped rather than copied: fc1's
    /// kernel alone is 411 MB. ONNX raw_data is little-endian, which is what MemoryMarshal wrote
    /// on the little-endian machines .NET runs ONNX Runtime on (checked, not assumed).
    /// </summary>
    private static TensorProto Initializer(string name, int[] shape, byte[] rawFloats)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this machine is not");
        var t = new TensorProto { Name = name, DataType = (int)Float, RawData = UnsafeByteOperations.UnsafeWrap(rawFloats) };
        t.Dims.AddRange(Longs(shape));
        return t;
    }

    private static NodeProto Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output + "/" + opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float32(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Str(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A float tensor's value info with a fixed shape: ONNX Runtime checks its inferred shapes against it.</summary>
    private static ValueInfoProto ValueInfo(string name, int[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)Float, Shape = new TensorShapeProto() };
        foreach (int d in shape) tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private static long[] Longs(int[] shape) => Array.ConvertAll(shape, d => (long)d);
}

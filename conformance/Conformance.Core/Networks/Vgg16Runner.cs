using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>
/// One op call of a network run and its output: the name is "layer/op" for forward steps and
/// "layer/op:output" for the gradients of a training step (e.g. "fc1/dense_backward:dw").
/// </summary>
public sealed record StepResult(string Name, string Layer, OpCall Call, string Output, Tensor Value);

/// <summary>A network step the backend does not compute, with the backend's reason.</summary>
public sealed class StepNotSupportedException(string step, string reason)
    : Exception($"{step} is not supported: {reason}")
{
    /// <summary>The step, "layer/op".</summary>
    public string Step { get; } = step;

    /// <summary>The backend's reason.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Runs VGG16 on any backend, one catalogued op per call, in the order Keras applies them:
/// conv2d_layer then relu for each convolution, max_pool2d, flatten, dense then relu (fc1, fc2)
/// or softmax (predictions). Each call's input is the backend's own previous output, so a
/// backend is judged as a network, not op by op. <see cref="TrainingStep"/> runs the gradients
/// of the cross-entropy loss back to the image.
/// </summary>
public sealed class Vgg16Runner(IConformanceBackend backend, Vgg16Weights weights, Action<StepResult>? stepDone = null)
{
    private static readonly OpAttributes Same = OpAttributes.Default with { Padding = Padding.Same };
    private static readonly OpAttributes Pool = OpAttributes.Default with { Pool = Pair.Of(2), Strides = Pair.Of(2) };

    /// <summary>
    /// The forward steps for one image [1, 224, 224, 3], up to and including Keras layer
    /// <paramref name="lastLayer"/> (default: the whole network, ending with predictions/softmax).
    /// </summary>
    public IReadOnlyList<StepResult> Forward(Tensor input, string? lastLayer = null)
    {
        Check.Shape(input, [1, Vgg16.ImageSize, Vgg16.ImageSize, 3], "image");
        int last = Vgg16.Layers.ToList().IndexOf(Vgg16.Get(lastLayer ?? "predictions", "layer"));
        var steps = new List<StepResult>();
        Tensor x = input;
        foreach (var layer in Vgg16.Layers.Take(last + 1))
        {
            switch (layer.Kind)
            {
                case LayerKind.Conv:
                    x = Step(steps, layer.Name, "conv2d_layer", Same, ("x", x), ("w", weights[layer.Name].Kernel), ("b", weights[layer.Name].Bias));
                    x = Step(steps, layer.Name, "relu", OpAttributes.Default, ("x", x));
                    break;
                case LayerKind.Pool:
                    x = Step(steps, layer.Name, "max_pool2d", Pool, ("x", x));
                    break;
                case LayerKind.Flatten:
                    x = Step(steps, layer.Name, "flatten", OpAttributes.Default, ("x", x));
                    break;
                case LayerKind.Dense:
                    x = Step(steps, layer.Name, "dense", OpAttributes.Default, ("x", x), ("w", weights[layer.Name].Kernel), ("b", weights[layer.Name].Bias));
                    x = Step(steps, layer.Name, layer.Activation!, OpAttributes.Default, ("x", x));
                    break;
            }
        }
        return steps;
    }

    /// <summary>
    /// The gradients of one SGD step with the mean cross-entropy loss of the logits against
    /// <paramref name="label"/>, given this backend's <paramref name="forward"/> steps: the loss,
    /// then every layer's dx (and dw, db) from predictions back to the image.
    /// </summary>
    public IReadOnlyList<StepResult> TrainingStep(IReadOnlyList<StepResult> forward, int label)
    {
        if (label < 0 || label >= Vgg16.Classes)
            throw new OpArgumentException("label", $"a class index 0 to {Vgg16.Classes - 1}", label.ToString());
        var byName = forward.ToDictionary(s => s.Name);
        var labels = new Tensor([1], [label]);
        var logits = byName["predictions/dense"].Value;
        var steps = new List<StepResult>();
        Step(steps, "loss", "softmax_cross_entropy", OpAttributes.Default, ("x", logits), ("labels", labels));
        Tensor dy = Step(steps, "loss", "softmax_cross_entropy_backward", OpAttributes.Default, ("x", logits), ("labels", labels));
        for (int i = Vgg16.Layers.Count - 1; i >= 1; i--)
        {
            var layer = Vgg16.Layers[i];
            var input = Input(byName, i);
            switch (layer.Kind)
            {
                case LayerKind.Dense or LayerKind.Conv:
                {
                    string op = layer.Kind == LayerKind.Conv ? "conv2d_layer" : "dense";
                    // predictions' softmax is folded into the loss's gradient; fc and conv layers undo their ReLU first.
                    if (layer.Activation == "relu")
                        dy = Step(steps, layer.Name, "relu_backward", OpAttributes.Default, ("x", byName[$"{layer.Name}/{op}"].Value), ("dy", dy));
                    var attrs = layer.Kind == LayerKind.Conv ? Same : OpAttributes.Default;
                    dy = Step(steps, layer.Name, op + "_backward", attrs, ("x", input), ("w", weights[layer.Name].Kernel), ("dy", dy));
                    break;
                }
                case LayerKind.Pool:
                    dy = Step(steps, layer.Name, "max_pool2d_backward", Pool, ("x", input), ("dy", dy));
                    break;
                case LayerKind.Flatten:
                    // flatten has no op of its own backwards: its gradient is dy read in the input's (NHWC) shape.
                    dy = dy.Reshape(input.Shape);
                    break;
            }
        }
        return steps;
    }

    /// <summary>The backend's input to layer <paramref name="index"/>: the previous layer's output (its last step).</summary>
    private static Tensor Input(Dictionary<string, StepResult> byName, int index)
    {
        var previous = Vgg16.Layers[index - 1];
        if (previous.Kind == LayerKind.Input) return byName.Values.First().Call.Inputs["x"];
        return byName.Values.Last(s => s.Layer == previous.Name).Value;
    }

    private Tensor Step(List<StepResult> steps, string layer, string op, OpAttributes attrs, params (string Name, Tensor Value)[] inputs)
    {
        var call = new OpCall(op, inputs.ToDictionary(i => i.Name, i => i.Value), attrs);
        string name = $"{layer}/{op}";
        var support = backend.Supports(call);
        if (!support.IsSupported) throw new StepNotSupportedException(name, support.Reason);
        var outputs = backend.Evaluate(call);
        bool several = call.Info.Outputs.Count > 1;
        foreach (string output in call.Info.Outputs)
        {
            if (!outputs.TryGetValue(output, out var value))
                throw new InvalidOperationException($"{backend.Name} returned no '{output}' for {name}");
            var result = new StepResult(several ? $"{name}:{output}" : name, layer, call, output, value);
            steps.Add(result);
            stepDone?.Invoke(result);
        }
        // The value that flows on: y forward, dx backward, the loss for the loss itself.
        return outputs[call.Info.Outputs[0]];
    }

    /// <summary>
    /// The multiply-adds of a step, for progress and time estimates: output elements times the
    /// terms each sums (twice for a backward step, which computes dx and dw).
    /// </summary>
    public static double Cost(string layer, string op)
    {
        var l = Vgg16.Get(layer == "loss" ? "predictions" : layer);
        double outputs = l.OutputShape.Aggregate(1.0, (a, d) => a * d);
        return op switch
        {
            "conv2d_layer" or "dense" => outputs * l.FanIn,
            "conv2d_layer_backward" or "dense_backward" => 2 * outputs * l.FanIn,
            _ => outputs,
        };
    }
}

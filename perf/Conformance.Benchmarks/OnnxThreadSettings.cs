using BenchmarkDotNet.Attributes;
using Conformance.Core.Backends;
using Microsoft.ML.OnnxRuntime;

namespace Conformance.Benchmarks;

/// <summary>
/// The raw one-node Conv of <see cref="OnnxAdapterOverhead"/> under other session settings than the
/// adapter's (2 intra-op threads, spinning off): how much of the raw call's time is ONNX Runtime's
/// thread pool on this machine rather than arithmetic. Baseline: the adapter's settings.
/// </summary>
[BenchmarkCategory("onnxruntime")]
public class OnnxThreadSettings : Vgg16Layer
{
    private readonly Dictionary<(int, bool), (SessionOptions Options, InferenceSession Session)> _sessions = [];
    private OrtValue[] _values = null!;
    private RunOptions _runOptions = null!;

    /// <summary>Sessions for each setting, inputs prepared.</summary>
    [GlobalSetup]
    public void Setup()
    {
        SetupLayer();
        byte[] model = OnnxAdapterOverhead.ConvModel(Cin, Cout, Side);
        foreach (var key in new[] { (2, false), (2, true), (1, false) })
        {
            var options = new SessionOptions
            {
                IntraOpNumThreads = key.Item1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", key.Item2 ? "1" : "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            _sessions[key] = (options, new InferenceSession(model, options));
        }
        _runOptions = new RunOptions();
        _values =
        [
            OrtValue.CreateTensorValueFromMemory(FloatLayout.NhwcToNchw(Call.Inputs["x"]), [1, Cin, Side, Side]),
            OrtValue.CreateTensorValueFromMemory(FloatLayout.HwioToOihw(Call.Inputs["w"]), [Cout, Cin, 3, 3]),
            OrtValue.CreateTensorValueFromMemory(FloatLayout.ToFloat(Call.Inputs["b"]), [Cout]),
        ];
    }

    /// <summary>Releases everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var v in _values) v.Dispose();
        _runOptions.Dispose();
        foreach (var (options, session) in _sessions.Values)
        {
            session.Dispose();
            options.Dispose();
        }
    }

    private float[] Run(int threads, bool spinning)
    {
        using var outputs = _sessions[(threads, spinning)].Session.Run(_runOptions, OnnxAdapterOverhead.InputNames, _values,
            OnnxAdapterOverhead.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>The adapter's settings: 2 threads, no spinning.</summary>
    [Benchmark(Baseline = true)]
    public float[] TwoThreadsNoSpin() => Run(2, false);

    /// <summary>2 threads, spinning (ONNX Runtime's default).</summary>
    [Benchmark]
    public float[] TwoThreadsSpin() => Run(2, true);

    /// <summary>1 thread: no pool at all.</summary>
    [Benchmark]
    public float[] OneThread() => Run(1, false);
}

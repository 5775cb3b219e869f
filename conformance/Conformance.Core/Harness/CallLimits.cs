using System.Globalization;
using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Harness;

/// <summary>The time one backend call may take, and where that number came from (for the message when it is exceeded).</summary>
/// <param name="Duration">How long the harness waits for the call.</param>
/// <param name="Origin">Why this long, e.g. "derived from 1.2e9 operations" or "set by --case-timeout 5".</param>
public sealed record TimeLimit(TimeSpan Duration, string Origin)
{
    /// <summary>The reason a call past this limit is reported with.</summary>
    public string ExceededMessage() => string.Create(CultureInfo.InvariantCulture,
        $"exceeded its time limit of {Duration.TotalSeconds:G3} s ({Origin}; set {CallLimits.Variable} or --case-timeout to change it)");
}

/// <summary>
/// How long the harness waits for one backend call before reporting it as an error and moving on
/// (see <see cref="GuardedCall"/>). By default the limit is derived from the call's size: a floor
/// plus its arithmetic cost at a deliberately slow rate, so that only a backend that hangs, not a
/// slow one, ever reaches it. The environment variable <see cref="Variable"/> or the CLI option
/// --case-timeout set a fixed limit instead (seconds) or turn limits off (0 or off).
/// </summary>
public sealed class CallLimits
{
    /// <summary>The environment variable that overrides the derived limits: seconds, or 0 / off.</summary>
    public const string Variable = "CONFORMANCE_CASE_TIMEOUT";

    // Every call may take this long whatever its size: a GPU backend's first call compiles its
    // kernels (ILGPU and the CUDA driver JIT take a few seconds), and a loaded CI machine may
    // stall a thread for seconds. 30 s covers both with room to spare.
    private const double FloorSeconds = 30;

    // The slowest rate any backend is assumed to reach, in operations per second: 200× below the
    // slowest backend known, ILGPU's CPU accelerator (a simulator) at about 1 GFLOP/s on these ops,
    // so that even a heavily loaded machine never turns a merely slow backend into a timeout. 50×
    // was not enough: with three builds and test runs sharing 2 cores (load average 20), a VGG16
    // backward case on ilgpu-cpu that takes 6 s alone went past its 59 s limit.
    private const double MinimumOperationsPerSecond = 5e6;

    // Operations per input and output element of an op that is not a sum of products (relu, max
    // pooling, flatten, cross-entropy): a compare, a copy, an index computation and some slack.
    private const double OperationsPerElement = 8;

    // A fixed cost per output element on top of its arithmetic: GPU kernels give each output
    // element a thread, and ILGPU's CPU accelerator spends about 2 µs per simulated thread (measured
    // on this project's 2-core machine), 10 operations at the slow rate above. Without it a call of
    // many cheap elements timed out: dense_backward of VGG16's fc1 has 1.0e8 dw elements of one
    // term each (2e8 operations, then allowed 40 s) but took over 200 s there. 100 gives 10× room.
    private const double OperationsPerOutputElement = 100;

    // Task.Wait takes at most int.MaxValue milliseconds (about 24.8 days).
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue);

    private static readonly AsyncLocal<CallLimits?> Scoped = new();

    private readonly double? _fixedSeconds;
    private readonly string _origin;

    private CallLimits(bool enabled, double? fixedSeconds, string origin)
    {
        Enabled = enabled;
        _fixedSeconds = fixedSeconds;
        _origin = origin;
    }

    /// <summary>Limits derived from each call's size (the default).</summary>
    public static CallLimits Derived { get; } = new(true, null, "");

    /// <summary>No limits: calls run on the caller's thread and are waited for however long they take.</summary>
    public static CallLimits Off { get; } = new(false, null, "limits turned off");

    /// <summary>The same limit for every call; <paramref name="origin"/> says who set it, for the message.</summary>
    public static CallLimits Fixed(double seconds, string origin)
    {
        if (!(seconds > 0) || double.IsInfinity(seconds)) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "expected a positive finite number of seconds");
        return new CallLimits(true, seconds, origin);
    }

    /// <summary>False when limits are turned off.</summary>
    public bool Enabled { get; }

    /// <summary>The limit of <paramref name="call"/>, or null when limits are off.</summary>
    public TimeLimit? For(OpCall call)
    {
        if (!Enabled) return null;
        if (_fixedSeconds is { } s) return new TimeLimit(Clamp(s), _origin);
        double ops = Operations(call);
        return new TimeLimit(Clamp(FloorSeconds + ops / MinimumOperationsPerSecond),
            string.Create(CultureInfo.InvariantCulture, $"derived from {ops:0.#e0} operations"));
    }

    /// <inheritdoc />
    public override string ToString() => !Enabled ? "off" : _fixedSeconds is { } s ? $"{s.ToString(CultureInfo.InvariantCulture)} s ({_origin})" : "derived from each call's size";

    /// <summary>
    /// The limits in force: those of the innermost <see cref="Use"/> scope of this async flow (the
    /// CLI's --case-timeout), else those of <see cref="Variable"/>, else <see cref="Derived"/>.
    /// A bad value of the variable throws an <see cref="ArgumentException"/> naming it.
    /// </summary>
    public static CallLimits Current => Scoped.Value ?? FromEnvironment();

    /// <summary>Makes <paramref name="limits"/> the <see cref="Current"/> ones in this async flow until disposed.</summary>
    public static IDisposable Use(CallLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var previous = Scoped.Value;
        Scoped.Value = limits;
        return new Scope(() => Scoped.Value = previous);
    }

    /// <summary>The limits set by <see cref="Variable"/>: unset or empty gives <see cref="Derived"/>.</summary>
    public static CallLimits FromEnvironment() => FromVariable(Environment.GetEnvironmentVariable(Variable));

    /// <summary>
    /// Interprets <paramref name="value"/> as the value of <see cref="Variable"/>: null or blank is
    /// <see cref="Derived"/>, else as <see cref="Parse"/>; a bad value is an <see cref="ArgumentException"/>
    /// naming the variable, what was expected and what was given.
    /// </summary>
    public static CallLimits FromVariable(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Derived;
        return TryParse(value, $"set by {Variable}={value.Trim()}")
               ?? throw new ArgumentException($"environment variable {Variable}: expected {Expected}, got '{value}'");
    }

    /// <summary>
    /// Parses a command-line value: a positive number of seconds is a fixed limit for every call,
    /// 0 or off turns limits off. A bad value is an <see cref="OpArgumentException"/> on <paramref name="argument"/>.
    /// </summary>
    public static CallLimits Parse(string text, string argument) =>
        TryParse(text, $"set by {argument} {text.Trim()}") ?? throw new OpArgumentException(argument, Expected, $"'{text}'");

    private const string Expected = "a positive number of seconds, or 0 or off to turn the limits off";

    private static CallLimits? TryParse(string text, string origin)
    {
        string t = text.Trim();
        if (t.Equals("off", StringComparison.OrdinalIgnoreCase)) return Off;
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || double.IsNaN(s) || double.IsInfinity(s) || s < 0)
            return null;
        return s == 0 ? Off : Fixed(s, origin);
    }

    /// <summary>
    /// An estimate of the operations <paramref name="call"/> takes. For the linear ops (sums of
    /// products) it is Σ over outputs of elements × (2 × accumulated terms per element + a fixed
    /// cost per element) (<see cref="ErrorModel.AccumulatedTerms"/>: one multiply and one add per
    /// term); for the others a few operations per input and output element plus the same fixed cost
    /// per element (their outputs are about as many as their inputs), and C per element for softmax
    /// and cross-entropy, whose every element reads its whole row of C.
    /// </summary>
    public static double Operations(OpCall call)
    {
        double inputElements = call.Inputs.Values.Sum(t => (double)t.Length);
        try
        {
            var info = call.Info;
            if (info.Kind == OpKind.Linear)
                return info.Outputs.Sum(o => OutputElements(call, o) * (2.0 * ErrorModel.AccumulatedTerms(call, o) + OperationsPerOutputElement));
            double ops = (OperationsPerElement + OperationsPerOutputElement) * inputElements + OperationsPerElement * inputElements;
            if (info.Kind is OpKind.Softmax or OpKind.CrossEntropy && call.Inputs.TryGetValue("x", out var x) && x.Rank > 0)
                ops += OperationsPerElement * (double)x.Length * x.Shape[^1];
            return ops;
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            // A malformed call (bad shapes or attributes): the backend will report it quickly;
            // the size of its inputs is all that is known.
            return OperationsPerElement * 2 * inputElements;
        }
    }

    private static double OutputElements(OpCall call, string output)
    {
        var x = call.Inputs["x"];
        var a = call.Attributes;
        // Gradients have the shape of what they differentiate; db has one element per output channel.
        switch (output)
        {
            case "dx": return x.Length;
            case "dw": return call.Inputs["w"].Length;
            case "db": return call.Inputs["w"].Shape[^1];
        }
        if (call.Op == "conv2d")
        {
            var g = ConvGeometry.Of2d(x, call.Inputs["w"], a);
            return (double)g.Rows.OutputSize * g.Cols.OutputSize;
        }
        return call.Op switch
        {
            "conv1d" => ConvGeometry.Of1d(x, call.Inputs["w"], a).Cols.OutputSize,
            "conv2d_layer" => Product(LayerGeometry.Of(x, call.Inputs["w"], call.Inputs.GetValueOrDefault("b"), a).OutputShape),
            "dense" => (double)x.Shape[0] * call.Inputs["w"].Shape[^1],
            "avg_pool2d" => Product(PoolGeometry.Of(x, a).OutputShape),
            _ => x.Length,
        };
    }

    private static double Product(int[] shape) => shape.Aggregate(1.0, (p, n) => p * n);

    private static TimeSpan Clamp(double seconds) => seconds * 1000 >= Longest.TotalMilliseconds ? Longest : TimeSpan.FromSeconds(seconds);

    private sealed class Scope(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

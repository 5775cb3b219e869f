using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Numerics;

/// <summary>
/// The per-element error bounds of spec/numerics.md: how far a correct backend of a given
/// precision class may be from the double reference. Every comparison in the suite uses these.
/// </summary>
public static class ErrorModel
{
    /// <summary>
    /// k_f: exp and log are accurate to within this many units in the last place in every libm,
    /// SLEEF and CUDA fast-math path we target (their documented worst cases are 1 to 4 ulp).
    /// </summary>
    public const double ElementaryFunctionUlps = 4;

    /// <summary>Ops whose integer-valued inputs give exactly representable partial sums (the exact tier).</summary>
    public static readonly IReadOnlySet<string> IntegerExactOps = new HashSet<string>
    {
        "conv1d", "conv2d", "conv2d_layer", "conv2d_layer_backward", "dense", "dense_backward", "max_pool2d_backward",
    };

    /// <summary>γ_n = n·u/(1 − n·u), the relative error bound of n roundings (Higham, Accuracy and Stability, §3.1).</summary>
    public static double Gamma(double n, double u)
    {
        double nu = n * u;
        return nu >= 1 ? double.PositiveInfinity : nu / (1 - nu);
    }

    /// <summary>
    /// The bound for every output of <paramref name="call"/>, given the reference outputs and the
    /// backend's precision. The inputs must already be representable in the backend's input format.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Bounds(
        OpCall call, IReadOnlyDictionary<string, Tensor> expected, PrecisionClass p)
    {
        var info = call.Info;
        return info.Kind switch
        {
            OpKind.Selection => expected.ToDictionary(kv => kv.Key, kv => Tensor.Zeros(kv.Value.Shape)),
            OpKind.Linear => LinearBounds(call, p),
            OpKind.Softmax => new Dictionary<string, Tensor> { ["y"] = SoftmaxBound(call.Inputs["x"], expected["y"], p) },
            OpKind.CrossEntropy when info.IsBackward => new Dictionary<string, Tensor> { ["dx"] = CrossEntropyBackwardBound(call, p) },
            OpKind.CrossEntropy => new Dictionary<string, Tensor> { ["loss"] = CrossEntropyBound(call, p) },
            _ => throw new InvalidOperationException($"no error model for {info.Name}"),
        };
    }

    /// <summary>
    /// n of spec/numerics.md: the number of terms accumulated into one element of
    /// <paramref name="output"/> (an upper bound where elements differ).
    /// </summary>
    public static long AccumulatedTerms(OpCall call, string output)
    {
        var x = call.Inputs["x"];
        var a = call.Attributes;
        bool bias = call.Inputs.ContainsKey("b");
        switch (call.Op)
        {
            case "conv1d": return call.Inputs["w"].Length;
            case "conv2d": return call.Inputs["w"].Length;
            case "conv2d_layer":
            {
                var w = call.Inputs["w"];
                return (long)w.Shape[0] * w.Shape[1] * w.Shape[2] + (bias ? 1 : 0);
            }
            case "conv2d_layer_backward":
            {
                var w = call.Inputs["w"];
                var dy = call.Inputs["dy"];
                return output == "dx"
                    ? (long)(w.Shape[3] / a.Groups) * w.Shape[0] * w.Shape[1]
                    : (long)dy.Shape[0] * dy.Shape[1] * dy.Shape[2];
            }
            case "dense": return x.Shape[1] + (bias ? 1 : 0);
            case "dense_backward": return output == "dx" ? call.Inputs["w"].Shape[1] : x.Shape[0];
            case "avg_pool2d": return (long)a.Pool!.Value.Rows * a.Pool.Value.Cols + 1;
            case "avg_pool2d_backward": return 2 * WindowsPerInput(a);
            case "max_pool2d_backward": return WindowsPerInput(a);
            default: throw new InvalidOperationException($"{call.Op} is not a linear op");
        }
    }

    private static long WindowsPerInput(OpAttributes a)
    {
        Pair pool = a.Pool!.Value, s = a.Strides ?? pool;
        return (long)CeilDiv(pool.Rows, s.Rows) * CeilDiv(pool.Cols, s.Cols);
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;

    /// <summary>
    /// The bounds of a linear op's outputs: the direct bound, raised to the Winograd bound on y and
    /// dx of eligible calls when <paramref name="p"/> declares Winograd. They need only the
    /// inputs: callers with large calls compute them before the reference outputs, so the |inputs|
    /// copies made here are garbage before the outputs exist (the full-size fc1 weight alone is
    /// 822 MB in double).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> LinearBounds(OpCall call, PrecisionClass p)
    {
        // The magnitude term: the op itself on |inputs|. The x of max_pool2d_backward only routes, so it keeps its sign.
        // Dense takes |·| on the fly: its weight is the largest tensor of the catalogue, and a copy of it the largest garbage.
        var magnitudes = call.Op is "dense" or "dense_backward" ? DenseMagnitudes(call) : OpCatalog.Evaluate(call.Op,
            call.Inputs.ToDictionary(kv => kv.Key, kv => call.Op == "max_pool2d_backward" && kv.Key == "x" ? kv.Value : kv.Value.Abs()),
            call.Attributes);
        // NaN and ±∞ inputs are left out of the integer test: a term with a non-finite factor has a
        // non-finite |term| (|∞·0| is NaN), so an element with a finite magnitude has only finite
        // integer terms and stays exact, and an element with a non-finite one fails `m <= 1/u_acc`
        // below. So a NaN elsewhere in the call does not take the other elements out of the tier.
        bool integers = call.Inputs.Values.All(t => t.Data.All(v => !double.IsFinite(v) || (v == Math.Floor(v) && Math.Abs(v) <= 1 / p.InputUnit)));
        bool exactTier = IntegerExactOps.Contains(call.Op) && integers;
        var bounds = new Dictionary<string, Tensor>();
        foreach (var (name, mag) in magnitudes)
        {
            // In place: the magnitude tensor becomes the bound, so no second output-sized array exists
            // (unless the op handed back an input's storage, which must not change).
            long n = AccumulatedTerms(call, name);
            var bound = call.Inputs.Values.Any(t => ReferenceEquals(t.Data, mag.Data)) ? mag.Clone() : mag;
            double[] m = bound.Data;
            for (int i = 0; i < m.Length; i++)
                m[i] = exactTier && m[i] <= 1 / p.AccumulationUnit ? 0 : LinearBound(m[i], n, p);
            if (WinogradMagnitudes.AppliesTo(call, name, p)) WithWinograd(call, name, p, integers, m);
            bounds[name] = bound;
        }
        return bounds;
    }

    /// <summary>
    /// Raises each direct bound in <paramref name="bounds"/> to the Winograd bound of its element
    /// where that is larger: a backend declaring Winograd may use either algorithm on an eligible
    /// call. The Winograd exact tier is call-wide: with integer inputs, every |·|-evaluated
    /// intermediate ≤ M = 1/(4·u_acc) and every transformed operand ≤ 1/(4·u_in), every intermediate
    /// is k·2^-j with j ≤ 2 and |k| ≤ 4M = 2^p, which the accumulator (and the input format, for a
    /// backend that rounds Ũ and Ṽ to it) represents, so Winograd is exact too.
    /// </summary>
    private static void WithWinograd(OpCall call, string output, PrecisionClass p, bool integers, double[] bounds)
    {
        var wm = WinogradMagnitudes.Evaluate(call, output);
        bool exact = integers && wm.MaxIntermediate <= 1 / (WinogradExactFactor * p.AccumulationUnit)
            && wm.MaxOperand <= 1 / (WinogradExactFactor * p.InputUnit);
        double[] w = wm.Magnitude.Data, f = wm.FlushUnits.Data;
        for (int i = 0; i < bounds.Length; i++)
            bounds[i] = WithWinograd(bounds[i], w[i], exact ? 0 : WinogradBound(w[i], f[i], wm.Roundings, p));
    }

    /// <summary>
    /// The Winograd exact tier's margin: after the filter transform every intermediate is a
    /// multiple of ¼ (two halvings), and such a value is exact when 4× it is an integer of at most 2^p.
    /// </summary>
    public const double WinogradExactFactor = 4;

    /// <summary>
    /// The Winograd F(2×2,3×3) bound of one element (spec/numerics.md):
    /// (2·u_in + γ_R(u_acc))·W + MinNormal·F, with W the Winograd computation on absolute values
    /// and F the first-order flush-to-zero units of the element.
    /// </summary>
    public static double WinogradBound(double magnitude, double flushUnits, int roundings, PrecisionClass p) =>
        (2 * p.InputUnit + Gamma(roundings, p.AccumulationUnit)) * magnitude + flushUnits * p.MinNormal;

    /// <summary>
    /// The bound of an element a backend may compute either way: the larger of the direct and the
    /// Winograd bound. Where W is not finite (a NaN or ∞ in the element's window, kernel or bias), Winograd gives NaN
    /// or ±∞, which the report judges by the special-value rules whatever the bound, so only a
    /// direct evaluation can return a finite value there: the direct bound stays.
    /// </summary>
    public static double WithWinograd(double direct, double winogradMagnitude, double winograd) =>
        double.IsFinite(winogradMagnitude) ? Math.Max(direct, winograd) : direct;

    /// <summary>
    /// dense and dense_backward on |inputs| (Dense.Forward and Dense.Backward of the reference with
    /// every operand's absolute value), without copying the inputs: y = |x|·|W| + |b|;
    /// dx = |dy|·|W|ᵀ, dW = |x|ᵀ·|dy|, db = Σ_b |dy|.
    /// </summary>
    private static Dictionary<string, Tensor> DenseMagnitudes(OpCall call)
    {
        var (x, w) = (call.Inputs["x"], call.Inputs["w"]);
        var (batch, nin, nout) = Check.Dense(x, w);
        double[] xs = x.Data, ws = w.Data;
        if (call.Op == "dense")
        {
            double[]? bias = call.Inputs.TryGetValue("b", out var b) ? b.Data : null;
            var y = Tensor.Zeros(batch, nout);
            for (int r = 0; r < batch; r++)
            {
                // Row by row of W, in memory order: the 822 MB weight is read once per sample.
                var row = new Span<double>(y.Data, r * nout, nout);
                for (int i = 0; i < nin; i++)
                {
                    double xi = Math.Abs(xs[r * nin + i]);
                    var wi = new ReadOnlySpan<double>(ws, i * nout, nout);
                    for (int j = 0; j < nout; j++) row[j] += xi * Math.Abs(wi[j]);
                }
                if (bias != null) for (int j = 0; j < nout; j++) row[j] += Math.Abs(bias[j]);
            }
            return new() { ["y"] = y };
        }
        double[] dys = call.Inputs["dy"].Data;
        var (dx, dw, db) = (Tensor.Zeros(batch, nin), Tensor.Zeros(nin, nout), Tensor.Zeros(nout));
        for (int r = 0; r < batch; r++)
            for (int i = 0; i < nin; i++)
            {
                double sum = 0;
                for (int j = 0; j < nout; j++) sum += Math.Abs(dys[r * nout + j]) * Math.Abs(ws[i * nout + j]);
                dx.Data[r * nin + i] = sum;
            }
        for (int r = 0; r < batch; r++)
            for (int i = 0; i < nin; i++)
            {
                double xi = Math.Abs(xs[r * nin + i]);
                for (int j = 0; j < nout; j++) dw.Data[i * nout + j] += xi * Math.Abs(dys[r * nout + j]);
            }
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < nout; j++) db.Data[j] += Math.Abs(dys[r * nout + j]);
        return new() { ["dx"] = dx, ["dw"] = dw, ["db"] = db };
    }

    /// <summary>
    /// The linear ops' direct bound for one element: (2·u_in + γ_{n+1}(u_acc))·m + n·MinNormal, with
    /// m the element's magnitude term (the op on |inputs|) and n its accumulated terms.
    /// </summary>
    public static double LinearBound(double magnitude, long n, PrecisionClass p) =>
        LinearRelative(n, p) * magnitude + n * p.MinNormal;

    /// <summary>The relative part of <see cref="LinearBound"/>: 2·u_in + γ_{n+1}(u_acc).</summary>
    public static double LinearRelative(long n, PrecisionClass p) =>
        2 * p.InputUnit + Gamma(n + 1, p.AccumulationUnit);

    /// <summary>
    /// softmax: y_j·[γ_{C+2} + (2k_f + |x_j − m| + max|x − m|)·u_acc + 2·u_in·max|x|] + MinNormal, per row,
    /// with m, max|x − m| and max|x| over the row's finite logits; 0 where x_j = −∞ (y_j is then exactly 0).
    /// </summary>
    public static Tensor SoftmaxBound(Tensor x, Tensor y, PrecisionClass p)
    {
        int c = x.Shape[^1];
        double u = p.AccumulationUnit, kf = ElementaryFunctionUlps;
        var bound = Tensor.Zeros(x.Shape);
        for (int row = 0; row < x.Length / c; row++)
        {
            var xs = new ReadOnlySpan<double>(x.Data, row * c, c);
            var (m, spread, maxAbs) = FiniteLogitRange(xs);
            for (int j = 0; j < c; j++)
            {
                // exp(−∞ − m) is exactly 0 and 0/S is exactly 0 in any correct implementation: no error allowed.
                if (double.IsNegativeInfinity(xs[j])) continue;
                double rel = Gamma(c + 2, u) + (2 * kf + (m - xs[j]) + spread) * u + 2 * p.InputUnit * maxAbs;
                bound.Data[row * c + j] = y.Data[row * c + j] * rel + p.MinNormal;
            }
        }
        return bound;
    }

    /// <summary>
    /// m = max x_k, max(m − x_k) and max|x_k| over the finite logits of one row (m = −∞ and zeros
    /// when none is finite). A −∞ logit adds exp(−∞ − m) = 0 to the sum exactly, and rounding the
    /// inputs leaves it −∞, so it adds no error; taking it into the spread would make every bound
    /// of the row infinite. +∞ and NaN logits make the reference row NaN, whose rule needs no bound.
    /// </summary>
    private static (double M, double Spread, double MaxAbs) FiniteLogitRange(ReadOnlySpan<double> xs)
    {
        double m = double.NegativeInfinity, maxAbs = 0, spread = 0;
        foreach (double v in xs)
            if (double.IsFinite(v)) { m = Math.Max(m, v); maxAbs = Math.Max(maxAbs, Math.Abs(v)); }
        foreach (double v in xs)
            if (double.IsFinite(v)) spread = Math.Max(spread, m - v);
        return (m, spread, maxAbs);
    }

    private static Tensor CrossEntropyBound(OpCall call, PrecisionClass p)
    {
        var x = call.Inputs["x"];
        var labels = call.Inputs["labels"];
        int batch = x.Shape[0], c = x.Shape[1];
        double u = p.AccumulationUnit, kf = ElementaryFunctionUlps, sumE = 0, sumL = 0;
        for (int b = 0; b < batch; b++)
        {
            var xs = new ReadOnlySpan<double>(x.Data, b * c, c);
            var (m, spread, maxAbs) = FiniteLogitRange(xs);
            double s = 0;
            // −∞ logits add exactly 0 here, as in the backend.
            foreach (double v in xs) s += Math.Exp(v - m);
            double logS = Math.Log(s), picked = xs[(int)labels.Data[b]];
            sumE += Gamma(c + 2, u) + (kf + spread) * u + (kf + 2) * u * Math.Abs(logS)
                + 2 * u * Math.Abs(m - picked) + 2 * p.InputUnit * maxAbs;
            sumL += Math.Abs(m + logS - picked);
        }
        return new Tensor([], [sumE / batch + Gamma(batch + 1, u) * sumL / batch + p.MinNormal]);
    }

    private static Tensor CrossEntropyBackwardBound(OpCall call, PrecisionClass p)
    {
        var x = call.Inputs["x"];
        var labels = call.Inputs["labels"];
        double dy = call.Inputs.TryGetValue("dy", out var d) ? Math.Abs(d.Data[0]) : 1.0;
        var y = Activation.Softmax(x);
        var softmaxBound = SoftmaxBound(x, y, p);
        int batch = x.Shape[0], c = x.Shape[1];
        var bound = Tensor.Zeros(x.Shape);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < c; j++)
            {
                double g = Math.Abs(y[b, j] - (j == (int)labels.Data[b] ? 1 : 0));
                bound[b, j] = dy / batch * (softmaxBound[b, j] + (Gamma(3, p.AccumulationUnit) + 2 * p.InputUnit) * g) + p.MinNormal;
            }
        return bound;
    }
}

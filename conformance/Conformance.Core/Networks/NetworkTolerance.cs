using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>
/// The network-level tolerance of spec/numerics.md ("Networks"): for every step of a backend's
/// run, E bounds the L2 norm of its output's deviation from the golden, built from the per-op
/// bounds layer by layer. Selection ops and softmax pass errors on unamplified (they are
/// 1-Lipschitz in L2); a linear map is assumed to amplify an incoming error no more than it
/// amplifies the signal (the golden's norm ratio); each op adds its own rounding bound, whose
/// magnitude term is bounded by Cauchy–Schwarz from the backend's own inputs.
/// </summary>
public static class NetworkTolerance
{
    /// <summary>
    /// E for every step of <paramref name="steps"/> (forward steps, then training steps if any),
    /// given the goldens' L2 norms by step name. Inputs made by no step (the image, weights,
    /// labels) are exact. Where <paramref name="measured"/> gives a step's actual deviation from
    /// a golden kept in full, later steps start from that instead of the bound (a restart point).
    /// </summary>
    public static IReadOnlyDictionary<string, double> Propagate(
        IReadOnlyList<StepResult> steps, IReadOnlyDictionary<string, double> goldenL2, Func<string, PrecisionClass> precisionOf,
        IReadOnlyDictionary<string, double>? measured = null)
    {
        var e = new Dictionary<string, double>();
        // What flows on: the bound, or where a golden keeps the whole tensor, the deviation measured against it.
        var flow = new Dictionary<string, double>();
        for (int k = 0; k < steps.Count; k++)
        {
            var s = steps[k];
            var call = s.Call;
            var p = precisionOf(call.Op);
            // The step that made an input, found by its data (a reshape shares it), and that input's error and golden norm.
            (double E, double L2) In(string input)
            {
                var t = call.Inputs[input];
                for (int j = k - 1; j >= 0; j--)
                    if (ReferenceEquals(steps[j].Value.Data, t.Data)) return (flow[steps[j].Name], goldenL2[steps[j].Name]);
                return (0, Norm(t));
            }
            double l2 = goldenL2[s.Name];
            e[s.Name] = call.Op switch
            {
                "relu" or "max_pool2d" or "flatten" => Gain(l2, In("x").L2) * In("x").E,
                "softmax" => In("x").E + Norm(ErrorModel.SoftmaxBound(call.Inputs["x"], Activation.Softmax(call.Inputs["x"]), p)),
                "softmax_cross_entropy" => Math.Sqrt(2) * In("x").E + OwnBound(call, s.Output, p),
                "softmax_cross_entropy_backward" => In("x").E + OwnBound(call, s.Output, p),
                "relu_backward" or "max_pool2d_backward" => Gain(l2, In("dy").L2) * In("dy").E + FlipAllowance(call, In("x")),
                "conv2d_layer" or "dense" => Gain(l2, In("x").L2) * In("x").E + Rounding(call, "y", p),
                "conv2d_layer_backward" or "dense_backward" => s.Output switch
                {
                    "dw" => l2 * (Relative(In("x")) + Relative(In("dy"))) + Rounding(call, "dw", p),
                    _ => Gain(l2, In("dy").L2) * In("dy").E + Rounding(call, s.Output, p),
                },
                _ => throw new InvalidOperationException($"no network tolerance for {call.Op}"),
            };
            flow[s.Name] = measured != null && measured.TryGetValue(s.Name, out double m) && double.IsFinite(m) ? m : e[s.Name];
        }
        return e;
    }

    /// <summary>The L2 norm, summed in double.</summary>
    public static double Norm(Tensor t)
    {
        double sum = 0;
        foreach (double v in t.Data) sum += v * v;
        return Math.Sqrt(sum);
    }

    private static double Relative((double E, double L2) input) => Gain(input.E, input.L2);

    /// <summary>a / b for norms, with 0 / 0 = 0 and a / 0 = ∞, never NaN.</summary>
    private static double Gain(double a, double b) => b > 0 ? a / b : a == 0 ? 0 : double.PositiveInfinity;

    /// <summary>The L2 norm of the op's own per-element bound, on this backend's inputs (cheap ops only).</summary>
    private static double OwnBound(OpCall call, string output, PrecisionClass p) =>
        Norm(ErrorModel.Bounds(call, OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes), p)[output]);

    /// <summary>
    /// ‖bound‖ of a linear op's output ≤ (2u_in + γ̃_{n+1})·‖M‖ + √N·n·MinNormal, with the
    /// magnitude term ‖M‖ bounded by Cauchy–Schwarz: √taps·‖W‖·‖x‖ + √P·‖b‖ for y, √taps·‖W‖·‖dy‖
    /// for dx, √taps·‖x‖·‖dy‖ for dw and √P·‖dy‖ for db (taps = K1·K2, 1 for dense; P = output positions).
    /// Where the backend may use Winograd, the element bound is the larger of two, and
    /// ‖max(a, b)‖ ≤ ‖a‖ + ‖b‖: the Winograd term is added (<see cref="WinogradRounding"/>).
    /// </summary>
    private static double Rounding(OpCall call, string output, PrecisionClass p)
    {
        var x = call.Inputs["x"];
        var w = call.Inputs["w"];
        int cout = w.Shape[^1];
        double taps = call.Op.StartsWith("conv", StringComparison.Ordinal) ? w.Shape[0] * w.Shape[1] : 1;
        double dyNorm = call.Inputs.TryGetValue("dy", out var dy) ? Norm(dy) : 0;
        double positions = (call.Op.StartsWith("conv", StringComparison.Ordinal)
            ? (double)x.Shape[0] * PointReference.Shape(call, "y").Skip(1).Take(2).Aggregate(1.0, (a, d) => a * d)
            : x.Shape[0]);
        double magnitude = output switch
        {
            "y" => Math.Sqrt(taps) * Norm(w) * Norm(x) + Math.Sqrt(positions) * (call.Inputs.TryGetValue("b", out var b) ? Norm(b) : 0),
            "dx" => Math.Sqrt(taps) * Norm(w) * dyNorm,
            "dw" => Math.Sqrt(taps) * Norm(x) * dyNorm,
            _ => Math.Sqrt(positions) * dyNorm,
        };
        long n = ErrorModel.AccumulatedTerms(call, output);
        double elements = PointReference.Shape(call, output).Aggregate(1.0, (a, d) => a * d);
        double direct = ProbabilisticRelative(n, p) * magnitude + Math.Sqrt(elements) * n * p.MinNormal;
        return WinogradMagnitudes.AppliesTo(call, output, p)
            ? direct + WinogradRounding(call, output, p, positions, elements)
            : direct;
    }

    /// <summary>
    /// The Winograd part of a step's rounding (spec/numerics.md, "The network tolerance"):
    /// (2u_in + γ̃_R)·‖W‖ + √N·max F·MinNormal, with ‖W‖ ≤ 3κ·‖w‖·‖data‖ + √P·‖b‖ and F bounded
    /// from the largest |w| and |data| (<see cref="WinogradF2x2"/>); data is x for y and dy for dx.
    /// The probabilistic γ̃_R applies as for a sum: each monomial of the Winograd expansion carries
    /// a product of at most R factors (1 + δ).
    /// </summary>
    private static double WinogradRounding(OpCall call, string output, PrecisionClass p, double positions, double elements)
    {
        if (output == "dw") return WinogradWeightRounding(call, p, elements);
        var w = call.Inputs["w"];
        var data = output == "y" ? call.Inputs["x"] : call.Inputs["dy"];
        var bias = output == "y" ? call.Inputs.GetValueOrDefault("b") : null;
        int groups = call.Attributes.Groups, channels = output == "y" ? w.Shape[2] : w.Shape[3] / groups;
        double magnitude = WinogradF2x2.MagnitudeNormBound(Norm(w), Norm(data), bias == null ? 0 : Norm(bias), positions);
        double flush = WinogradF2x2.FlushUnitsBound(channels, MaxAbs(w), MaxAbs(data), bias != null);
        int r = WinogradF2x2.Roundings(channels, bias != null);
        return (2 * p.InputUnit + ProbabilisticGamma(r, p.AccumulationUnit)) * magnitude + Math.Sqrt(elements) * flush * p.MinNormal;
    }

    /// <summary>
    /// The same for dw (spec/numerics.md, "Weight gradient"): ‖W‖ ≤ 6κ_w·‖x‖·‖dy‖, F bounded from the
    /// largest |x| and |dy|, R = T + 9 with T the 2×2 tiles of dy.
    /// </summary>
    private static double WinogradWeightRounding(OpCall call, PrecisionClass p, double elements)
    {
        var (x, dy) = (call.Inputs["x"], call.Inputs["dy"]);
        int tiles = dy.Shape[0] * ((dy.Shape[1] + 1) / 2) * ((dy.Shape[2] + 1) / 2);
        double magnitude = WinogradF2x2.WeightMagnitudeNormBound(Norm(x), Norm(dy));
        double flush = WinogradF2x2.WeightFlushUnitsBound(tiles, MaxAbs(x), MaxAbs(dy));
        return (2 * p.InputUnit + ProbabilisticGamma(WinogradF2x2.WeightRoundings(tiles), p.AccumulationUnit)) * magnitude
            + Math.Sqrt(elements) * flush * p.MinNormal;
    }

    private static double MaxAbs(Tensor t) => t.Data.Select(Math.Abs).DefaultIfEmpty(0).Max();

    /// <summary>
    /// λ of the probabilistic rounding model (Higham and Mary, SIAM J. Sci. Comput. 41(5), 2019,
    /// Theorem 3.1): an inner product of n terms errs by more than γ̃_n(λ)·Σ|terms| with
    /// probability at most 2n·exp(−λ²(1−u)²/2), about 4·10⁻¹⁸ for n = 25,089 and λ = 10.
    /// </summary>
    public const double Lambda = 10;

    /// <summary>
    /// 2u_in + γ̃_{n+1}(λ): the per-element relative rounding bound of the probabilistic model
    /// for a direct sum of n terms, used for the network tolerance only (the chained check keeps
    /// the worst-case γ_n of the per-op model).
    /// </summary>
    public static double ProbabilisticRelative(long n, PrecisionClass p) =>
        2 * p.InputUnit + ProbabilisticGamma(n + 1, p.AccumulationUnit);

    /// <summary>
    /// γ̃_m(λ) = exp(λ·√m·u + m·u²/(1 − u)) − 1, and never more than the worst case γ_m: the
    /// bound on a product of m factors (1 + δ) that holds except with probability 2·exp(−λ²(1 − u)²/2).
    /// </summary>
    public static double ProbabilisticGamma(double m, double u) =>
        Math.Min(Math.Exp(Lambda * Math.Sqrt(m) * u + m * u * u / (1 - u)) - 1, ErrorModel.Gamma(m, u));

    /// <summary>
    /// Where the backend's x is within its own error of a kink (0 for relu_backward; a tie of the
    /// two largest of a window for max_pool2d_backward), its mask or routing may legitimately
    /// differ from the reference's and move that dy: the allowance is the L2 norm of dy there
    /// (twice for a pool, whose dy moves rather than vanishes). "Within its own error" takes the
    /// tensor's relative tolerance E/‖x‖ times its largest |x| as every element's error.
    /// </summary>
    private static double FlipAllowance(OpCall call, (double E, double L2) x)
    {
        var xs = call.Inputs["x"];
        var dy = call.Inputs["dy"];
        double delta = Gain(x.E, x.L2) * MaxAbs(xs);
        double sum = 0;
        if (call.Op == "relu_backward")
        {
            for (int i = 0; i < xs.Length; i++)
                if (Math.Abs(xs.Data[i]) <= delta) sum += dy.Data[i] * dy.Data[i];
            return Math.Sqrt(sum);
        }
        // 2×2/2 pooling windows of NHWC x; dy is [B, H/2, W/2, C].
        int h = xs.Shape[1], wd = xs.Shape[2], c = xs.Shape[3], oh = dy.Shape[1], ow = dy.Shape[2];
        for (int b = 0; b < xs.Shape[0]; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        double first = double.NegativeInfinity, second = double.NegativeInfinity;
                        for (int di = 0; di < 2; di++)
                            for (int dj = 0; dj < 2; dj++)
                            {
                                double v = xs.Data[((b * h + 2 * i + di) * wd + 2 * j + dj) * c + ch];
                                if (v > first) { second = first; first = v; }
                                else if (v > second) second = v;
                            }
                        if (first - second <= 2 * delta)
                        {
                            double g = dy.Data[((b * oh + i) * ow + j) * c + ch];
                            sum += 4 * g * g;
                        }
                    }
        return Math.Sqrt(sum);
    }
}

using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>How one step of a network run compared, by the chained check or against a golden.</summary>
/// <param name="Step">The step, e.g. "block3_conv2/conv2d_layer" or "fc1/dense_backward:dw".</param>
/// <param name="Passed">True when every compared value is within its bound.</param>
/// <param name="MaxRatio">The largest |error| / bound, never NaN (<see cref="Comparison.Ratio"/>).</param>
/// <param name="Detail">The worst comparison in words: what, where, expected, actual, bound.</param>
public sealed record StepVerdict(string Step, bool Passed, double MaxRatio, string Detail);

/// <summary>
/// The chained check of spec/numerics.md ("Networks"): each step of a backend's network run is
/// judged against the reference op applied to the backend's own inputs (its previous outputs),
/// with the op's own error bound. Errors of earlier layers therefore never enter a later layer's
/// bound, and the first failing step is the layer that is wrong. Linear ops are checked at the
/// golden's sampled positions (<see cref="PointReference"/>); every other op on every element.
/// </summary>
public static class ChainedCheck
{
    /// <summary>Judges one step; <paramref name="positions"/> are the offsets checked for linear ops.</summary>
    public static StepVerdict Judge(StepResult step, IReadOnlyList<long> positions, PrecisionClass p)
    {
        var call = step.Call;
        if (PointReference.Ops.Contains(call.Op))
        {
            int[] shape = PointReference.Shape(call, step.Output);
            if (!step.Value.Shape.SequenceEqual(shape))
                return new(step.Name, false, double.PositiveInfinity,
                    $"{step.Output} has shape {Tensor.Format(step.Value.Shape)} where the reference has {Tensor.Format(shape)}");
            long n = ErrorModel.AccumulatedTerms(call, step.Output);
            // A backend declaring Winograd is held at each point to the larger of the two bounds, as in ErrorModel.
            bool winograd = WinogradMagnitudes.AppliesTo(call, step.Output, p);
            int roundings = winograd ? WinogradMagnitudes.Roundings(call, step.Output) : 0;
            double worst = -1;
            string detail = "";
            foreach (long offset in positions)
            {
                var (expected, magnitude) = PointReference.At(call, step.Output, offset);
                double actual = step.Value.Data[offset], bound = ErrorModel.LinearBound(magnitude, n, p);
                if (winograd)
                {
                    var (w, f) = WinogradMagnitudes.At(call, step.Output, offset);
                    bound = ErrorModel.WithWinograd(bound, w, ErrorModel.WinogradBound(w, f, roundings, p));
                }
                double ratio = Comparison.Ratio(expected, actual, bound);
                if (ratio <= worst) continue;
                worst = ratio;
                detail = $"{step.Output}{Tensor.Format(step.Value.IndexOf((int)offset))}: reference on this backend's inputs {expected:R}, actual {actual:R}, bound {bound:G3}";
            }
            return new(step.Name, worst <= 1, Math.Max(worst, 0), detail);
        }
        var expectedAll = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
        var bounds = ErrorModel.Bounds(call, expectedAll, p);
        var report = Comparison.Compare(step.Output, expectedAll[step.Output], step.Value, bounds[step.Output], p);
        return new(step.Name, report.Passed, report.MaxRatio, report.Describe().Replace("expected", "reference on this backend's inputs"));
    }
}

using Conformance.Core.Backends;
using Conformance.Core.Gradients;
using Conformance.Reference;
using Conformance.Tests.Mutants;
using Xunit;
using Conformance.Core.Mutants;

namespace Conformance.Tests.Gradients;

/// <summary>The public gradient checker accepts the reference's backward ops and rejects wrong ones.</summary>
public sealed class GradientCheckTests
{
    public static IEnumerable<object[]> Ops => GradientCases.Ops.Select(o => new object[] { o });

    [Theory]
    [MemberData(nameof(Ops))]
    public void ReferenceBackwardMatchesFiniteDifferences(string op)
    {
        using var reference = new ReferenceBackend();
        foreach (var (label, call) in GradientCases.For(op, PrecisionClass.Fp64, seed: 7))
        {
            var report = GradientCheck.Check(reference, call, label, seed: 7);
            Assert.True(report.Passed, string.Join(Environment.NewLine, report.FiniteDifferences.Select(t => t.Describe())));
            Assert.Equal(call.Inputs.Keys.Count(k => k != "labels"), report.FiniteDifferences.Count);
            Assert.All(report.FiniteDifferences, t => Assert.True(t.MaxRelError < 1e-4, t.Describe()));
        }
    }

    [Fact]
    public void SlightlyWrongWeightGradientIsCaughtByTheReferenceComparison()
    {
        // In fp32, finite differences resolve gradients only to about 1e-2 relative; a 0.1% error is
        // found by comparing the backward with the reference's under the error bound.
        var report = Check(scale: 1.001);
        Assert.True(report.FiniteDifferences.All(t => t.Passed));
        Assert.Equal(Conformance.Core.Harness.CaseStatus.Failed, report.AgainstReference!.Status);
        Assert.Contains("dw", report.AgainstReference.Describe());
    }

    [Fact]
    public void GrosslyWrongWeightGradientIsCaughtByFiniteDifferences()
    {
        var report = Check(scale: 1.5);
        var dw = report.FiniteDifferences.Single(t => t.Gradient == "dw");
        Assert.False(dw.Passed, dw.Describe());
        Assert.True(report.FiniteDifferences.Single(t => t.Gradient == "dx").Passed);
    }

    private static GradientReport Check(double scale)
    {
        using var wrong = new MutantBackend("dw-scaled", outputs: (c, r) => c.Op == "conv2d_layer_backward"
            ? new Dictionary<string, Tensor>(r) { ["dw"] = r["dw"].Map(v => v * scale) } : r);
        var (label, call) = GradientCases.For("conv2d_layer", PrecisionClass.Fp32, seed: 3).First();
        return GradientCheck.Check(wrong, call, label, seed: 3);
    }

    [Fact]
    public void MaxPoolRoutingToTheLastMaximumIsCaught()
    {
        // Routing to the last maximum differs from the first only on ties: the grid data has none, so
        // finite differences agree, but the comparison with the reference on tied data does not.
        using var wrong = new MutantBackend("last-max", outputs: (c, r) => c.Op == "max_pool2d_backward"
            ? new Dictionary<string, Tensor> { ["dx"] = LastMaxRouting(c) } : r);
        var x = new Tensor([1, 2, 2, 1], [1, 1, 1, 1]);
        var call = new OpCall("max_pool2d", new Dictionary<string, Tensor> { ["x"] = x }, new OpAttributes { Pool = Pair.Of(2) });
        var report = GradientCheck.Check(wrong, call, "all-tied", seed: 1);
        Assert.False(report.AgainstReference!.Status == Conformance.Core.Harness.CaseStatus.Passed);
    }

    private static Tensor LastMaxRouting(OpCall c)
    {
        var x = c.Inputs["x"];
        var g = PoolGeometry.Of(x, c.Attributes);
        var dx = Tensor.Zeros(x.Shape);
        for (int b = 0; b < g.Batch; b++)
            for (int ch = 0; ch < g.Channels; ch++)
                for (int i1 = 0; i1 < g.Rows.OutputSize; i1++)
                    for (int i2 = 0; i2 < g.Cols.OutputSize; i2++)
                    {
                        var best = g.Window(i1, i2).Aggregate((a, q) => x[b, q.Row, q.Col, ch] >= x[b, a.Row, a.Col, ch] ? q : a);
                        dx[b, best.Row, best.Col, ch] += c.Inputs["dy"][b, i1, i2, ch];
                    }
        return dx;
    }
}

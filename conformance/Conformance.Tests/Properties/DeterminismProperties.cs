using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Properties;

/// <summary>
/// The reference runs its outer loops with Parallel.For yet promises results that do not depend on
/// the thread count. The check runs each op on one thread (<see cref="Parallelism.LimitTo"/>), then
/// unlimited, then from many tasks at once, where the loop's dynamic partitioning hands the rows to
/// different threads in different amounts; all results must be bitwise identical. Real data, so a
/// changed summation order shows in the last bits.
/// </summary>
public class DeterminismProperties
{
    private const int Concurrent = 8;

    private static IReadOnlyList<Tensor> RunAll(RealLayerCase r)
    {
        var c = r.Case;
        var pool = new OpAttributes { Pool = new Pair(2, 3), Strides = new Pair(1, 2), Padding = Padding.Same };
        var g = Ref.LayerBackward(c.X, c.W, c.Dy, c.A);
        var flat = c.X.Reshape(c.X.Shape[0], c.X.Length / c.X.Shape[0]);
        var dense = Ref.One("dense", OpAttributes.Default, ("x", flat), ("w", new Tensor([flat.Shape[1], 1], c.X.Data[..flat.Shape[1]])));
        var mp = Ref.One("max_pool2d", pool, ("x", c.X));
        return
        [
            Ref.Layer(c.X, c.W, c.B, c.A), g["dx"], g["dw"], g["db"], dense, mp,
            Ref.One("avg_pool2d", pool, ("x", c.X)),
            Ref.One("max_pool2d_backward", pool, ("x", c.X), ("dy", mp.Map(v => v * 1.5 - 0.25))),
            Ref.One("avg_pool2d_backward", pool, ("x", c.X), ("dy", mp.Map(v => v * 0.75 + 0.5))),
        ];
    }

    private static void AssertSame(IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual, string how)
    {
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].BitwiseEquals(actual[i]), $"output {i} differs bitwise when run {how}");
    }

    private static void Check(RealLayerCase r)
    {
        IReadOnlyList<Tensor> direct;
        using (Parallelism.LimitTo(1)) direct = RunAll(r);
        AssertSame(direct, RunAll(r), "on one thread and then on all");
        for (int round = 0; round < 2; round++)
        {
            var many = Enumerable.Range(0, Concurrent).Select(_ => Task.Run(() => RunAll(r))).ToArray();
            Assert.True(Task.WaitAll(many, TimeSpan.FromSeconds(60)), "concurrent runs did not finish");
            foreach (var t in many) AssertSame(direct, t.Result, $"from {Concurrent} concurrent tasks");
            AssertSame(direct, RunAll(r), "again directly");
        }
    }

    [ConformanceProperty(30)]
    public void ResultsDoNotDependOnTheThreadCount(RealLayerCase r) => Check(r);

    [Fact]
    public void LargerLayerDoesNotDependOnTheThreadCount()
    {
        // Big enough that Parallel.For really splits the 3·16 output rows across threads.
        var rnd = new Random(20240611);
        Tensor R(params int[] shape) => new(shape, Enumerable.Range(0, shape.Aggregate(1, (p, d) => p * d)).Select(_ => rnd.NextDouble() * 2 - 1).ToArray());
        var a = new OpAttributes { Padding = Padding.Same, Reversal = true, Strides = new Pair(1, 2), Dilation = new Pair(2, 1), Groups = 2 };
        var x = R(3, 16, 13, 4);
        var w = R(3, 3, 2, 6);
        var dy = R(3, 16, 7, 6);
        Check(new RealLayerCase(new LayerCase(x, w, R(6), dy, a)));
    }
}

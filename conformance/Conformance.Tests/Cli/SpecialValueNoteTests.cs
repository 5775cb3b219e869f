using Conformance.Cli;
using Conformance.Core.Cases;
using Conformance.Core.Io;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary>
/// eval and compare say on standard error when an input holds NaN or ±∞ (one line per input,
/// with counts and first indices), change neither standard output nor the exit code, and
/// compare's failure report names special values the output lost or made up.
/// </summary>
public sealed class SpecialValueNoteTests : IDisposable
{
    private const double NaN = double.NaN, Inf = double.PositiveInfinity;
    private readonly CliTestKit _kit = new();

    /// <inheritdoc />
    public void Dispose() => _kit.Dispose();

    [Fact]
    public void TheNoteCountsEachKindAndGivesItsFirstIndex()
    {
        Assert.Null(SpecialValues.Note("x", new Tensor([2, 2], [1, 2, 3, 4])));
        Assert.Equal("note: w holds 1 NaN (first at [1, 0]): the outputs that depend on them follow spec/special-values.md",
            SpecialValues.Note("w", new Tensor([2, 2], [1, 2, NaN, 4])));
        Assert.Equal("note: x holds 2 NaN (first at [0, 1]), 1 +∞ (first at [1, 1]) and 2 −∞ (first at [0, 0]): "
            + "the outputs that depend on them follow spec/special-values.md",
            SpecialValues.Note("x", new Tensor([2, 3], [-Inf, NaN, NaN, 0, Inf, -Inf])));
        Assert.Equal("note: dy holds 1 +∞ (first at [2]) and 1 −∞ (first at [0]): the outputs that depend on them follow spec/special-values.md",
            SpecialValues.Note("dy", new Tensor([3], [-Inf, 0, Inf])));
    }

    [Fact]
    public void EvalNotesEachSpecialInputOnStandardErrorAndStillSucceeds()
    {
        string x = _kit.Save("x.npy", new Tensor([1, 2, 4, 1], [1, NaN, 2, 3, Inf, 4, 5, 6]), NpyDType.Float32);
        string y = _kit.PathOf("y.npy");
        var r = CliTestKit.Run("eval", "max_pool2d", "--in", $"x={x}", "--attr", "pool=2", "--out", $"y={y}");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Equal("note: x holds 1 NaN (first at [0, 0, 1, 0]) and 1 +∞ (first at [0, 1, 0, 0]): "
            + "the outputs that depend on them follow spec/special-values.md", Assert.Single(r.ErrorLines));
        Assert.Equal($"y [1, 1, 2, 1] -> {y}", r.Out.Trim());
        Assert.Equal([NaN, 6], Npy.Read(y).Data);

        // Finite inputs: no note, and a finite input beside a special one gets none either.
        string w = _kit.Save("w.npy", new Tensor([2], [1, 1]));
        string xs = _kit.Save("xs.npy", new Tensor([3], [1, -Inf, 2]));
        r = CliTestKit.Run("eval", "conv1d", "--in", $"x={xs}", "--in", $"w={w}", "--out", $"y={_kit.PathOf("z.npy")}");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.StartsWith("note: x holds 1 −∞ (first at [1])", Assert.Single(r.ErrorLines));
        r = CliTestKit.Run("eval", "conv1d", "--in", $"x={w}", "--in", $"w={w}", "--out", $"y={_kit.PathOf("z.npy")}");
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
    }

    [Fact]
    public void CompareNotesTheInputsAndPassesTheSpecialValuesTheSpecOwes()
    {
        var (args, outputs) = CompareArgs("max_pool2d/special/nan-inf-windows");
        var r = CliTestKit.Run(args);
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Contains("compare max_pool2d (fp32): passed", r.Out);
        Assert.DoesNotContain("note:", r.Out);
        Assert.StartsWith("note: x holds 4 NaN (first at [0, 0, 1, 0]), 2 +∞ (first at [0, 0, 6, 0]) and 5 −∞ (first at [0, 0, 4, 0])",
            Assert.Single(r.ErrorLines));

        // What ONNX Runtime 1.31's MaxPool returns for channel 0: a NaN survives only as the last of its window.
        var y = outputs["y"].Clone();
        double[] ort = [3, Inf, -Inf, Inf, NaN, 3, 4, 5];
        for (int i = 0; i < 8; i++) y.Data[2 * i] = ort[i];
        Npy.Write(_kit.PathOf("out-y.npy"), y);
        r = CliTestKit.Run(args);
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Contains("y[0, 0, 0, 0]: expected NaN, actual 3", r.Out);
        Assert.Contains("the reference is NaN here: only NaN passes", r.Out);
        Assert.Contains("y: 3 of them where the reference is NaN or ±∞ (first at [0, 0, 0, 0]): see spec/special-values.md", r.Out);
        Assert.Single(r.ErrorLines);
    }

    [Fact]
    public void CompareSaysWhenTheOutputHoldsNaNOrInfinityWhereTheReferenceIsFinite()
    {
        var (args, outputs) = CompareArgs("conv2d/special/inf-meets-zero-weight");
        var y = outputs["y"].Clone();
        y[2, 3] = NaN; // window (2,3) holds no special value
        y[3, 0] = -Inf;
        Npy.Write(_kit.PathOf("out-y.npy"), y);
        var r = CliTestKit.Run(args);
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Contains("y[2, 3]: expected", r.Out);
        Assert.Contains("actual is NaN where the reference is finite", r.Out);
        Assert.Contains("y: 2 of them NaN or ±∞ where the reference is finite (first at [2, 3])", r.Out);
    }

    [Fact]
    public void CompareNotesAnInputThatBecomesInfiniteWhenRoundedToTheDeclaredPrecision()
    {
        // 1e39 is finite in float64 but beyond float32: the reference and the note see the rounded +∞.
        string x = _kit.Save("x.npy", new Tensor([2], [1e39, 1]));
        string y = _kit.Save("y.npy", new Tensor([2], [Inf, 1]));
        var r = CliTestKit.Run("compare", "relu", "--in", $"x={x}", "--actual", $"y={y}");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.StartsWith("note: x holds 1 +∞ (first at [0])", Assert.Single(r.ErrorLines));
        r = CliTestKit.Run("compare", "relu", "--in", $"x={x}", "--actual", $"y={y}", "--precision", "fp64");
        Assert.Equal((ExitCodes.Failed, ""), (r.ExitCode, r.Error));
    }

    /// <summary>compare's arguments for a catalogued case, with the reference's outputs as the actual files.</summary>
    private (string[] Args, IReadOnlyDictionary<string, Tensor> Outputs) CompareArgs(string id)
    {
        var call = CaseCatalog.Get(id).Build(Core.Backends.PrecisionClass.Fp32);
        var outputs = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes);
        var args = new List<string> { "compare", call.Op };
        foreach (var (name, t) in call.Inputs) args.AddRange(["--in", $"{name}={_kit.Save($"in-{name}.npy", t)}"]);
        foreach (var (key, value) in call.Attributes.ToPairs().Where(kv => call.Info.Attributes.Contains(kv.Key)))
            args.AddRange(["--attr", $"{key}={value}"]);
        foreach (var (name, t) in outputs) args.AddRange(["--actual", $"{name}={_kit.Save($"out-{name}.npy", t)}"]);
        return (args.ToArray(), outputs);
    }
}

using Conformance.Perf;
using Conformance.Tests.Cli;
using Xunit;

namespace Conformance.Tests.Perf;

/// <summary>The bench report, its baseline comparison and charts, on made-up results (timings never decide a test).</summary>
public sealed class BenchReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-bench-").FullName;

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly MachineInfo Machine = new("Test CPU @ 2.0GHz", 2, 24, "", "Linux", ".NET", "abc", new DateTime(2026, 11, 25));

    private static BenchReport Report(double reference, double torch, double ilgpu, double peak = 200) => new(Machine, peak, 20, "quick",
    [
        new("block1_conv2 forward", "layer", "reference", 1e9, new Timing(reference, reference, reference, 3), null),
        new("block1_conv2 forward", "layer", "torchsharp", 1e9, new Timing(torch, torch, torch, 3), null),
        new("block1_conv2 forward", "layer", "ilgpu-cpu", 1e9, new Timing(ilgpu, ilgpu, ilgpu, 3), null),
        new("vgg16 32×32 batch 2 training step", "training", "onnxruntime", 3e9, null, "not supported"),
    ]);

    /// <summary>A backend slower relative to the anchor is a regression; the same slowdown on a slower machine (anchor slower too) is not.</summary>
    [Fact]
    public void RegressionsAreJudgedAgainstTheAnchor()
    {
        var baseline = Report(1.0, 0.1, 0.5);
        var busierMachine = Report(2.0, 0.2, 1.0, peak: 100);
        Assert.DoesNotContain(Baseline.Compare(busierMachine, baseline), c => c.Regression);
        var slowerKernel = Report(1.0, 0.1, 0.6);
        var c = Assert.Single(Baseline.Compare(slowerKernel, baseline), c => c.Regression);
        Assert.Equal("ilgpu-cpu", c.Backend);
        Assert.Equal(0.2, c.Change, 6);
        // A noisy anchor alone (libtorch slower this time) fails nobody: the others' peak-normalised times did not
        // change, and the anchor is listed, not judged.
        var noisyAnchor = Report(1.0, 0.2, 0.5);
        Assert.DoesNotContain(Baseline.Compare(noisyAnchor, baseline), x => x.Regression);
        Assert.Contains(Baseline.Compare(noisyAnchor, baseline), x => x.Backend == "torchsharp (anchor, not judged)" && x.Change > 0.9);
        Assert.Contains("REGRESSION", Baseline.ToMarkdown(Baseline.Compare(slowerKernel, baseline), "b.json"));
    }

    /// <summary>The report round-trips through JSON and its Markdown names the machine, the peak share and the skip reasons.</summary>
    [Fact]
    public void ReportRoundTripsAndShowsPeakShares()
    {
        var report = Report(1.0, 0.1, 0.5);
        var back = Conformance.Perf.Report.FromJson(Conformance.Perf.Report.ToJson(report));
        Assert.Equal(report.Results.Count, back.Results.Count);
        Assert.Equal(0.1, back.Results[1].Time!.Median);
        string md = Conformance.Perf.Report.ToMarkdown(report, "torchsharp", null);
        Assert.Contains("Test CPU @ 2.0GHz, 2 cores", md);
        Assert.Contains("10.0 GFLOP/s, 5.0%, 10.0× ref", md);
        Assert.Contains("onnxruntime, vgg16 32×32 batch 2 training step: not supported", md);
        Assert.Contains("GPU backend: none (no GPU on this machine)", md);
    }

    /// <summary>A result faster than the measured peak is flagged as a measurement error, never shown as a plain share.</summary>
    [Fact]
    public void FiguresOverThePeakAreFlagged()
    {
        var report = Report(1.0, 0.001, 0.5);
        Assert.Equal("torchsharp", Assert.Single(Conformance.Perf.Report.OverPeak(report)).Backend);
        Assert.Contains("over the measured peak: a measurement error", Conformance.Perf.Report.ToMarkdown(report, "torchsharp", null));
        Assert.Empty(Conformance.Perf.Report.OverPeak(Report(1.0, 0.1, 0.5)));
    }

    /// <summary>The charts are written as PNG files.</summary>
    [Fact]
    public void ChartsArePngs()
    {
        var paths = Charts.Write(Report(1.0, 0.1, 0.5), Path.Combine(_dir, "r"));
        Assert.Equal(2, paths.Count);
        foreach (string p in paths)
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(p)[..4]);
    }

    /// <summary>The machine class is a stable slug of CPU model and cores.</summary>
    [Fact]
    public void MachineClassIsASlug() => Assert.Equal("test-2c", Machine.Class);

    /// <summary>Bad arguments are one error each, naming the argument, before anything is measured.</summary>
    [Fact]
    public void BadArgumentsAreOneErrorEach()
    {
        var result = CliTestKit.Run("bench", "--quick", "--backends", "no-such-backend", "--out", _dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-backend", Assert.Single(result.ErrorLines));
        result = CliTestKit.Run("bench", "--quick", "--out", Path.Combine(_dir, "missing"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--out", Assert.Single(result.ErrorLines));
        result = CliTestKit.Run("bench", "--quick", "--backends", "reference", "--compare", "--baseline", Path.Combine(_dir, "none.json"), "--out", _dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--baseline", Assert.Single(result.ErrorLines));
        Assert.Empty(Directory.GetFiles(_dir));
    }
}

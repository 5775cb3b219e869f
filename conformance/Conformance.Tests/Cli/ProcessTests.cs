using System.Diagnostics;
using Conformance.Cli;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary>The built tool run as a real process: what a user sees, with the real Console.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void ErrorsAreOneLineWithoutStackTraceAndSuccessWritesTheFile()
    {
        string x = _kit.Save("x.npy", new Tensor([3], [1, 2, 3]));
        var bad = RunTool("eval", "conv1d", "--in", $"x={x}", "--in", $"w={x}", "--attr", "strides=0", "--out", $"y={_kit.PathOf("y.npy")}");
        Assert.Equal(ExitCodes.UsageError, bad.ExitCode);
        Assert.Equal("error: argument 'strides': expected a positive integer, got 0", bad.Error.Trim());
        Assert.Equal("", bad.Out);

        var good = RunTool("eval", "conv1d", "--in", $"x={x}", "--in", $"w={x}", "--out", $"y={_kit.PathOf("y.npy")}");
        Assert.Equal((ExitCodes.Success, ""), (good.ExitCode, good.Error));
        Assert.Equal([14.0], Core.Io.Npy.Read(_kit.PathOf("y.npy")).Data);
    }

    [Fact]
    public void BadCaseTimeoutVariableIsAOneLineErrorAndTheOptionBeatsIt()
    {
        var env = new Dictionary<string, string> { ["CONFORMANCE_CASE_TIMEOUT"] = "soon" };
        var bad = RunTool(env, "check", "--mode", "quick", "--op", "flatten");
        Assert.Equal(ExitCodes.UsageError, bad.ExitCode);
        Assert.Equal("error: environment variable CONFORMANCE_CASE_TIMEOUT: expected a positive number of seconds, or 0 or off " +
                     "to turn the limits off, got 'soon'", bad.Error.Trim());
        var beaten = RunTool(env, "check", "--mode", "quick", "--op", "flatten", "--case-timeout", "60");
        Assert.True(beaten.ExitCode == ExitCodes.Success, beaten.Out + beaten.Error);
    }

    private static CliResult RunTool(params string[] args) => RunTool(new Dictionary<string, string>(), args);

    private static CliResult RunTool(Dictionary<string, string> environment, params string[] args)
    {
        // conformance.dll is copied beside the tests with its runtimeconfig, as a project reference.
        string dll = Path.Combine(AppContext.BaseDirectory, "conformance.dll");
        Assert.True(File.Exists(dll), $"no {dll}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "conformance did not exit within 60 s");
        return new CliResult(process.ExitCode, output.Result, error.Result.Replace("\r", ""));
    }
}

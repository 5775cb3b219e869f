using Conformance.Cli;
using Conformance.Core.Backends;
using Conformance.Core.Io;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

public sealed class BackendRegistryTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private static string TestAssembly => typeof(CliFakeBackend).Assembly.Location;

    [Fact]
    public void CliKnowsReferenceTorchSharpOnnxRuntimeAndIlgpu()
    {
        var registry = CliBackends.CreateRegistry();
        Assert.Equal(["ilgpu-cpu", "ilgpu-cpu-v1", "ilgpu-cpu-v2", "ilgpu-cpu-v3", "ilgpu-cpu-v4", "ilgpu-cuda", "ilgpu-cuda-v1", "ilgpu-cuda-v2",
                "ilgpu-cuda-v3", "ilgpu-cuda-v4", "onnxruntime", "reference", "torchsharp"],
            registry.Names);
        // The forced kernel versions are variants: named they run, --backend all leaves them out.
        Assert.Equal(["ilgpu-cpu", "ilgpu-cuda", "onnxruntime", "reference", "torchsharp"], registry.PrimaryNames);
        using var reference = registry.Create("reference");
        Assert.IsType<ReferenceBackend>(reference);
        var e = Assert.Throws<OpArgumentException>(() => registry.Create("cuda"));
        Assert.Equal("argument 'backend': expected one of ilgpu-cpu, ilgpu-cpu-v1, ilgpu-cpu-v2, ilgpu-cpu-v3, ilgpu-cpu-v4, ilgpu-cuda, ilgpu-cuda-v1, "
            + "ilgpu-cuda-v2, ilgpu-cuda-v3, ilgpu-cuda-v4, onnxruntime, reference, torchsharp, got 'cuda'", e.Message);
    }

    [Fact]
    public void TheForcedKernelVersionsAreTheIlgpuBackendsUnderTheirOwnNames()
    {
        var registry = CliBackends.CreateRegistry();
        using var v2 = (Conformance.Backends.Ilgpu.IlgpuBackend)registry.Create("ilgpu-cpu-v2");
        Assert.Equal(("ilgpu-cpu-v2", Conformance.Backends.Ilgpu.KernelVersion.V2), (v2.Name, v2.KernelVersion));
        Assert.EndsWith("convolution kernels v2)", v2.Capabilities.Device);
        using var v3 = (Conformance.Backends.Ilgpu.IlgpuBackend)registry.Create("ilgpu-cpu-v3");
        Assert.Equal(("ilgpu-cpu-v3", Conformance.Backends.Ilgpu.KernelVersion.V3), (v3.Name, v3.KernelVersion));
        using var v4 = (Conformance.Backends.Ilgpu.IlgpuBackend)registry.Create("ilgpu-cpu-v4");
        Assert.Equal(("ilgpu-cpu-v4", Conformance.Backends.Ilgpu.KernelVersion.V4), (v4.Name, v4.KernelVersion));
        using var v1 = (Conformance.Backends.Ilgpu.IlgpuBackend)registry.Create("ilgpu-cpu-v1");
        Assert.Equal(("ilgpu-cpu-v1", Conformance.Backends.Ilgpu.KernelVersion.V1), (v1.Name, v1.KernelVersion));
    }

    [Fact]
    public void MissingTypeIsUnavailableWithTheName()
    {
        var registry = BackendRegistry.CreateDefault();
        registry.RegisterType("ghost", "No.Such.GhostBackend, No.Such.Assembly");
        var e = Assert.Throws<BackendUnavailableException>(() => registry.Create("ghost"));
        Assert.StartsWith("backend 'ghost' is not available: ", e.Message);
        Assert.Contains("No.Such.GhostBackend", e.Message);

        // Through the CLI: exit code 3 and one line.
        string x = _kit.Save("x.npy", new Tensor([2], [1, -1]));
        var r = CliTestKit.Run(() => registry, "eval", "relu", "--backend", "ghost", "--in", $"x={x}", "--out", $"y={_kit.PathOf("y.npy")}");
        Assert.Equal(ExitCodes.Unsupported, r.ExitCode);
        Assert.StartsWith("error: backend 'ghost' is not available: ", Assert.Single(r.ErrorLines));
        Assert.False(File.Exists(_kit.PathOf("y.npy")));
    }

    [Fact]
    public void LoadsBackendsFromAnAssembly()
    {
        var registry = BackendRegistry.CreateDefault();
        Assert.Contains("cli-fake", registry.LoadAssembly(TestAssembly));
        using var backend = registry.Create("cli-fake");
        Assert.Equal("cli-fake", backend.Name);
        // Loading the same assembly again registers the same types again without a clash.
        registry.LoadAssembly(TestAssembly);
        using var again = registry.Create("cli-fake");
    }

    [Fact]
    public void ANameTakenTwiceFailsOnlyWhenCreated()
    {
        var registry = BackendRegistry.CreateDefault();
        registry.Register("cli-fake", () => new ReferenceBackend());
        registry.LoadAssembly(TestAssembly);
        var e = Assert.Throws<BackendUnavailableException>(() => registry.Create("cli-fake"));
        Assert.Contains("registered twice", e.Message);
        using var reference = registry.Create("reference");
    }

    [Fact]
    public void BadAssemblyPathsAreUserErrors()
    {
        var registry = BackendRegistry.CreateDefault();
        Assert.Throws<FileNotFoundException>(() => registry.LoadAssembly(_kit.PathOf("none.dll")));
        File.WriteAllText(_kit.PathOf("text.dll"), "not an assembly");
        Assert.Contains("a .NET assembly", Assert.Throws<OpArgumentException>(() => registry.LoadAssembly(_kit.PathOf("text.dll"))).Message);
    }

    [Fact]
    public void EvalRunsABackendFromBackendAssembly()
    {
        string x = _kit.Save("x.npy", new Tensor([4], [1, 2, 3, 4]));
        string w = _kit.Save("w.npy", new Tensor([2], [1, 2]));
        string y = _kit.PathOf("y.npy");
        var r = CliTestKit.Run("eval", "conv1d", "--backend-assembly", TestAssembly, "--backend", "cli-fake",
            "--in", $"x={x}", "--in", $"w={w}", "--out", $"y={y}");
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        // Valid cross-correlation (no reversal) [5, 8, 11], plus the fake backend's 1000 marker.
        Assert.Equal([1005.0, 1008, 1011], Npy.Read(y).Data);
    }

    [Fact]
    public void UnsupportedCallExitsWithTheReasonAndWritesNothing()
    {
        string x = _kit.Save("x.npy", new Tensor([6], [1, 2, 3, 4, 5, 6]));
        string w = _kit.Save("w.npy", new Tensor([2], [1, 2]));
        var r = CliTestKit.Run("eval", "conv1d", "--backend-assembly", TestAssembly, "--backend", "cli-fake",
            "--in", $"x={x}", "--in", $"w={w}", "--attr", "dilation=2", "--out", $"y={_kit.PathOf("y.npy")}");
        Assert.Equal(ExitCodes.Unsupported, r.ExitCode);
        string line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("error: backend 'cli-fake' does not support conv1d(x[6], w[2]; ", line);
        Assert.EndsWith(": dilation other than 1 is not implemented", line);
        Assert.Equal(["w.npy", "x.npy"], _kit.Files());
    }

    [Fact]
    public void AnAssemblyWithoutBackendsIsAUserError()
    {
        string x = _kit.Save("x.npy", new Tensor([1], [1]));
        string referenceDll = typeof(Tensor).Assembly.Location;
        var r = CliTestKit.Run("eval", "relu", "--backend-assembly", referenceDll, "--in", $"x={x}", "--out", $"y={_kit.PathOf("y.npy")}");
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.StartsWith("error: argument '--backend-assembly': expected an assembly with public IConformanceBackend types", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public void ABackendFailureIsAnInternalErrorOnOneLine()
    {
        var registry = BackendRegistry.CreateDefault();
        registry.Register("broken", () => new BrokenBackend());
        string x = _kit.Save("x.npy", new Tensor([1], [1]));
        var r = CliTestKit.Run(() => registry, "eval", "relu", "--backend", "broken", "--in", $"x={x}", "--out", $"y={_kit.PathOf("y.npy")}");
        Assert.Equal(ExitCodes.InternalError, r.ExitCode);
        Assert.Equal("error: internal error (InvalidOperationException): kernel exploded", Assert.Single(r.ErrorLines));
        Assert.False(File.Exists(_kit.PathOf("y.npy")));
    }

    private sealed class BrokenBackend : IConformanceBackend
    {
        public string Name => "broken";
        public BackendCapabilities Capabilities { get; } = new("test", PrecisionClass.Fp32);
        public Support Supports(OpCall call) => Support.Yes;
        public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call) => throw new InvalidOperationException("kernel exploded");
        public void Dispose() { }
    }
}

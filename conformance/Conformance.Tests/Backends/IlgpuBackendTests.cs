using Conformance.Backends.Ilgpu;
using Conformance.Backends.Ilgpu.Kernels;
using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Core.Cases;
using Conformance.Reference;
using ILGPU;
using ILGPU.Runtime.CPU;
using Xunit;

namespace Conformance.Tests.Backends;

/// <summary>The ILGPU backends' contract and the device math their softmax kernels use.</summary>
public sealed class IlgpuBackendTests
{
    /// <summary>k_f of spec/numerics.md: the error model allows exp and log this many ulps.</summary>
    private const double AllowedUlps = 4;

    [Fact]
    public void CpuBackendDescribesItselfAsDeterministicFp32()
    {
        using var b = new IlgpuCpuBackend();
        Assert.Equal("ilgpu-cpu", b.Name);
        Assert.Same(PrecisionClass.Fp32, b.Capabilities.Precision);
        Assert.True(b.Capabilities.Deterministic);
        Assert.StartsWith("cpu ", b.Capabilities.Device);
        Assert.Contains("ILGPU 1.5.3", b.Capabilities.Device);
    }

    [Fact]
    public void EveryCatalogueOpIsSupported()
    {
        using var b = new IlgpuCpuBackend();
        foreach (var op in OpCatalog.All)
            Assert.True(b.Supports(new OpCall(op.Name, new Dictionary<string, Tensor>(), OpAttributes.Default)).IsSupported, op.Name);
    }

    [SkippableFact]
    public void CudaBackendWithoutDeviceIsUnavailableWithItsReason()
    {
        IlgpuCudaBackend? b = null;
        try
        {
            b = new IlgpuCudaBackend();
        }
        catch (BackendUnavailableException e)
        {
            Assert.Equal("ilgpu-cuda", e.BackendName);
            Assert.Contains("CUDA", e.Message);
            return;
        }
        using (b) Skip.If(true, $"a CUDA device is present here ({b.Capabilities.Device})");
    }

    [Fact]
    public void AfterRecoverTheBackendRunsOnAFreshContext()
    {
        using var b = new IlgpuCpuBackend();
        var c = CaseCatalog.Get("conv2d_layer/edge/groups-2");
        Assert.Equal(CaseStatus.Passed, CaseRunner.Run(b, c).Status);
        b.Recover("test: pretend a call never returned");
        var again = CaseRunner.Run(b, c);
        Assert.True(again.Status == CaseStatus.Passed, again.Describe());
    }

    [Fact]
    public void ADisposedBackendSaysSo()
    {
        var b = new IlgpuCpuBackend();
        b.Dispose();
        var call = CaseCatalog.Get("relu/edge/vector").Build(PrecisionClass.Fp32);
        var e = Assert.Throws<InvalidOperationException>(() => b.Evaluate(call));
        Assert.Contains("disposed", e.Message);
    }

    [Fact]
    public void ArgumentErrorsAreTheReferences()
    {
        using var b = new IlgpuCpuBackend();
        var call = new OpCall("conv2d_layer", new Dictionary<string, Tensor>
        {
            ["x"] = Tensor.Zeros(1, 4, 4, 3), ["w"] = Tensor.Zeros(3, 3, 2, 4),
        }, OpAttributes.Default);
        var ours = Assert.Throws<OpArgumentException>(() => b.Evaluate(call));
        var reference = Assert.Throws<OpArgumentException>(() => OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes));
        Assert.Equal(reference.Message, ours.Message);
    }

    [Fact]
    public void ARetiredContextIsFreedOnlyAfterTheCallStillUsingItReturns()
    {
        // A thorough run once died with an access violation: recovering from a call past its time
        // limit freed the CPU accelerator while that call's kernel was still running on it.
        var context = Context.Create(builder => builder.CPU());
        var state = new DeviceState(context, context.CreateCPUAccelerator(0));
        using var buffer = state.Allocate(4);
        using var release = new ManualResetEventSlim();
        using var held = new ManualResetEventSlim();
        var call = new Thread(() =>
        {
            lock (state.Gate) // a call in flight holds the gate until released
            {
                held.Set();
                release.Wait();
            }
        });
        call.Start();
        held.Wait();
        state.Retire();
        Thread.Sleep(200);
        Assert.False(state.Accelerator.IsDisposed);
        Assert.Equal([4], state.Download(buffer, [4]).Shape);
        release.Set();
        call.Join();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!state.Accelerator.IsDisposed && waited.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(10);
        Assert.True(state.Accelerator.IsDisposed);
    }

    [Fact]
    public void ExpIsWithinTheModelsUlpsOverItsWholeRange()
    {
        double worst = 0;
        float worstAt = 0;
        // Every float step of 1/4096 from below underflow to overflow, plus the ends.
        for (double v = -103.5; v <= 88.72; v += 1.0 / 4096)
        {
            float x = (float)v;
            double u = UlpsOff(DeviceMath.Exp(x), Math.Exp(x));
            if (u > worst) (worst, worstAt) = (u, x);
        }
        Assert.True(worst <= AllowedUlps, $"exp is {worst:F2} ulps off at x = {worstAt:R}");
        Assert.True(worst <= 2.5, $"exp was measured at ≤ 2.5 ulps; now {worst:F2} at x = {worstAt:R}");
    }

    [Fact]
    public void LogIsWithinTheModelsUlpsOverItsWholeRange()
    {
        double worst = 0;
        float worstAt = 0;
        void Probe(float x)
        {
            double u = UlpsOff(DeviceMath.Log(x), Math.Log(x));
            if (u > worst) (worst, worstAt) = (u, x);
        }
        for (double e = -149; e < 128; e += 1.0 / 512) Probe((float)Math.Pow(2, e));
        // The range softmax cross-entropy uses: S = Σ exp(x − max) lies in [1, classes].
        for (float x = 1; x < 5000; x = MathF.BitIncrement(x) + x * 1e-5f) Probe(x);
        Assert.True(worst <= AllowedUlps, $"log is {worst:F2} ulps off at x = {worstAt:R}");
        Assert.True(worst <= 2.5, $"log was measured at ≤ 2.5 ulps; now {worst:F2} at x = {worstAt:R}");
    }

    [Theory]
    [InlineData(float.NaN, float.NaN, float.NaN)]
    [InlineData(float.NegativeInfinity, 0f, float.NaN)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData(0f, 1f, float.NegativeInfinity)]
    [InlineData(1f, 2.71828183f, 0f)]
    [InlineData(-1f, 0.36787945f, float.NaN)]
    [InlineData(-110f, 0f, float.NaN)]
    [InlineData(100f, float.PositiveInfinity, 4.60517025f)]
    public void SpecialValues(float x, float exp, float log)
    {
        Assert.Equal(exp, DeviceMath.Exp(x));
        Assert.Equal(log, DeviceMath.Log(x));
    }

    /// <summary>|actual − exact| in units of the float ulp at the exact value (subnormal results use the subnormal ulp).</summary>
    private static double UlpsOff(float actual, double exact)
    {
        if (double.IsInfinity(exact) || exact == 0) return actual == (float)exact ? 0 : double.PositiveInfinity;
        double ulp = Math.Max(Math.Pow(2, Math.Floor(Math.Log2(Math.Abs(exact))) - 23), Math.Pow(2, -149));
        return Math.Abs(actual - exact) / ulp;
    }
}

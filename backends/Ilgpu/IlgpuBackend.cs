using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Conformance.Backends.Ilgpu;

/// <summary>
/// The catalogue as ILGPU kernels (Kernels/), fp32, every op forward and backward with every
/// attribute. One context and one accelerator per backend instance, every kernel loaded once
/// when it starts; each call uploads its inputs, launches, synchronises and copies back; device
/// memory is released per call and the accelerator on Dispose. After a device fault (a CUDA
/// error poisons its context) the backend recreates its context before the next call; if that
/// fails, every later call reports the cause.
/// </summary>
public abstract class IlgpuBackend : IConformanceBackend, IRecoverableBackend
{
    private readonly object _restartGate = new();
    private DeviceState? _state;
    private string _unusable = "";

    /// <summary>Starts the device (loading every kernel) and describes it.</summary>
    protected IlgpuBackend()
    {
        _state = StartDevice();
        // v4, and Auto on CUDA's 256-thread groups, compute conv2d_layer's eligible passes by Winograd
        // F(2×2,3×3) (Auto where ConvGemmPlan.PrefersWinograd), in the transforms and tiling of
        // spec/numerics.md, and are held to that algorithm's bound there.
        var winograd = PrecisionClass.Fp32 with { Algorithm = ConvolutionAlgorithm.WinogradF2x2K3x3 };
        Capabilities = new BackendCapabilities(Describe(_state.Accelerator), PrecisionClass.Fp32, Deterministic: true)
        {
            OpPrecision = ConvGemmPlan.MayUseWinograd(KernelVersion, ConvGemmPlan.WideGroups(_state))
                ? new Dictionary<string, PrecisionClass> { ["conv2d_layer"] = winograd, ["conv2d_layer_backward"] = winograd }
                : new Dictionary<string, PrecisionClass>(),
        };
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>
    /// The convolution kernels' version: Auto (per pass and shape, <see cref="ConvGemmPlan.Choose"/>),
    /// or V1 to V4 forced, so that every version can be tested and timed by name. Read by the constructor
    /// (v4 declares Winograd), so an override must return a constant.
    /// </summary>
    public virtual KernelVersion KernelVersion => KernelVersion.Auto;

    /// <summary>
    /// fp32 inputs and accumulation, direct summation, except conv2d_layer under v4 and under Auto on
    /// CUDA, declared as Winograd F(2×2,3×3) (spec/numerics.md). Deterministic: every kernel version
    /// sums each element in a fixed order (v2's split-K partials are added in split order), with no atomics.
    /// </summary>
    public BackendCapabilities Capabilities { get; }

    /// <summary>Creates the context and accelerator; throws <see cref="BackendUnavailableException"/> when the device is missing.</summary>
    protected abstract DeviceState StartDevice();

    /// <summary>
    /// ILGPU's optimisation level for every context of this backend: O2, which adds over the
    /// Release default O1 the inference of address spaces (ld.global and st.global instead of
    /// generic loads and stores in the PTX) and code placement that shortens live ranges. The
    /// PTX test compiles the kernels at this level too.
    /// </summary>
    public const OptimizationLevel Optimization = OptimizationLevel.O2;

    /// <summary>Loads the kernels on a new accelerator; a kernel mutant replaces one of them.</summary>
    protected virtual KernelSet LoadKernels(Accelerator accelerator) => new(accelerator);

    /// <summary>The device line of the capabilities.</summary>
    protected virtual string Describe(Accelerator accelerator) =>
        $"{accelerator.AcceleratorType.ToString().ToLowerInvariant()} {accelerator.Name} (ILGPU {IlgpuVersion}, {KernelsWord})";

    /// <summary>
    /// <paramref name="device"/>'s name, suffixed with the forced kernel version (-v1 … -v4): the
    /// variants' names follow from their version, so a name and the kernels it runs cannot disagree.
    /// </summary>
    protected string VersionedName(string device) =>
        KernelVersion == KernelVersion.Auto ? device : $"{device}-{KernelVersion.ToString().ToLowerInvariant()}";

    /// <summary>"convolution kernels auto", "… v1" … "… v4", for the device line.</summary>
    protected string KernelsWord => $"convolution kernels {KernelVersion.ToString().ToLowerInvariant()}";

    /// <summary>
    /// Runs <paramref name="work"/> on this backend's device, holding it as a call would (for the
    /// kernel benchmark, which times the convolution passes on device memory without host copies).
    /// </summary>
    public T OnDevice<T>(Func<DeviceState, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var state = Volatile.Read(ref _state) ?? throw new InvalidOperationException($"{Name} cannot run: {_unusable}");
        lock (state.Gate) return work(state);
    }

    /// <summary>The ILGPU assembly's version, e.g. 1.5.3.</summary>
    protected static string IlgpuVersion => typeof(Context).Assembly.GetName().Version?.ToString(3) ?? "?";

    /// <summary>
    /// Every call is supported: every op and attribute the reference has. A malformed call is
    /// "supported" too, and Evaluate reports its error exactly as the reference does.
    /// </summary>
    public Support Supports(OpCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        OpCatalog.Get(call.Op);
        return KernelVersion == KernelVersion.V4 && RunsWinograd(call) && call.Inputs.Values.Any(SpecialValues.AnyIn)
            ? Support.No(WinogradSpecialValues)
            : Support.Yes;
    }

    /// <summary>
    /// Why v4 leaves Winograd calls with NaN or ±∞ inputs out: its transforms add and subtract a tile's
    /// inputs, so one ±∞ input forms ∞ − ∞ (NaN) in outputs whose per-term sum is ±∞ (measured: NaN in 5
    /// to 7 of the 9 outputs around a +∞ in x, where direct summation gives ±∞), against the per-term
    /// arithmetic that defines the ops (spec/special-values.md, "Fast algorithms"). A NaN in x stays in
    /// its windows under F(2×2,3×3); calls with one are left out too, as the simple safe rule.
    /// </summary>
    public const string WinogradSpecialValues =
        "Winograd F(2×2,3×3) adds and subtracts each 4×4 input tile, so a ±∞ input forms ∞ − ∞ (NaN) where the per-term sum is ±∞ " +
        "(spec/special-values.md, fast algorithms)";

    /// <summary>Whether v4 computes a pass of <paramref name="call"/> with Winograd (a well-formed conv2d_layer call with a 3×3, stride-1, dilation-1 kernel).</summary>
    private static bool RunsWinograd(OpCall call)
    {
        if (call.Op is not ("conv2d_layer" or "conv2d_layer_backward")) return false;
        if (!call.Inputs.TryGetValue("x", out var x) || !call.Inputs.TryGetValue("w", out var w)) return false;
        try
        {
            LayerGeometry.Of(x, w, null, call.Attributes);
            return ConvGemmPlan.WinogradEligible(DeviceGeometry.Layer(x.Shape, w.Shape, false, call.Attributes));
        }
        catch (ArgumentException)
        {
            // Malformed: "supported", and Evaluate reports the error as the reference does.
            return false;
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var state = Volatile.Read(ref _state) ?? throw new InvalidOperationException($"{Name} cannot run: {_unusable}");
        lock (state.Gate)
        {
            try
            {
                return IlgpuOps.Evaluate(state, call, KernelVersion);
            }
            catch (AcceleratorException e)
            {
                // CudaException and the other device errors; argument errors are OpArgumentException and pass through.
                string after = Restart(state, $"{e.GetType().Name} in {call.Op}: {e.Message}");
                throw new InvalidOperationException($"device fault in {call.Op}: {e.Message}; {after}", e);
            }
        }
    }

    /// <summary>
    /// Abandons whatever the device is doing (a call that never returned) and starts a fresh
    /// context with its kernels, so the next call runs. Throws when the device cannot be restarted.
    /// The harness calls this when a call exceeded its time limit and is still running.
    /// </summary>
    public void Recover(string cause)
    {
        var state = Volatile.Read(ref _state);
        string after = Restart(state, cause);
        if (Volatile.Read(ref _state) is null) throw new InvalidOperationException(after);
    }

    private string Restart(DeviceState? failed, string cause)
    {
        lock (_restartGate)
        {
            if (!ReferenceEquals(_state, failed)) return "the device context had already been recreated";
            Volatile.Write(ref _state, null);
            failed?.Retire();
            try
            {
                Volatile.Write(ref _state, StartDevice());
                return "the device context was recreated";
            }
            catch (Exception e)
            {
                _unusable = $"recreating the device context after {cause} failed: {e.Message}";
                return _unusable;
            }
        }
    }

    /// <summary>Releases the accelerator (its device memory) and the context, once no call is running on them.</summary>
    public void Dispose()
    {
        _unusable = "the backend has been disposed";
        Interlocked.Exchange(ref _state, null)?.Retire();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// ILGPU's CPU accelerator: the same kernels with groups, shared memory and barriers emulated by
/// threads. Slow (about 1 GFLOP/s for a naive kernel on 2 cores), but it runs everywhere, which is
/// how CI tests the GPU kernels.
/// </summary>
public class IlgpuCpuBackend : IlgpuBackend
{
    /// <summary>
    /// The simulated device: ILGPU's default CPU device has groups of at most 16 threads, too few
    /// for v2's 64; this one allows 64 and keeps the default's warp of 4, so the implicitly grouped
    /// v1 kernels still run in groups of 4 (each group costs the simulator a barrier). One
    /// multiprocessor: one group at a time, as before.
    /// </summary>
    public static readonly CPUDevice Simulator = new(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 16, numMultiprocessors: 1);

    /// <summary>
    /// The simulated device for v3's 256-thread groups: 64 warps of 4. Only the v3 and v4 backends use it
    /// (v4 for its products on v3's GEMM), so the other CPU backends keep the 64-thread device they were
    /// timed with (the simulator runs one OS thread per thread of a group).
    /// </summary>
    public static readonly CPUDevice SimulatorV3 = new(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 64, numMultiprocessors: 1);

    /// <summary>The simulated device this backend starts.</summary>
    protected virtual CPUDevice Device => Simulator;

    /// <summary>"ilgpu-cpu", or with a forced kernel version "ilgpu-cpu-v1" … "-v4" (<see cref="IlgpuBackend.VersionedName"/>).</summary>
    public override string Name => VersionedName("ilgpu-cpu");

    /// <inheritdoc />
    protected override DeviceState StartDevice()
    {
        var context = Context.Create(builder => builder.CPU(Device).Optimize(Optimization));
        try
        {
            return new DeviceState(context, context.CreateCPUAccelerator(0), LoadKernels);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}

/// <summary>ilgpu-cpu with the v1 convolution kernels forced.</summary>
public sealed class IlgpuCpuV1Backend : IlgpuCpuBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V1;
}

/// <summary>ilgpu-cpu with the v2 (implicit GEMM) convolution kernels forced.</summary>
public sealed class IlgpuCpuV2Backend : IlgpuCpuBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V2;
}

/// <summary>ilgpu-cpu with the v3 (implicit GEMM, 128×128 tile) convolution kernels forced, on the 256-thread simulator.</summary>
public sealed class IlgpuCpuV3Backend : IlgpuCpuBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V3;

    /// <inheritdoc />
    protected override CPUDevice Device => SimulatorV3;
}

/// <summary>
/// ilgpu-cpu with the v4 convolution kernels forced: Winograd F(2×2,3×3) for conv2d_layer's 3×3,
/// stride-1, dilation-1 passes (forward, backward data, backward weights), v2 for every other pass
/// and op. On the 256-thread simulator, so that v4's products run on v3's GEMM where a CUDA device
/// would run them there (<see cref="ConvGemmPlan.WinogradGemmVersion"/>).
/// </summary>
public sealed class IlgpuCpuV4Backend : IlgpuCpuBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V4;

    /// <inheritdoc />
    protected override CPUDevice Device => SimulatorV3;
}

/// <summary>ilgpu-cuda with the v1 convolution kernels forced.</summary>
public sealed class IlgpuCudaV1Backend : IlgpuCudaBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V1;
}

/// <summary>ilgpu-cuda with the v2 (implicit GEMM) convolution kernels forced.</summary>
public sealed class IlgpuCudaV2Backend : IlgpuCudaBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V2;
}

/// <summary>ilgpu-cuda with the v3 (implicit GEMM, 128×128 tile) convolution kernels forced.</summary>
public sealed class IlgpuCudaV3Backend : IlgpuCudaBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V3;
}

/// <summary>ilgpu-cuda with the v4 (Winograd F(2×2,3×3) where it applies, else v2) convolution kernels forced.</summary>
public sealed class IlgpuCudaV4Backend : IlgpuCudaBackend
{
    /// <inheritdoc />
    public override KernelVersion KernelVersion => KernelVersion.V4;
}

/// <summary>The same kernels on the first CUDA device, compiled to PTX by ILGPU.</summary>
public class IlgpuCudaBackend : IlgpuBackend
{
    /// <summary>"ilgpu-cuda", or with a forced kernel version "ilgpu-cuda-v1" … "-v4" (<see cref="IlgpuBackend.VersionedName"/>).</summary>
    public override string Name => VersionedName("ilgpu-cuda");

    /// <inheritdoc />
    protected override DeviceState StartDevice()
    {
        Context context;
        try
        {
            context = Context.Create(builder => builder.Cuda().Optimize(Optimization));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or AcceleratorException)
        {
            throw new BackendUnavailableException(Name, $"the CUDA driver could not be loaded ({e.Message})", e);
        }
        if (context.GetCudaDevices().Count == 0)
        {
            context.Dispose();
            throw new BackendUnavailableException(Name, "ILGPU found no CUDA device (no NVIDIA GPU, or no CUDA driver, on this machine)");
        }
        try
        {
            return new DeviceState(context, context.CreateCudaAccelerator(0), LoadKernels);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override string Describe(Accelerator accelerator) => accelerator is CudaAccelerator cuda
        ? $"cuda {cuda.Name} ({cuda.Architecture}, PTX ISA {cuda.InstructionSet}, ILGPU {IlgpuVersion}, {KernelsWord})"
        : base.Describe(accelerator);
}

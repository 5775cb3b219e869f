using Conformance.Reference;
using ILGPU;
using ILGPU.Runtime;

namespace Conformance.Backends.Ilgpu;

/// <summary>
/// One ILGPU context, its accelerator and the kernels loaded on it. A backend holds one and
/// replaces it after a device fault (a CUDA fault poisons its context) or when the harness asks
/// it to recover from a call that never returned.
/// </summary>
public sealed class DeviceState : IDisposable
{
    /// <summary>
    /// Takes ownership of <paramref name="context"/> and <paramref name="accelerator"/> and loads
    /// every kernel (with <paramref name="load"/> when given, else <see cref="KernelSet"/>'s own).
    /// </summary>
    public DeviceState(Context context, Accelerator accelerator, Func<Accelerator, KernelSet>? load = null)
    {
        Context = context;
        Accelerator = accelerator;
        try
        {
            Kernels = load?.Invoke(accelerator) ?? new KernelSet(accelerator);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The ILGPU context.</summary>
    public Context Context { get; }

    /// <summary>The accelerator every kernel runs on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The kernels, loaded once.</summary>
    public KernelSet Kernels { get; } = null!;

    /// <summary>Serialises calls: one accelerator stream, one call at a time.</summary>
    public object Gate { get; } = new();

    /// <summary>
    /// Floats converted per copy: the host side of a transfer is staged through one chunk of this
    /// size, not a whole float copy of the tensor (the full-size fc1 weight would be 411 MB of it).
    /// </summary>
    public const int TransferChunk = 1 << 20;

    /// <summary>Copies <paramref name="t"/> to the device as float32 (the inputs are already float32 values).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Upload(Tensor t)
    {
        var buffer = Accelerator.Allocate1D<float>(Math.Max(t.Length, 1));
        var chunk = new float[Math.Min(t.Length, TransferChunk)];
        for (int at = 0; at < t.Length; at += chunk.Length)
        {
            int n = Math.Min(chunk.Length, t.Length - at);
            for (int i = 0; i < n; i++) chunk[i] = (float)t.Data[at + i];
            buffer.View.BaseView.SubView(at, n).CopyFromCPU(new ReadOnlySpan<float>(chunk, 0, n));
        }
        return buffer;
    }

    /// <summary>Copies integer labels to the device.</summary>
    public MemoryBuffer1D<int, Stride1D.Dense> Upload(int[] values) => Accelerator.Allocate1D(values);

    /// <summary>A device buffer of <paramref name="length"/> floats (at least one, so an absent bias still has a view).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Allocate(int length) => Accelerator.Allocate1D<float>(Math.Max(length, 1));

    /// <summary>
    /// A scratch buffer of at least <paramref name="length"/> floats in <paramref name="slot"/>, kept for
    /// later calls: v4's transformed tensors are gigabytes at VGG16's sizes, and allocating and freeing
    /// them per call would add the driver's allocation time to every timed pass (and cuMemFree waits
    /// for the device). A slot grows when a call needs more; its contents are never carried between
    /// calls (every kernel writes what it reads later). Call it only between calls' device work: the
    /// buffer it replaces must be idle, which every pass ensures by synchronising before it returns.
    /// </summary>
    public ArrayView<float> Scratch(int slot, int length)
    {
        if (!_scratch.TryGetValue(slot, out var buffer) || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = Accelerator.Allocate1D<float>(Math.Max(length, 1));
            _scratch[slot] = buffer;
        }
        return buffer.View.SubView(0, Math.Max(length, 1));
    }

    private readonly Dictionary<int, MemoryBuffer1D<float, Stride1D.Dense>> _scratch = [];

    /// <summary>Waits for every launched kernel, then copies <paramref name="buffer"/> back as a double tensor of <paramref name="shape"/>.</summary>
    public Tensor Download(MemoryBuffer1D<float, Stride1D.Dense> buffer, int[] shape)
    {
        Accelerator.Synchronize();
        var result = Tensor.Zeros(shape);
        var chunk = new float[Math.Min(result.Length, TransferChunk)];
        for (int at = 0; at < result.Length; at += chunk.Length)
        {
            int n = Math.Min(chunk.Length, result.Length - at);
            buffer.View.BaseView.SubView(at, n).CopyToCPU(new Span<float>(chunk, 0, n));
            for (int i = 0; i < n; i++) result.Data[at + i] = chunk[i];
        }
        return result;
    }

    /// <summary>
    /// Releases this state now if no call is using it, else once the call returns, without waiting
    /// for it here. A call that was abandoned (past its time limit) may still be running: freeing
    /// the accelerator under it would free memory its kernel still reads (on the CPU accelerator
    /// that is an access violation that ends the process), so a background thread waits for the
    /// call's lock first. If the call never returns, the state is never freed: the price of
    /// carrying on without it.
    /// </summary>
    public void Retire()
    {
        if (Monitor.TryEnter(Gate))
        {
            try
            {
                Dispose();
            }
            finally
            {
                Monitor.Exit(Gate);
            }
            return;
        }
        var waiter = new Thread(() =>
        {
            lock (Gate) Dispose();
        })
        { IsBackground = true, Name = "ilgpu retired context" };
        waiter.Start();
    }

    /// <summary>Releases the accelerator (its device memory) and the context.</summary>
    public void Dispose()
    {
        foreach (var buffer in _scratch.Values) buffer.Dispose();
        _scratch.Clear();
        Accelerator.Dispose();
        Context.Dispose();
    }
}

using System.Reflection;
using Conformance.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace Conformance.Tests.Backends;

/// <summary>
/// Every ILGPU kernel compiles to PTX for the H100 (SM_90, PTX ISA 8.8, as ILGPU 1.5.3 reports it
/// there) without a GPU: ILGPU's PTX backend runs on any machine. So CI catches a kernel that
/// the CPU accelerator runs but the CUDA backend cannot compile (an unsupported intrinsic, a
/// non-public parameter type), and a register array spilled to local memory.
/// </summary>
public sealed class IlgpuPtxTests
{
    /// <summary>Every kernel: the public static methods of the kernel classes whose names end in a version, V1, V2…</summary>
    public static IEnumerable<object[]> Kernels =>
        new[] { typeof(ConvolutionKernels), typeof(PoolingKernels), typeof(ElementwiseKernels), typeof(SoftmaxKernels) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => System.Text.RegularExpressions.Regex.IsMatch(m.Name, @"V\d+$"))
            .Select(m => new object[] { $"{m.DeclaringType!.Name}.{m.Name}" });

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesToPtxForSm90WithoutLocalMemory(string name)
    {
        string[] parts = name.Split('.');
        var method = typeof(ConvolutionKernels).Assembly.GetType($"Conformance.Backends.Ilgpu.Kernels.{parts[0]}")!.GetMethod(parts[1])!;
        using var context = Context.Create(builder => builder.Cuda());
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_88, null!);
        var kernel = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), new KernelSpecialization());
        string ptx = kernel.PTXAssembly;
        Assert.Contains(".visible .entry", ptx);
        var local = ptx.Split('\n').Where(l => l.Contains(".local", StringComparison.Ordinal)).ToList();
        Assert.True(local.Count == 0, $"{name} uses local memory:\n{string.Join('\n', local.Take(5))}");
    }
}

using System.Reflection;
using System.Text.RegularExpressions;
using Conformance.Backends.Ilgpu;
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
/// non-public parameter type), and a register array spilled to local memory. The kernels are
/// compiled at the backends' optimisation level (<see cref="IlgpuBackend.Optimization"/>).
/// </summary>
public sealed partial class IlgpuPtxTests
{
    /// <summary>Every kernel: the public static methods of the kernel classes whose names end in a version, V1, V2, V3…</summary>
    public static IEnumerable<object[]> Kernels =>
        new[] { typeof(ConvolutionKernels), typeof(ConvGemmKernels), typeof(ConvGemmKernelsV3), typeof(WinogradKernels), typeof(PoolingKernels), typeof(ElementwiseKernels), typeof(SoftmaxKernels) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => Versioned().IsMatch(m.Name))
            .Select(m => new object[] { $"{m.DeclaringType!.Name}.{m.Name}" });

    /// <summary>Where the PTX of every kernel is written when set (for ptxas -v or cuobjdump on a machine with the CUDA toolkit).</summary>
    public const string DumpVariable = "CONFORMANCE_PTX_DIR";

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesToPtxForSm90WithoutLocalMemory(string name)
    {
        string ptx = Ptx(name);
        if (Environment.GetEnvironmentVariable(DumpVariable) is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            File.WriteAllText(Path.Combine(dump, name + ".ptx"), ptx);
        }
        Assert.Contains(".visible .entry", ptx);
        var local = ptx.Split('\n').Where(l => l.Contains(".local", StringComparison.Ordinal)).ToList();
        Assert.True(local.Count == 0, $"{name} uses local memory:\n{string.Join('\n', local.Take(5))}");
    }

    [Theory]
    [InlineData("ConvGemmKernels.ForwardV2")]
    [InlineData("ConvGemmKernels.BackwardWeightsV2")]
    public void TheGemmKernelsUse128BitLoadsGlobalAddressesAndUnder48KbOfSharedMemory(string name)
    {
        string ptx = Ptx(name);
        // The inner loop, two steps an iteration: two float4 of A and two of B from shared memory per step,
        // 64 multiply-adds on registers (mul.f32 and add.f32 without rounding modifier, which ptxas fuses).
        Assert.Equal(8, Count(ptx, @"^\s*ld\.shared\.v4\.f32"));
        Assert.Equal(128, Count(ptx, @"^\s*mul\.f32"));
        Assert.True(Count(ptx, @"^\s*ld\.global\.v4\.f32") >= 8, $"{name}: no 128-bit global loads");
        Assert.True(Count(ptx, @"^\s*st\.global\.v4\.f32") >= 16, $"{name}: no 128-bit global stores");
        // O2 infers the address spaces: no generic (space-less) load or store is left.
        Assert.Equal(0, Count(ptx, @"^\s*(ld|st)\.(v4\.)?(f32|b32|u32|s32)\s"));
        int shared = Regex.Matches(ptx, @"\.shared \.align \d+ \.b8 \w+\[(\d+)\]").Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(shared, 1, 48 * 1024);
    }

    [Theory]
    [InlineData("ConvGemmKernelsV3.ForwardV3")]
    [InlineData("ConvGemmKernelsV3.BackwardWeightsV3")]
    public void TheV3GemmKernelsUse128BitAccessesAndTheirDeclaredSharedMemory(string name)
    {
        string ptx = Ptx(name);
        // Same inner loop as v2 (two steps an iteration, 4 float4 from shared memory and 64 multiply-adds
        // per step), and one 128-bit store per matrix and stage into shared memory on the [m][row] layouts.
        Assert.Equal(8, Count(ptx, @"^\s*ld\.shared\.v4\.f32"));
        Assert.Equal(128, Count(ptx, @"^\s*mul\.f32"));
        Assert.True(Count(ptx, @"^\s*ld\.global\.v4\.f32") >= 2, $"{name}: no 128-bit global loads");
        Assert.True(Count(ptx, @"^\s*st\.global\.v4\.f32") >= 16, $"{name}: no 128-bit global stores");
        Assert.Equal(0, Count(ptx, @"^\s*(ld|st)\.(v4\.)?(f32|b32|u32|s32)\s"));
        int shared = Regex.Matches(ptx, @"\.shared \.align \d+ \.b8 \w+\[(\d+)\]").Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ConvGemmKernelsV3.SharedBytes, shared);
        Assert.InRange(shared, 1, 48 * 1024);
    }

    private static string Ptx(string name)
    {
        string[] parts = name.Split('.');
        var method = typeof(ConvolutionKernels).Assembly.GetType($"Conformance.Backends.Ilgpu.Kernels.{parts[0]}")!.GetMethod(parts[1])!;
        // v1 kernels take their thread index first (implicitly grouped); the v2 GEMM kernels read Group and Grid themselves.
        var entry = method.GetParameters()[0].ParameterType == typeof(Index1D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(method)
            : EntryPointDescription.FromExplicitlyGroupedKernel(method);
        using var context = Context.Create(builder => builder.Cuda().Optimize(IlgpuBackend.Optimization));
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_88, null!);
        return ((PTXCompiledKernel)backend.Compile(entry, new KernelSpecialization())).PTXAssembly;
    }

    private static int Count(string ptx, string pattern) => Regex.Matches(ptx, pattern, RegexOptions.Multiline).Count;

    [GeneratedRegex(@"V\d+$")]
    private static partial Regex Versioned();
}

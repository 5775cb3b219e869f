using Conformance.Backends.Ilgpu;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

// Every convolution kernel version runs the whole suite on the CPU accelerator (how CI tests the
// GPU kernels): v1, v2, v3 and v4 forced, so each convolution case (forward, backward data, backward
// weights and bias) runs on each version whatever the dispatcher would pick for its shape. In the
// default mode (CI) each runs 5 of the 12 VGG16 convolution and dense layers (KernelVersionScope). The
// dispatcher's own choice (ilgpu-cpu, Auto) is a per-pass pick between v1 and v2 (v3 runs only when forced): its rule is
// tested by IlgpuKernelVersionTests, and `check --backend all` runs it on the quick catalogue.

/// <summary>The ILGPU kernels on ILGPU's CPU accelerator with the v1 convolution kernels (one thread per output element): every op, forward and backward.</summary>
public sealed class IlgpuCpuV1Conformance : ConformanceSuite<IlgpuCpuV1Scope> { }

/// <summary>The same with the v2 convolution kernels (implicit GEMM) forced.</summary>
public sealed class IlgpuCpuV2Conformance : ConformanceSuite<IlgpuCpuV2Scope> { }

/// <summary>The same with the v3 convolution kernels (implicit GEMM, 128×128 tile, 256 threads) forced.</summary>
public sealed class IlgpuCpuV3Conformance : ConformanceSuite<IlgpuCpuV3Scope> { }

/// <summary>
/// The same with the v4 convolution kernels forced: Winograd F(2×2,3×3) for conv2d_layer's 3×3,
/// stride-1 forward and backward-data passes, held to the Winograd bound the backend declares; the
/// other ops (v2's kernels) are left to IlgpuCpuV2Conformance.
/// </summary>
public sealed class IlgpuCpuV4Conformance : ConformanceSuite<IlgpuCpuV4Scope> { }

/// <summary>The kernels on CUDA, each pass in the version the dispatcher picks; every test skips with the reason where no CUDA device exists.</summary>
public sealed class IlgpuCudaConformance : ConformanceSuite<IlgpuCudaBackend> { }

/// <summary>The CUDA suite with the v1 convolution kernels forced; skips where no CUDA device exists.</summary>
public sealed class IlgpuCudaV1Conformance : ConformanceSuite<IlgpuCudaV1Backend> { }

/// <summary>The CUDA suite with the v2 convolution kernels forced; skips where no CUDA device exists.</summary>
public sealed class IlgpuCudaV2Conformance : ConformanceSuite<IlgpuCudaV2Backend> { }

/// <summary>The CUDA suite with the v3 convolution kernels forced; skips where no CUDA device exists.</summary>
public sealed class IlgpuCudaV3Conformance : ConformanceSuite<IlgpuCudaV3Backend> { }

/// <summary>The CUDA suite with the v4 (Winograd) convolution kernels forced; skips where no CUDA device exists.</summary>
public sealed class IlgpuCudaV4Conformance : ConformanceSuite<IlgpuCudaV4Backend> { }

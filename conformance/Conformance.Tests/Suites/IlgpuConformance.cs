using Conformance.Backends.Ilgpu;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

/// <summary>The ILGPU kernels on ILGPU's CPU accelerator: every op, forward and backward (how CI tests the GPU kernels).</summary>
public sealed class IlgpuCpuConformance : ConformanceSuite<IlgpuCpuBackend> { }

/// <summary>
/// The same with the v2 (implicit GEMM) convolution kernels forced: every case of every op, so each
/// convolution case (forward, backward data, backward weights and bias) runs on v2, whatever the
/// dispatcher would pick for its shape.
/// </summary>
public sealed class IlgpuCpuV2Conformance : ConformanceSuite<IlgpuCpuV2Backend> { }

/// <summary>The same kernels on CUDA; every test skips with the reason where no CUDA device exists.</summary>
public sealed class IlgpuCudaConformance : ConformanceSuite<IlgpuCudaBackend> { }

/// <summary>The CUDA suite with the v2 convolution kernels forced; skips where no CUDA device exists.</summary>
public sealed class IlgpuCudaV2Conformance : ConformanceSuite<IlgpuCudaV2Backend> { }

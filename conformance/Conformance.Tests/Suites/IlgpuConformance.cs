using Conformance.Backends.Ilgpu;
using Conformance.Suite;

namespace Conformance.Tests.Suites;

/// <summary>The ILGPU kernels on ILGPU's CPU accelerator: every op, forward and backward (how CI tests the GPU kernels).</summary>
public sealed class IlgpuCpuConformance : ConformanceSuite<IlgpuCpuBackend> { }

/// <summary>The same kernels on CUDA; every test skips with the reason where no CUDA device exists.</summary>
public sealed class IlgpuCudaConformance : ConformanceSuite<IlgpuCudaBackend> { }

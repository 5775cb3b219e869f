using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Reference;
using Conformance.Tests.Backends;
using Conformance.Tests.Mutants;
using Xunit;
using Xunit.Sdk;
using Conformance.Core.Mutants;

namespace Conformance.Tests.Numerics;

/// <summary>
/// The backend smoke tests judge with the suite's error model (<see cref="ReferenceAgreement"/>).
/// Their former ad-hoc checks passed a backend returning all NaN (err &gt; tol is false for NaN)
/// and a softmax off by 1e-4 relative (a placeholder tolerance of 1e-4·(1 + terms)).
/// </summary>
public sealed class SmokeJudgingTests
{
    /// <summary>The relative softmax error the old placeholder tolerance let through.</summary>
    private const double RelativeBug = 1e-4;

    private static readonly string[] Cases =
    [
        "dense with bias", "conv2d_layer valid 3x3", "avg_pool2d pool 2 valid", "relu", "softmax rank 2",
        "softmax_cross_entropy", "softmax_cross_entropy_backward dy",
    ];

    public static TheoryData<string> SmokeCases() => new(Cases);

    [Theory]
    [MemberData(nameof(SmokeCases))]
    public void ABackendReturningNaNFails(string name)
    {
        using var nan = new MutantBackend("all-nan", outputs: (_, r) => r.ToDictionary(kv => kv.Key, kv => kv.Value.Map(_ => double.NaN)));
        var call = TorchSharpCases.Call(name);
        var result = ReferenceAgreement.Judge(nan, call, nan.Evaluate(call));
        Assert.Equal(CaseStatus.Failed, result.Status);
        Assert.Contains("actual is NaN", result.Describe());
        Assert.ThrowsAny<XunitException>(() => ReferenceAgreement.AssertAgrees(nan, call));
    }

    [Theory]
    [InlineData("softmax rank 2")]
    [InlineData("softmax rank 3")]
    public void ASoftmaxOffByATenThousandthFails(string name)
    {
        using var off = new MutantBackend("softmax-off", outputs: (c, r) => c.Op == "softmax"
            ? new Dictionary<string, Tensor> { ["y"] = r["y"].Map(v => (float)(v * (1 + RelativeBug))) } : r);
        var call = TorchSharpCases.Call(name);
        var result = ReferenceAgreement.Judge(off, call, off.Evaluate(call));
        Assert.Equal(CaseStatus.Failed, result.Status);
        Assert.True(result.MaxRatio > 10, result.Describe());
    }

    [Fact]
    public void TheReferenceRoundedToFloatPasses()
    {
        // The control: the same helper accepts a correctly rounded fp32 result.
        using var rounded = new MutantBackend("fp32-rounded", outputs: (_, r) => r.ToDictionary(kv => kv.Key, kv => kv.Value.Map(v => (double)(float)v)));
        foreach (string name in Cases)
            Assert.Equal(CaseStatus.Passed, ReferenceAgreement.AssertAgrees(rounded, TorchSharpCases.Call(name)).Status);
    }
}

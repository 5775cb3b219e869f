using Conformance.Backends.Ilgpu;
using Conformance.Core.Backends;
using Conformance.Core.Cases;
using Conformance.Core.Harness;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Backends;

/// <summary>
/// The convolution kernel versions of the ILGPU backends: which version the dispatcher picks,
/// v2's and v3's split-K plans, and their bitwise repeatability. Correctness of each version is the
/// suites' (IlgpuCpuV1Conformance, IlgpuCpuV2Conformance and IlgpuCpuV3Conformance run every case on each version).
/// </summary>
public sealed class IlgpuKernelVersionTests
{
    private static readonly OpAttributes Same = OpAttributes.Default with { Padding = Padding.Same };

    /// <summary>The 13 convolutions of VGG16 (3×3, same, stride 1) at batch 64.</summary>
    public static IEnumerable<object[]> Vgg16Layers => CaseCatalog.Vgg16Convs.Select(l => new object[] { l.Name, l.Size, l.Cin, l.Cout });

    [Theory]
    [MemberData(nameof(Vgg16Layers))]
    public void AutoRunsEveryVgg16LayerOnV2ButTheThreeChannelImagesGradient(string layer, int size, int cin, int cout)
    {
        var p = DeviceGeometry.Layer([64, size, size, cin], [3, 3, cin, cout], true, Same);
        Assert.Equal(KernelVersion.V2, ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.Forward, p));
        Assert.Equal(KernelVersion.V2, ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.BackwardWeights, p));
        // dx of block1_conv1 has 3 columns (the image's channels): v1's one thread per element does as well there.
        Assert.Equal(cin == 3 ? KernelVersion.V1 : KernelVersion.V2, ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.BackwardData, p));
        _ = layer;
    }

    [Fact]
    public void AutoLeavesThinShapesToV1AndAForcedVersionIsAlwaysRun()
    {
        var depthwise = DeviceGeometry.Layer([8, 32, 32, 64], [3, 3, 1, 64], false, Same with { Groups = 64 });
        var tiny = DeviceGeometry.Layer([1, 4, 4, 64], [3, 3, 64, 64], false, Same);
        foreach (var p in new[] { depthwise, tiny })
            foreach (var pass in Enum.GetValues<ConvPass>())
            {
                Assert.Equal(KernelVersion.V1, ConvGemmPlan.Choose(KernelVersion.Auto, pass, p));
                Assert.Equal(KernelVersion.V1, ConvGemmPlan.Choose(KernelVersion.V1, pass, p));
                Assert.Equal(KernelVersion.V2, ConvGemmPlan.Choose(KernelVersion.V2, pass, p));
                Assert.Equal(KernelVersion.V3, ConvGemmPlan.Choose(KernelVersion.V3, pass, p));
            }
    }

    [Theory]
    [MemberData(nameof(Vgg16Layers))]
    public void AutoPicksV3OnlyWithWideGroupsWhereItMeasuredFasterAndV3SplitsFillAnH100(string layer, int size, int cin, int cout)
    {
        var p = DeviceGeometry.Layer([64, size, size, cin], [3, 3, cin, cout], true, Same);
        foreach (var pass in Enum.GetValues<ConvPass>())
            Assert.NotEqual(KernelVersion.V3, ConvGemmPlan.Choose(KernelVersion.Auto, pass, p));
        // On CUDA (256-thread groups): v3 where the H200 run of 2026-11-26 timed it faster than v2. Forward and
        // backward data need 128 columns and a grid of 528 tiles (block5, 14×14, is left to v2); backward weights 128 columns.
        bool bigGrid = (long)(64 * size * size + 127) / 128 * ((cout + 127) / 128) >= 528;
        bool bigGridData = (long)(64 * size * size + 127) / 128 * ((cin + 127) / 128) >= 528;
        var expect = (bool v3) => v3 ? KernelVersion.V3 : KernelVersion.V2;
        Assert.Equal(expect(cout >= 128 && bigGrid), ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.Forward, p, wideGroups: true));
        Assert.Equal(expect(cout >= 128), ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.BackwardWeights, p, wideGroups: true));
        Assert.Equal(cin == 3 ? KernelVersion.V1 : expect(cin >= 128 && bigGridData),
            ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.BackwardData, p, wideGroups: true));
        Assert.Equal(size != 14 && cout >= 128, ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.Forward, p, wideGroups: true) == KernelVersion.V3);
        var g = ConvGemmPlan.BackwardWeightsV3(p);
        var (x, y, z) = ConvGemmPlan.WeightsGrid(g, KernelVersion.V3);
        // At batch 64 every VGG16 layer has positions enough for the rule's full target.
        Assert.True(x * y * z >= ConvGemmPlan.TargetGroupsV3, $"{layer}: {x}×{y}×{z} groups");
        Assert.True(g.Splits == 1 || x * (y - 1) * z < ConvGemmPlan.TargetGroupsV3, $"{layer}: more splits than the target needs");
    }

    [Theory]
    [InlineData(64, 224, 64, 64)]
    [InlineData(64, 14, 512, 512)]
    [InlineData(2, 56, 64, 64)]
    [InlineData(1, 1, 3, 5)]
    public void SplitKCoversTheReductionOnceWithNoEmptySplit(int batch, int size, int cin, int cout)
    {
        var g = ConvGemmPlan.BackwardWeights(DeviceGeometry.Layer([batch, size, size, cin], [3, 3, cin, cout], false, Same));
        int stages = (g.M + 15) / 16;
        Assert.InRange(g.Splits, 1, ConvGemmPlan.TargetGroups);
        Assert.True(g.Splits * g.SplitStages >= stages, "the splits leave positions out");
        Assert.True((g.Splits - 1) * g.SplitStages < stages, "the last split is empty");
        Assert.True(g.Splits == 1 || g.SplitStages >= ConvGemmPlan.MinStagesPerSplit);
        var v3 = ConvGemmPlan.BackwardWeightsV3(DeviceGeometry.Layer([batch, size, size, cin], [3, 3, cin, cout], false, Same));
        int stages8 = (v3.M + 7) / 8;
        Assert.True(v3.Splits * v3.SplitStages >= stages8, "v3: the splits leave positions out");
        Assert.True((v3.Splits - 1) * v3.SplitStages < stages8, "v3: the last split is empty");
        Assert.True(v3.Splits == 1 || v3.SplitStages >= ConvGemmPlan.MinStagesPerSplitV3);
    }

    [Fact]
    public void V3IsBitwiseRepeatableWhereBackwardWeightsSplitsK()
    {
        // The Sobel layer again: one 128×128 tile, so v3 splits the 62·62 positions as finely as 256 a split allows.
        var c = CaseCatalog.Get("conv2d_layer_backward/lecture/keras-sobel-1to2");
        var call = c.Build(PrecisionClass.Fp32);
        var p = DeviceGeometry.Layer(call.Inputs["x"].Shape, call.Inputs["w"].Shape, false, call.Attributes);
        Assert.True(ConvGemmPlan.BackwardWeightsV3(p).Splits > 1);
        using var b = new IlgpuCpuV3Backend();
        AssertTwoCallsAgreeBitwise(b, call);
    }

    [Fact]
    public void V2IsBitwiseRepeatableWhereBackwardWeightsSplitsK()
    {
        // The lecture's Sobel layer: dw's reduction over 62·62 positions is cut into 15 splits, db's into 16.
        var c = CaseCatalog.Get("conv2d_layer_backward/lecture/keras-sobel-1to2");
        var call = c.Build(PrecisionClass.Fp32);
        var p = DeviceGeometry.Layer(call.Inputs["x"].Shape, call.Inputs["w"].Shape, false, call.Attributes);
        Assert.Equal(15, ConvGemmPlan.BackwardWeights(p).Splits);
        Assert.Equal(16, ConvGemmPlan.BiasSplits(p).Splits);
        using var b = new IlgpuCpuV2Backend();
        AssertTwoCallsAgreeBitwise(b, call);
    }

    /// <summary>Two identical backward calls give bitwise-identical dx, dw and db.</summary>
    private static void AssertTwoCallsAgreeBitwise(IlgpuBackend backend, OpCall call)
    {
        var first = backend.Evaluate(call);
        var second = backend.Evaluate(call);
        foreach (string output in new[] { "dx", "dw", "db" })
            Assert.Equal(first[output].Data, second[output].Data);
    }

    [Fact]
    public void AutoMixesTheVersionsWithinOneBackwardCallAndPasses()
    {
        // block1_conv1's backward at a quarter size: dx (3 columns) on v1, dw and db on v2, in one call.
        var c = CaseCatalog.Get("conv2d_layer_backward/vgg16/block1_conv1");
        var call = c.Build(PrecisionClass.Fp32);
        var p = DeviceGeometry.Layer(call.Inputs["x"].Shape, call.Inputs["w"].Shape, false, call.Attributes);
        Assert.Equal(KernelVersion.V1, ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.BackwardData, p));
        Assert.Equal(KernelVersion.V2, ConvGemmPlan.Choose(KernelVersion.Auto, ConvPass.BackwardWeights, p));
        using var auto = new IlgpuCpuBackend();
        foreach (string id in new[] { c.Id, "conv2d_layer/vgg16/block1_conv1" })
        {
            var result = CaseRunner.Run(auto, CaseCatalog.Get(id));
            Assert.True(result.Status == CaseStatus.Passed, result.Describe());
        }
    }

    [Fact]
    public void EveryVersionPassesAStridedDilatedGroupedCase()
    {
        // One case through every backend variant by name (the suites run all of them on Auto, V1, V2 and V3).
        var c = CaseCatalog.Get("conv2d_layer_backward/edge/groups-3-strided-dilated");
        foreach (var backend in new IlgpuBackend[] { new IlgpuCpuBackend(), new IlgpuCpuV1Backend(), new IlgpuCpuV2Backend(), new IlgpuCpuV3Backend() })
        {
            using (backend)
            {
                var result = CaseRunner.Run(backend, c);
                Assert.True(result.Status == CaseStatus.Passed, $"{backend.Name}: {result.Describe()}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Vgg16Layers))]
    public void V4RunsEveryVgg16LayerAsWinogradAndItsProductsAsOneBatchedGemm(string layer, int size, int cin, int cout)
    {
        var p = DeviceGeometry.Layer([64, size, size, cin], [3, 3, cin, cout], true, Same);
        Assert.True(ConvGemmPlan.UsesWinograd(KernelVersion.V4, p, backward: false), layer);
        Assert.True(ConvGemmPlan.UsesWinograd(KernelVersion.V4, p, backward: true), layer);
        Assert.True(ConvGemmPlan.UsesWinogradWeights(KernelVersion.V4, p), layer);
        Assert.False(ConvGemmPlan.UsesWinograd(KernelVersion.V2, p, backward: false));
        // Forward: M = 64·⌈size/2⌉² tiles, N = Cout, K = Cin, 16 groups (one per tile point); backward data swaps N and K.
        var g = ConvGemmPlan.WinogradGemm(ConvGemmPlan.Winograd(p, backward: false));
        int tiles = 64 * ((size + 1) / 2) * ((size + 1) / 2);
        Assert.Equal((tiles, cout, cin, 16, 16 * cout), (g.M, g.GroupColumns, g.K, g.Groups, g.Ldc));
        var d = ConvGemmPlan.WinogradGemm(ConvGemmPlan.Winograd(p, backward: true));
        Assert.Equal((tiles, cin, cout), (d.M, d.GroupColumns, d.K));
    }

    [Fact]
    public void V4LeavesWhatWinogradCannotTakeToV2()
    {
        foreach (var a in new[] { Same with { Strides = Pair.Of(2) }, Same with { Dilation = Pair.Of(2) }, Same with { Strides = new Pair(1, 2) } })
        {
            var p = DeviceGeometry.Layer([2, 9, 9, 8], [3, 3, 8, 8], false, a);
            Assert.False(ConvGemmPlan.UsesWinograd(KernelVersion.V4, p, backward: false));
            Assert.False(ConvGemmPlan.UsesWinogradWeights(KernelVersion.V4, p));
            Assert.Equal(KernelVersion.V2, ConvGemmPlan.Choose(KernelVersion.V4, ConvPass.Forward, p));
        }
        var fiveByFive = DeviceGeometry.Layer([2, 9, 9, 8], [5, 5, 8, 8], false, Same);
        Assert.False(ConvGemmPlan.UsesWinograd(KernelVersion.V4, fiveByFive, backward: true));
        // 16 floats per tile and channel must stay within 32-bit indices: block1 at batch 512 does not (3.3·10⁹).
        var huge = DeviceGeometry.Layer([512, 224, 224, 64], [3, 3, 64, 64], false, Same);
        Assert.False(ConvGemmPlan.UsesWinograd(KernelVersion.V4, huge, backward: false));
        Assert.False(ConvGemmPlan.UsesWinogradWeights(KernelVersion.V4, huge));
    }
}

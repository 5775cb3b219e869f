using Conformance.Reference;

namespace Conformance.Core.Cases;

public static partial class CaseCatalog
{
    private static readonly string[] ConvPaddings = ["valid", "same", "same_lower", "full"];

    private static void Edge(List<ConformanceCase> list)
    {
        const string g = "edge";
        foreach (bool rev in new[] { false, true })
        {
            string r = rev ? "-reversal" : "";
            foreach (string pad in ConvPaddings)
            {
                // Even kernels are where same and same_lower differ; odd ones must agree.
                Layer(list, g, $"even-kernel-2x4-{pad}{r}", [1, 6, 7, 2], [2, 4, 2, 3], bias: false, Attrs(pad, rev));
                Layer(list, g, $"odd-kernel-3x3-{pad}{r}", [2, 5, 6, 3], [3, 3, 3, 2], bias: true, Attrs(pad, rev));
                Single(list, "conv1d", g, $"even-kernel-4-{pad}{r}", new() { ["x"] = [9], ["w"] = [4] }, Attrs(pad, rev));
                Single(list, "conv1d", g, $"odd-kernel-3-stride2-{pad}{r}", new() { ["x"] = [10], ["w"] = [3] },
                    Attrs(pad, rev, strides: Pair.Of(2)));
                Single(list, "conv2d", g, $"even-kernel-2x2-{pad}{r}", new() { ["x"] = [6, 5], ["w"] = [2, 2] }, Attrs(pad, rev));
                Single(list, "conv2d", g, $"dilated-3x2-d2x3-{pad}{r}", new() { ["x"] = [9, 11], ["w"] = [3, 2] },
                    Attrs(pad, rev, dilation: new Pair(2, 3)));
                Layer(list, g, $"dilation-2x3-{pad}{r}", [1, 9, 10, 2], [3, 2, 2, 2], bias: false,
                    Attrs(pad, rev, dilation: new Pair(2, 3)));
                Layer(list, g, $"stride-3x2-{pad}{r}", [2, 10, 9, 3], [3, 4, 3, 2], bias: true, Attrs(pad, rev, strides: new Pair(3, 2)));
                Layer(list, g, $"exact-integers-{pad}{r}", [2, 7, 6, 3], [3, 2, 3, 4], bias: true, Attrs(pad, rev, strides: new Pair(1, 2)),
                    DataKind.SmallIntegers);
            }
            Layer(list, g, $"kernel-as-large-as-input{r}", [2, 5, 6, 3], [5, 6, 3, 4], bias: true, Attrs(reversal: rev));
            Layer(list, g, $"explicit-asymmetric-2-0-1-3-stride2{r}", [1, 7, 8, 2], [3, 3, 2, 3], bias: true,
                Attrs("2,0,1,3", rev, strides: Pair.Of(2)));
            // 3×3 at stride 1 with explicit padding above 2 on two sides: Winograd's tiles start inside the
            // padding forward, and its backward-data tiles start past dy's first row and column.
            Layer(list, g, $"explicit-asymmetric-4-1-3-0-3x3{r}", [2, 6, 7, 2], [3, 3, 2, 3], bias: true, Attrs("4,1,3,0", rev));
            Layer(list, g, $"non-square-everything{r}", [1, 7, 11, 3], [3, 5, 3, 2], bias: true,
                Attrs("same", rev, strides: new Pair(1, 2), dilation: new Pair(2, 1)));
        }
        Layer(list, g, "one-by-one", [2, 7, 5, 3], [1, 1, 3, 5], bias: true, Attrs());
        Layer(list, g, "stride-larger-than-kernel", [1, 9, 10, 2], [2, 2, 2, 3], bias: false, Attrs(strides: new Pair(3, 4)));
        Layer(list, g, "stride-larger-than-kernel-same", [1, 9, 10, 2], [2, 2, 2, 3], bias: false, Attrs("same", strides: new Pair(3, 4)));
        // libtorch 2.10's channels-last CPU conv2d zeroed every output row after the first here (batch 2, one channel).
        Layer(list, g, "stride-exceeds-input-width-one-channel", [2, 2, 2, 1], [1, 2, 1, 1], bias: false, Attrs(strides: new Pair(1, 3)));
        Layer(list, g, "padding-larger-than-kernel", [1, 4, 5, 2], [2, 2, 2, 2], bias: true, Attrs("4,4,3,5"));
        Layer(list, g, "batch3-odd-channels-5to7", [3, 6, 5, 5], [3, 3, 5, 7], bias: true, Attrs("same"));
        Layer(list, g, "groups-2", [1, 6, 6, 4], [3, 3, 2, 6], bias: true, Attrs("same", groups: 2));
        Layer(list, g, "groups-3-strided-dilated", [2, 9, 8, 6], [2, 3, 2, 9], bias: false,
            Attrs("same_lower", strides: Pair.Of(2), dilation: Pair.Of(2), groups: 3));
        Layer(list, g, "depthwise", [1, 6, 7, 3], [3, 3, 1, 6], bias: true, Attrs("same", groups: 3));
        Layer(list, g, "past-power-of-two-17x33", [1, 17, 33, 3], [3, 3, 3, 17], bias: true, Attrs("same"));
        Layer(list, g, "tile-boundary-65x9-32-out", [1, 65, 9, 1], [3, 3, 1, 32], bias: false, Attrs("same"));
        Layer(list, g, "tile-16x16x16", [2, 16, 16, 16], [3, 3, 16, 16], bias: true, Attrs("same"));
        Layer(list, g, "wide-range-values", [1, 8, 8, 4], [3, 3, 4, 4], bias: true, Attrs("same"), DataKind.WideRange);
        Layer(list, g, "exact-integers-groups", [1, 6, 6, 4], [3, 3, 2, 4], bias: true, Attrs("full", groups: 2), DataKind.SmallIntegers);

        // Precision probes: reductions longer than 2,000 terms (where GPU libraries switch to TF32)
        // on operands that need fp32's whole significand. Each sum of n terms stays below
        // n·3071 < 2^24, so fp32 must be exact. Forward n = 3·3·512 + 1 = 4609 (VGG16's block5);
        // backward dx n = 256·3·3 = 2304, dw and db n = 2·32·32 = 2048; dense n = 4096 + 1.
        Layer(list, g, "precision-probe-3x3x512-to-8", [1, 4, 4, 512], [3, 3, 512, 8], bias: true, Attrs("same"), DataKind.PrecisionProbe);
        Layer(list, g, "precision-probe-3x3x2-to-256", [1, 5, 5, 2], [3, 3, 2, 256], bias: false, Attrs("same"), DataKind.PrecisionProbe);
        Layer(list, g, "precision-probe-32x32-batch2", [2, 32, 32, 1], [3, 3, 1, 2], bias: true, Attrs("same"), DataKind.PrecisionProbe);
        DenseCase(list, g, "precision-probe-4096-to-8", 2, 4096, 8, bias: true, DataKind.PrecisionProbe);

        Pools(list, g, "2x2-valid-odd-input", [2, 7, 9, 3], Attrs(pool: Pair.Of(2)));
        Pools(list, g, "3x3-stride2-same", [1, 7, 8, 2], Attrs("same", pool: Pair.Of(3), strides: Pair.Of(2)));
        Pools(list, g, "2x2-stride1-same", [1, 5, 6, 2], Attrs("same", pool: Pair.Of(2), strides: Pair.Of(1)));
        Pools(list, g, "2x2-stride1-same_lower", [1, 5, 6, 2], Attrs("same_lower", pool: Pair.Of(2), strides: Pair.Of(1)));
        Pools(list, g, "4x4-stride3-same_lower", [1, 10, 11, 2], Attrs("same_lower", pool: Pair.Of(4), strides: Pair.Of(3)));
        Pools(list, g, "2x3-stride1x2-overlapping", [2, 6, 9, 3], Attrs(pool: new Pair(2, 3), strides: new Pair(1, 2)));
        Pools(list, g, "pool-as-large-as-input", [1, 5, 6, 2], Attrs(pool: new Pair(5, 6)));
        Pools(list, g, "ties-small-integers", [2, 6, 6, 3], Attrs("same", pool: Pair.Of(3), strides: Pair.Of(2)), DataKind.SmallIntegers);
        Pools(list, g, "wide-range", [1, 8, 8, 4], Attrs(pool: Pair.Of(2)), DataKind.WideRange);

        DenseCase(list, g, "1x5-to-3-no-bias", 1, 5, 3, bias: false);
        DenseCase(list, g, "4x17-to-9", 4, 17, 9, bias: true);
        DenseCase(list, g, "exact-integers", 3, 33, 7, bias: true, DataKind.SmallIntegers);
        DenseCase(list, g, "wide-range", 2, 64, 5, bias: true, DataKind.WideRange);
        ReluCase(list, g, "exact-zeros", [2, 5, 5, 3], DataKind.SmallIntegers);
        ReluCase(list, g, "vector", [17]);
        Single(list, "flatten", g, "nhwc-2x3x4x5", new() { ["x"] = [2, 3, 4, 5] }, OpAttributes.Default);
        Single(list, "flatten", g, "already-flat", new() { ["x"] = [3, 7] }, OpAttributes.Default);
        Single(list, "softmax", g, "rank4-last-axis", new() { ["x"] = [2, 3, 4, 7] }, OpAttributes.Default);
        Single(list, "softmax", g, "one-class", new() { ["x"] = [3, 1] }, OpAttributes.Default);
        SoftmaxCases(list, g, "4x10", 4, 10);
        SoftmaxCases(list, g, "wide-range-3x1000", 3, 1000, DataKind.WideRange, withUpstream: true);
        SoftmaxCases(list, g, "integers-2x5", 2, 5, DataKind.SmallIntegers, withUpstream: true);
    }
}

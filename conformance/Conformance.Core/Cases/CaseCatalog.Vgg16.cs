using Conformance.Reference;

namespace Conformance.Core.Cases;

public static partial class CaseCatalog
{
    /// <summary>VGG16's distinct conv layers: name, input size, Cin, Cout (all 3×3, same, stride 1, bias).</summary>
    public static readonly IReadOnlyList<(string Name, int Size, int Cin, int Cout)> Vgg16Convs =
    [
        ("block1_conv1", 224, 3, 64), ("block1_conv2", 224, 64, 64),
        ("block2_conv1", 112, 64, 128), ("block2_conv2", 112, 128, 128),
        ("block3_conv1", 56, 128, 256), ("block3_conv2", 56, 256, 256),
        ("block4_conv1", 28, 256, 512), ("block4_conv2", 28, 512, 512),
        ("block5_conv1", 14, 512, 512),
    ];

    /// <summary>
    /// Two groups: "vgg16" keeps every layer's channels, kernel and padding but divides the image
    /// side by 4 (batch 2), so the default run stays within minutes; "vgg16-full" is the real
    /// 224×224 network at batch 1, run with --thorough.
    /// </summary>
    private static void Vgg16(List<ConformanceCase> list)
    {
        foreach (var (group, scale, batch) in new[] { ("vgg16", 4, 2), ("vgg16-full", 1, 1) })
        {
            var same = Attrs("same");
            foreach (var (name, size, cin, cout) in Vgg16Convs)
            {
                int n = Math.Max(2, (size + scale - 1) / scale);
                Layer(list, group, name, [batch, n, n, cin], [3, 3, cin, cout], bias: true, same, backward: scale != 1);
                if (name.EndsWith("conv1", StringComparison.Ordinal))
                    ReluCase(list, group, name + "_relu", [batch, n, n, cout]);
            }
            foreach (var (name, size, channels) in new[] { ("block1_pool", 224, 64), ("block3_pool", 56, 256), ("block5_pool", 14, 512) })
            {
                int n = Math.Max(2, (size + scale - 1) / scale);
                Pools(list, group, name, [batch, n, n, channels], Attrs(pool: Pair.Of(2)));
            }
            int side = Math.Max(1, 7 / scale);
            Single(list, "flatten", group, "flatten", new() { ["x"] = [batch, side, side, 512] }, OpAttributes.Default);
            int fc = scale == 1 ? 4096 : 4096 / 4;
            DenseCase(list, group, "fc1", batch, side * side * 512, fc, bias: true);
            DenseCase(list, group, "fc2", batch, fc, fc, bias: true);
            DenseCase(list, group, "predictions", batch, fc, 1000, bias: true);
            SoftmaxCases(list, group, "predictions_softmax", batch, 1000);
        }
    }
}

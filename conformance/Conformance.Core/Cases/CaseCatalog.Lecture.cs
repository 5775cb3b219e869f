using Conformance.Reference;

namespace Conformance.Core.Cases;

public static partial class CaseCatalog
{
    /// <summary>The lecture's Sobel x-gradient kernel Gx.</summary>
    public static readonly Tensor SobelX = new([3, 3], [1, 0, -1, 2, 0, -2, 1, 0, -1]);

    /// <summary>The lecture's Sobel y-gradient kernel Gy.</summary>
    public static readonly Tensor SobelY = new([3, 3], [1, 2, 1, 0, 0, 0, -1, -2, -1]);

    /// <summary>The 5×5 binary image of the lecture's 2D example.</summary>
    public static readonly Tensor LectureImage = new([5, 5],
        [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);

    /// <summary>The lecture's X-shaped 3×3 kernel (equal to its own flip).</summary>
    public static readonly Tensor LectureXKernel = new([3, 3], [1, 0, 1, 0, 1, 0, 1, 0, 1]);

    /// <summary>
    /// The colour example's weights W[i,j,k,l] = G[i,j]·C[l,k]: a 9×9 Gaussian (σ = 2, normalised)
    /// times the lecture's colour matrix (red, green, blue, red-blue mix).
    /// </summary>
    public static Tensor ColourWeights()
    {
        double[,] colour = { { 1, -0.5, -0.5 }, { -0.5, 1, -0.5 }, { -0.5, -0.5, 1 }, { 0.5, -1, 0.5 } };
        var g = new double[9, 9];
        double total = 0;
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 9; j++)
                total += g[i, j] = Math.Exp(-((i - 4) * (i - 4) + (j - 4) * (j - 4)) / (2.0 * 2 * 2));
        var w = Tensor.Zeros(9, 9, 3, 4);
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 9; j++)
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < 4; l++)
                        w[i, j, k, l] = g[i, j] / total * colour[l, k];
        return w;
    }

    private static void Lecture(List<ConformanceCase> list)
    {
        const string g = "lecture";
        Single(list, "conv1d", g, "flip-and-shift-full", new() { ["x"] = [4], ["w"] = [2] }, Attrs("full", reversal: true),
            fixedData: new() { ["x"] = new Tensor([4], [1, 2, 3, 4]), ["w"] = new Tensor([2], [1, 2]) });
        Single(list, "conv2d", g, "x-kernel-5x5-valid", new() { ["x"] = [5, 5], ["w"] = [3, 3] }, Attrs(),
            fixedData: new() { ["x"] = LectureImage, ["w"] = LectureXKernel });
        var constant = new Tensor([6, 6], Enumerable.Repeat(0.75, 36).ToArray());
        Single(list, "conv2d", g, "sobel-x-constant-image", new() { ["x"] = [6, 6], ["w"] = [3, 3] }, Attrs(),
            fixedData: new() { ["x"] = constant, ["w"] = SobelX });
        Single(list, "conv2d", g, "sobel-y-constant-image", new() { ["x"] = [6, 6], ["w"] = [3, 3] }, Attrs(),
            fixedData: new() { ["x"] = constant, ["w"] = SobelY });
        Single(list, "conv2d", g, "sobel-x-512-valid", new() { ["x"] = [512, 512], ["w"] = [3, 3] }, Attrs(),
            fixedData: new() { ["w"] = SobelX });
        Single(list, "conv2d", g, "sobel-y-512-reversal", new() { ["x"] = [512, 512], ["w"] = [3, 3] }, Attrs(reversal: true),
            fixedData: new() { ["w"] = SobelY });

        var sobelLayer = Tensor.Zeros(3, 3, 1, 2);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                sobelLayer[i, j, 0, 0] = SobelX[i, j];
                sobelLayer[i, j, 0, 1] = SobelY[i, j];
            }
        Layer(list, g, "keras-sobel-1to2", [1, 64, 64, 1], [3, 3, 1, 2], bias: true, Attrs(),
            fixedData: new() { ["w"] = sobelLayer, ["b"] = Tensor.Zeros(2) });
        Layer(list, g, "colour-9x9x3x4-368x487", [1, 368, 487, 3], [9, 9, 3, 4], bias: true, Attrs(), backward: false,
            fixedData: new() { ["w"] = ColourWeights(), ["b"] = Tensor.Zeros(4) });
        Layer(list, g, "colour-9x9x3x4-reduced", [2, 46, 61, 3], [9, 9, 3, 4], bias: true, Attrs(),
            fixedData: new() { ["w"] = ColourWeights(), ["b"] = Tensor.Zeros(4) });
        Layer(list, g, "lenet-c1-32x32-5x5x6", [2, 32, 32, 1], [5, 5, 1, 6], bias: true, Attrs());
        Pools(list, g, "subsample-2x2", [2, 28, 28, 6], Attrs(pool: Pair.Of(2)));
        ReluCase(list, g, "activation", [2, 28, 28, 6]);
    }
}

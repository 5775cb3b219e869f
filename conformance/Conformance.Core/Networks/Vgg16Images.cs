using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>
/// The procedural test images of spec/vgg16.md and Keras' VGG16 preprocessing. Pixels are
/// integers 0…255 in RGB order, as a decoded 8-bit image would give them.
/// </summary>
public static class Vgg16Images
{
    /// <summary>The ImageNet channel means Keras' preprocess_input subtracts, in BGR order.</summary>
    public static readonly double[] MeanBgr = [103.939, 116.779, 123.68];

    /// <summary>The names of the procedural images, by index.</summary>
    public static readonly IReadOnlyList<string> Names = ["stripes", "rings"];

    /// <summary>A procedural image, [224, 224, 3] RGB integers 0…255 (spec/vgg16.md, "Images").</summary>
    public static Tensor Rgb(int image)
    {
        const int n = Vgg16.ImageSize;
        if (image < 0 || image >= Names.Count)
            throw new OpArgumentException("image", $"0 to {Names.Count - 1}", image.ToString());
        var rgb = Tensor.Zeros(n, n, 3);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                double[] v = image == 0 ? Stripes(r, c) : Rings(r, c);
                for (int ch = 0; ch < 3; ch++)
                    rgb.Data[(r * n + c) * 3 + ch] = Math.Clamp(Math.Round(v[ch], MidpointRounding.ToEven), 0, 255);
            }
        return rgb;
    }

    private static double[] Stripes(int r, int c) =>
    [
        127.5 + 127.5 * Math.Sin(2 * Math.PI * (r + 2 * c) / 37.0),
        r < 112 && c < 112 ? 230 : 40,
        255.0 * c / 223,
    ];

    private static double[] Rings(int r, int c)
    {
        double d = Math.Sqrt((r - 100.5) * (r - 100.5) + (c - 130.5) * (c - 130.5));
        return
        [
            127.5 + 127.5 * Math.Cos(d / 5),
            255.0 * r / 223,
            127.5 + 127.5 * Math.Sin(d / 9 + c / 17.0),
        ];
    }

    /// <summary>
    /// Keras' VGG16 preprocess_input ("caffe" mode) on RGB pixels [H, W, 3]: channels reversed to
    /// BGR, the ImageNet means subtracted, the result rounded to float32 as Keras computes it.
    /// Returns [1, H, W, 3].
    /// </summary>
    public static Tensor Preprocess(Tensor rgb)
    {
        Check.Rank(rgb, 3, "image", "[H,W,3] RGB");
        Check.Equal(rgb.Shape[2], 3, "image", "axis 2 (RGB channels)");
        var x = Tensor.Zeros(1, rgb.Shape[0], rgb.Shape[1], 3);
        for (int p = 0; p < rgb.Length / 3; p++)
            for (int ch = 0; ch < 3; ch++)
                x.Data[p * 3 + ch] = (float)(rgb.Data[p * 3 + 2 - ch] - (float)MeanBgr[ch]);
        return x;
    }

    /// <summary>The preprocessed procedural image, [1, 224, 224, 3].</summary>
    public static Tensor Input(int image) => Preprocess(Rgb(image));
}

using System.Runtime.InteropServices;
using Conformance.Core.Networks;
using Conformance.Reference;
using SkiaSharp;

namespace Conformance.Cli.Imaging;

/// <summary>
/// Reads photographs for VGG16 the way Keras' <c>load_img(path, target_size=(224, 224))</c> does:
/// decoded to 8-bit RGB (an alpha channel is dropped, greys become three equal channels) and
/// resized with nearest-neighbour sampling, Keras' default (PIL's rule: output pixel x takes source
/// pixel ⌊(x + ½)·source/target⌋). EXIF orientation is ignored, as PIL's <c>open</c> ignores it.
/// </summary>
public static class ImageFile
{
    /// <summary>
    /// Decodes the JPEG, PNG (or other format Skia reads) at <paramref name="path"/> and returns
    /// it as [<paramref name="size"/>, <paramref name="size"/>, 3] RGB doubles 0…255. A missing or
    /// undecodable file is an <see cref="OpArgumentException"/> naming <paramref name="argument"/> and the file.
    /// </summary>
    public static Tensor LoadRgb(string path, string argument = "IMAGE", int size = Vgg16.ImageSize)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new OpArgumentException(argument, "an image file (JPEG or PNG) or procedural:N", $"'{path}' (no such file)");
        var (width, height, rgba) = DecodeRgba(path, argument);
        return Resize(width, height, rgba, size);
    }

    /// <summary>Decodes an image file to unpremultiplied RGBA bytes, row by row.</summary>
    public static (int Width, int Height, byte[] Rgba) DecodeRgba(string path, string argument = "IMAGE")
    {
        using var stream = File.OpenRead(path);
        using var codec = SKCodec.Create(stream)
            ?? throw new OpArgumentException(argument, "a decodable image (JPEG or PNG)", $"'{path}', which is not an image Skia can read");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (info.Width <= 0 || info.Height <= 0)
            throw new OpArgumentException(argument, "an image with pixels", $"'{path}' ({info.Width}×{info.Height})");
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new OpArgumentException(argument, "a decodable image (JPEG or PNG)", $"'{path}', which failed to decode ({result})");
        var rgba = new byte[info.Width * info.Height * 4];
        for (int y = 0; y < info.Height; y++)
            Marshal.Copy(bitmap.GetPixels() + y * bitmap.RowBytes, rgba, y * info.Width * 4, info.Width * 4);
        return (info.Width, info.Height, rgba);
    }

    /// <summary>Nearest-neighbour resize of RGBA bytes to [size, size, 3] RGB doubles, PIL's NEAREST rule.</summary>
    public static Tensor Resize(int width, int height, byte[] rgba, int size)
    {
        var rgb = Tensor.Zeros(size, size, 3);
        for (int y = 0; y < size; y++)
        {
            int sy = Math.Min(height - 1, (int)Math.Floor((y + 0.5) * height / size));
            for (int x = 0; x < size; x++)
            {
                int sx = Math.Min(width - 1, (int)Math.Floor((x + 0.5) * width / size));
                int from = (sy * width + sx) * 4, to = (y * size + x) * 3;
                for (int c = 0; c < 3; c++) rgb.Data[to + c] = rgba[from + c];
            }
        }
        return rgb;
    }
}

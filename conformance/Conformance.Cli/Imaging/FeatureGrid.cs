using System.Runtime.InteropServices;
using Conformance.Reference;
using SkiaSharp;

namespace Conformance.Cli.Imaging;

/// <summary>An 8-bit RGB picture being drawn, encoded as PNG with SkiaSharp.</summary>
public sealed class Picture(int width, int height)
{
    private readonly byte[] _rgba = new byte[checked(width * height * 4)];

    /// <summary>Width in pixels.</summary>
    public int Width { get; } = width;

    /// <summary>Height in pixels.</summary>
    public int Height { get; } = height;

    /// <summary>Paints a rectangle with one colour.</summary>
    public void Fill(int x, int y, int w, int h, byte r, byte g, byte b)
    {
        for (int row = y; row < y + h; row++)
            for (int col = x; col < x + w; col++)
            {
                int i = (row * Width + col) * 4;
                _rgba[i] = r;
                _rgba[i + 1] = g;
                _rgba[i + 2] = b;
                _rgba[i + 3] = 255;
            }
    }

    /// <summary>Writes the picture as PNG to <paramref name="stream"/>.</summary>
    public void WritePng(Stream stream)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < Height; y++)
            Marshal.Copy(_rgba, y * Width * 4, bitmap.GetPixels() + y * bitmap.RowBytes, Width * 4);
        if (!bitmap.Encode(stream, SKEncodedImageFormat.Png, 100))
            throw new IOException("SkiaSharp could not encode the PNG");
    }
}

/// <summary>
/// Draws VGG16's feature maps and first-layer filters as grids of tiles separated by a thin line:
/// <see cref="FeatureMaps"/> one grey tile per channel, <see cref="Filters"/> one colour tile per
/// 3×3×3 filter. Each tile is normalised on its own (its minimum black, its maximum white).
/// </summary>
public static class FeatureGrid
{
    /// <summary>The separator's width in pixels.</summary>
    public const int Gap = 2;

    /// <summary>The separator's colour (a dark blue, unlike any grey tile).</summary>
    private static readonly (byte R, byte G, byte B) GapColour = (32, 48, 96);

    /// <summary>
    /// The first <paramref name="maxChannels"/> channels of a layer output [1, H, W, C] (or
    /// [H, W, C]) as grey tiles in a square-ish grid (64 channels: 8×8). Maps smaller than 56
    /// pixels are scaled up by a whole factor so that a tile is at least 56 pixels wide. A channel
    /// that is constant (often all zero after ReLU) is drawn black.
    /// </summary>
    public static Picture FeatureMaps(Tensor output, int maxChannels = 64)
    {
        var t = output.Rank == 4 && output.Shape[0] == 1 ? output.Reshape(output.Shape[1..]) : output;
        Check.Rank(t, 3, "layer output", "[1,H,W,C] feature maps");
        int h = t.Shape[0], w = t.Shape[1], channels = Math.Min(t.Shape[2], maxChannels), stride = t.Shape[2];
        int scale = Math.Max(1, (int)Math.Ceiling(56.0 / Math.Max(h, w)));
        var (cols, rows) = Grid(channels);
        var picture = Blank(cols, rows, w * scale, h * scale);
        for (int ch = 0; ch < channels; ch++)
        {
            var (min, max) = Range(h * w, p => t.Data[p * stride + ch]);
            var (x0, y0) = Origin(ch, cols, w * scale, h * scale);
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                {
                    byte g = Level(t.Data[(r * w + c) * stride + ch], min, max);
                    picture.Fill(x0 + c * scale, y0 + r * scale, scale, scale, g, g, g);
                }
        }
        return picture;
    }

    /// <summary>
    /// block1_conv1's filters, kernel [3, 3, 3, C] HWIO over BGR inputs (Keras' caffe
    /// preprocessing), as colour tiles: input channels reversed to RGB, each filter normalised over
    /// its 27 values, each weight a <paramref name="scale"/>×<paramref name="scale"/> square.
    /// </summary>
    public static Picture Filters(Tensor kernel, int scale = 16)
    {
        Check.Rank(kernel, 4, "kernel", "HWIO [kh,kw,3,C]");
        Check.Equal(kernel.Shape[2], 3, "kernel", "axis 2 (BGR input channels)");
        int kh = kernel.Shape[0], kw = kernel.Shape[1], filters = kernel.Shape[3];
        var (cols, rows) = Grid(filters);
        var picture = Blank(cols, rows, kw * scale, kh * scale);
        for (int f = 0; f < filters; f++)
        {
            var (min, max) = Range(kh * kw * 3, i => kernel.Data[i * filters + f]);
            var (x0, y0) = Origin(f, cols, kw * scale, kh * scale);
            for (int r = 0; r < kh; r++)
                for (int c = 0; c < kw; c++)
                {
                    // HWIO: element (r, c, i, f); input i is B, G, R in that order.
                    byte Channel(int i) => Level(kernel.Data[((r * kw + c) * 3 + i) * filters + f], min, max);
                    picture.Fill(x0 + c * scale, y0 + r * scale, scale, scale, Channel(2), Channel(1), Channel(0));
                }
        }
        return picture;
    }

    /// <summary>Columns and rows of the grid for <paramref name="tiles"/> tiles: ⌈√n⌉ columns.</summary>
    public static (int Cols, int Rows) Grid(int tiles)
    {
        int cols = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(tiles)));
        return (cols, Math.Max(1, (tiles + cols - 1) / cols));
    }

    /// <summary>The picture's pixel size for a grid of tiles: tiles plus a separator around and between them.</summary>
    public static (int Width, int Height) Size(int cols, int rows, int tileW, int tileH) =>
        (cols * tileW + (cols + 1) * Gap, rows * tileH + (rows + 1) * Gap);

    private static Picture Blank(int cols, int rows, int tileW, int tileH)
    {
        var (width, height) = Size(cols, rows, tileW, tileH);
        var picture = new Picture(width, height);
        picture.Fill(0, 0, width, height, GapColour.R, GapColour.G, GapColour.B);
        return picture;
    }

    private static (int X, int Y) Origin(int tile, int cols, int tileW, int tileH) =>
        (Gap + tile % cols * (tileW + Gap), Gap + tile / cols * (tileH + Gap));

    private static byte Level(double v, double min, double max) =>
        max > min ? (byte)Math.Round(255 * (v - min) / (max - min)) : (byte)0;

    /// <summary>The smallest and largest of <paramref name="count"/> values, for per-tile normalisation.</summary>
    private static (double Min, double Max) Range(int count, Func<int, double> value)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            min = Math.Min(min, value(i));
            max = Math.Max(max, value(i));
        }
        return (min, max);
    }
}

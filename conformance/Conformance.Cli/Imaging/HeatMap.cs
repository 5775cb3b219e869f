using Conformance.Reference;

namespace Conformance.Cli.Imaging;

/// <summary>
/// A heat map of error/bound: black at 0, through orange towards 1 (the bound), red above it,
/// white for an error no bound excuses (∞). Each element is a square, so a stripe along one border
/// (a padding slip) or one bad channel stands out.
/// </summary>
public static class HeatMap
{
    /// <summary>The map of a 2D [H, W] ratio tensor, or of a layer's [B, H, W, C] one (batch item 0, worst channel per pixel); null for other ranks.</summary>
    public static Picture? Of(Tensor ratio)
    {
        int h, w;
        Func<int, int, double> at;
        if (ratio.Rank == 2) { (h, w) = (ratio.Shape[0], ratio.Shape[1]); at = (r, c) => ratio[r, c]; }
        else if (ratio.Rank == 4)
        {
            (h, w) = (ratio.Shape[1], ratio.Shape[2]);
            int channels = ratio.Shape[3];
            at = (r, c) => Enumerable.Range(0, channels).Max(ch => ratio[0, r, c, ch]);
        }
        else return null;
        if (h == 0 || w == 0) return null;
        int scale = Math.Max(1, Math.Min(16, 512 / Math.Max(h, w)));
        var picture = new Picture(w * scale, h * scale);
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                var (red, green, blue) = Colour(at(r, c));
                picture.Fill(c * scale, r * scale, scale, scale, red, green, blue);
            }
        return picture;
    }

    private static (byte, byte, byte) Colour(double ratio)
    {
        if (double.IsPositiveInfinity(ratio)) return (255, 255, 255);
        if (ratio > 1) return (220, 0, 0);
        byte level = (byte)Math.Round(200 * Math.Clamp(ratio, 0, 1));
        return (level, (byte)(level / 2), 0);
    }
}

using System.Text.RegularExpressions;
using Conformance.Cli;
using Conformance.Cli.Imaging;
using Conformance.Core.Backends;
using Conformance.Core.Io;
using Conformance.Core.Networks;
using SkiaSharp;
using Xunit;

namespace Conformance.Tests.Cli;

/// <summary>
/// The vgg16 verbs, in-process. The reference takes about a minute per forward pass, so the
/// commands that run the network use torchsharp or onnxruntime (about a second), and are
/// skipped where neither loads; errors are caught before any network runs.
/// </summary>
public sealed class Vgg16CommandTests : IDisposable
{
    private readonly CliTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    /// <summary>A fast backend's name: torchsharp, else onnxruntime; skips the test when neither loads.</summary>
    private static string FastBackend()
    {
        var registry = CliBackends.CreateRegistry();
        var reasons = new List<string>();
        foreach (string name in new[] { "torchsharp", "onnxruntime" })
        {
            try
            {
                using var backend = registry.Create(name);
                return name;
            }
            catch (BackendUnavailableException e)
            {
                reasons.Add(e.Message);
            }
        }
        Skip.If(true, "no fast backend for a 224×224 VGG16 pass: " + string.Join("; ", reasons));
        return "";
    }

    /// <summary>Writes a small PNG with SkiaSharp, each pixel (r, g, b) from <paramref name="colour"/>.</summary>
    private string SavePng(string name, int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> colour, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b, a) = colour(x, y);
                bitmap.SetPixel(x, y, new SKColor(r, g, b, a));
            }
        string path = _kit.PathOf(name);
        using (var stream = File.Create(path)) Assert.True(bitmap.Encode(stream, format, 95));
        return path;
    }

    private static SKBitmap DecodePng(string path) => SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} is not a PNG");

    [SkippableFact]
    public void PredictPrintsTheSyntheticWeightsLineAndKRowsPerImage()
    {
        string backend = FastBackend();
        string photo = SavePng("photo.png", 300, 200, (x, y) => ((byte)x, (byte)y, 128, 255));
        string labels = _kit.PathOf("imagenet_class_index.json");
        File.WriteAllText(labels, "{" + string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"\"{i}\": [\"n{i:D8}\", \"label-{i}\"]")) + "}");

        var r = CliTestKit.Run("vgg16", "predict", "procedural:0", photo, "--backend", backend, "--top", "4", "--labels", labels);

        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        Assert.Contains("weights: synthetic", r.Out);
        Assert.Contains("classes mean nothing", r.Out);
        var rows = Regex.Matches(r.Out, @"│\s*(\d)\s*│\s*label-(\d+)\s*│\s*(\d\.\d{4})\s*│");
        Assert.Equal(8, rows.Count);
        Assert.Equal(["1", "2", "3", "4", "1", "2", "3", "4"], rows.Select(m => m.Groups[1].Value));
        // Probabilities fall within each image's top 4.
        for (int image = 0; image < 2; image++)
        {
            var p = rows.Skip(4 * image).Take(4).Select(m => double.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(p.OrderByDescending(v => v), p);
        }
        Assert.Contains("procedural:0 (stripes)", r.Out);
        Assert.Contains("photo.png", r.Out);
    }

    [SkippableFact]
    public void RunWritesEachLayersKerasOutputWithItsBatchAxis()
    {
        string backend = FastBackend();
        string dir = _kit.PathOf("outputs");

        var r = CliTestKit.Run("vgg16", "run", "procedural:1", "--layers", "fc1,block1_pool,input_1", "--out", dir, "--backend", backend);

        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        Assert.Equal(["block1_pool.npy", "fc1.npy", "input_1.npy"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.Equal([1, 112, 112, 64], Npy.Read(Path.Combine(dir, "block1_pool.npy")).Shape);
        var fc1 = Npy.Read(Path.Combine(dir, "fc1.npy"));
        Assert.Equal([1, 4096], fc1.Shape);
        Assert.All(fc1.Data, v => Assert.True(v >= 0));
        Assert.True(Npy.Read(Path.Combine(dir, "input_1.npy")).BitwiseEquals(Vgg16Images.Input(1)));
        Assert.Contains("weights: synthetic", r.Out);
    }

    [Fact]
    public void RunOfTheInputAloneUsesTheDefaultBackendWithoutAPass()
    {
        string dir = _kit.PathOf("input");
        var r = CliTestKit.Run("vgg16", "run", "procedural:0", "--layers", "input_1", "--out", dir);
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        Assert.True(Npy.Read(Path.Combine(dir, "input_1.npy")).BitwiseEquals(Vgg16Images.Input(0)));
    }

    [SkippableFact]
    public void FeaturesDrawsAGridOfTheLayersChannels()
    {
        string backend = FastBackend();
        string png = _kit.PathOf("block5_pool.png");

        var r = CliTestKit.Run("vgg16", "features", "procedural:0", "--layer", "block5_pool", "--channels", "10", "--out", png, "--backend", backend);

        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        using var bitmap = DecodePng(png);
        // 7×7 maps scaled 8× to 56-pixel tiles; 10 channels in 4 columns and 3 rows, 2-pixel separators.
        Assert.Equal((4 * 56 + 5 * 2, 3 * 56 + 4 * 2), (bitmap.Width, bitmap.Height));
        var tile = bitmap.GetPixel(2 + 10, 2 + 10);
        Assert.True(tile.Red == tile.Green && tile.Green == tile.Blue, "feature tiles are grey");
        Assert.Equal(["block5_pool.png"], _kit.Files());
    }

    [Fact]
    public void FiltersDrawsBlock1Conv1AsColourTiles()
    {
        string png = _kit.PathOf("filters.png");

        var r = CliTestKit.Run("vgg16", "features", "--filters", "--out", png);

        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        Assert.Contains("weights: synthetic", r.Out);
        using var bitmap = DecodePng(png);
        Assert.Equal((8 * 48 + 9 * 2, 8 * 48 + 9 * 2), (bitmap.Width, bitmap.Height));
        // Filter 0's top-left weight: RGB from the kernel's B, G, R inputs, normalised over the filter.
        var kernel = Vgg16Weights.Synthetic()["block1_conv1"].Kernel;
        var values = Enumerable.Range(0, 27).Select(i => kernel.Data[i * 64]).ToList();
        byte Level(int input) => (byte)Math.Round(255 * (kernel.Data[input * 64] - values.Min()) / (values.Max() - values.Min()));
        var pixel = bitmap.GetPixel(2 + 5, 2 + 5);
        Assert.Equal((Level(2), Level(1), Level(0)), (pixel.Red, pixel.Green, pixel.Blue));
    }

    [Fact]
    public void ImagesAreDecodedAndResizedByNearestNeighbour()
    {
        // 2×2 pixels to 4×4: each source pixel becomes a 2×2 block; the alpha channel is dropped.
        (byte, byte, byte, byte)[] colours = [(255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255), (10, 20, 30, 255)];
        string png = SavePng("small.png", 2, 2, (x, y) => colours[y * 2 + x]);
        var rgb = ImageFile.LoadRgb(png, size: 4);
        Assert.Equal([4, 4, 3], rgb.Shape);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                var (r, g, b, _) = colours[y / 2 * 2 + x / 2];
                Assert.Equal([r, g, b], [rgb[y, x, 0], rgb[y, x, 1], rgb[y, x, 2]]);
            }
        string jpeg = SavePng("grey.jpg", 50, 30, (_, _) => (90, 90, 90, 255), SKEncodedImageFormat.Jpeg);
        var photo = ImageFile.LoadRgb(jpeg);
        Assert.Equal([224, 224, 3], photo.Shape);
        Assert.All(photo.Data, v => Assert.InRange(v, 85, 95));
    }

    [Theory]
    [InlineData("run", "procedural:0", "--layers", "block1_conv1,block9_conv1", "--out", "OUT", "--layers", "block9_conv1")]
    [InlineData("run", "procedural:0", "--layers", "", "--out", "OUT", "--layers", "nothing")]
    [InlineData("predict", "missing.jpg", "--top", "3", "--top", "3", "IMAGE", "missing.jpg")]
    [InlineData("predict", "procedural:0", "--top", "0", "--top", "0", "--top", "1 to 1000")]
    [InlineData("predict", "procedural:0", "--top", "1001", "--top", "1001", "--top", "1001")]
    [InlineData("predict", "procedural:7", "--top", "3", "--top", "3", "IMAGE", "procedural:7")]
    [InlineData("predict", "procedural:0", "--weights", "none.h5", "--top", "3", "--weights", "none.h5")]
    [InlineData("features", "procedural:0", "--layer", "fc1", "--out", "OUT", "--layer", "fc1")]
    [InlineData("features", "procedural:0", "--layer", "block1_conv9", "--out", "OUT", "--layer", "block1_conv9")]
    public void UserErrorsAreOneLineNamingTheArgument(string verb, string image, string option, string value, string option2, string value2,
        string argument, string given)
    {
        string outPath = verb == "run" ? _kit.PathOf("out") : _kit.PathOf("out.png");
        var args = new List<string> { "vgg16", verb, image == "missing.jpg" ? _kit.PathOf(image) : image, option, value };
        args.AddRange([option2, value2 == "OUT" ? outPath : value2]);
        if (option == "--weights") args[4] = _kit.PathOf(value);

        var r = CliTestKit.Run(args.ToArray());

        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"error: argument '{argument}'", line);
        Assert.Contains(given, line);
        Assert.Empty(_kit.Files());
        Assert.False(Directory.Exists(_kit.PathOf("out")));
    }

    [Fact]
    public void AFileThatIsNotAnImageIsAnErrorNamingIt()
    {
        string bad = _kit.PathOf("bad.png");
        File.WriteAllText(bad, "this is not a PNG");
        var r = CliTestKit.Run("vgg16", "predict", bad);
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.StartsWith("error: argument 'IMAGE'", Assert.Single(r.ErrorLines));
        Assert.Contains("bad.png", r.Error);
    }

    [Fact]
    public void FiltersTakeNoImage()
    {
        var r = CliTestKit.Run("vgg16", "features", "procedural:0", "--filters", "--out", _kit.PathOf("f.png"));
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.StartsWith("error: argument '--filters'", Assert.Single(r.ErrorLines));
        Assert.Empty(_kit.Files());
    }
}

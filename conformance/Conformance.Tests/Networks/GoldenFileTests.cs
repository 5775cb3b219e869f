using Conformance.Core.Io;
using Conformance.Core.Networks;
using Conformance.Reference;
using Conformance.Tests.Cli;
using Xunit;

namespace Conformance.Tests.Networks;

/// <summary>The golden folder: its manifest, SHA-256 checks, all-or-nothing writes and change detection.</summary>
public sealed class GoldenFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-golden-").FullName;

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The committed goldens are complete, match their SHA-256 and stay under 20 MB.</summary>
    [Fact]
    public void CommittedGoldensMatchTheirManifest()
    {
        string root = GoldenStore.DefaultRoot();
        var manifest = GoldenStore.ReadManifest(root);
        var files = GoldenStore.Read(root, manifest);
        Assert.Equal(manifest.Files.Length, files.Count);
        Assert.Equal(Vgg16Golden.GeneratorVersion, manifest.GeneratorVersion);
        long bytes = manifest.Files.Sum(f => new FileInfo(Path.Combine(root, f.Path)).Length);
        Assert.InRange(bytes, 1, 20L << 20);
        // The top-5 classes are told apart by far more than the network tolerance of the logits lets them move.
        foreach (string image in manifest.Images)
        {
            var logits = files[$"vgg16/{image}/logits.npy"];
            var top = Vgg16Golden.TopK(logits, 6).Select(i => logits.Data[i]).ToArray();
            double smallestGap = top.Zip(top.Skip(1), (a, b) => a - b).Min();
            Assert.True(smallestGap > 1e-3, $"{image}: top-6 logits {string.Join(", ", top)} are too close to be rounding-proof");
        }
    }

    /// <summary>One flipped byte in a golden file is an error naming that file, before anything is recomputed.</summary>
    [Fact]
    public void CorruptedFileFailsVerifyNamingIt()
    {
        CopyGoldens();
        string victim = Path.Combine(_dir, "vgg16", "rings", "fc1.npy");
        byte[] bytes = File.ReadAllBytes(victim);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(victim, bytes);
        var result = CliTestKit.Run("golden", "verify", "--golden-dir", _dir);
        Assert.Equal(2, result.ExitCode);
        string error = Assert.Single(result.ErrorLines);
        Assert.Contains("vgg16/rings/fc1.npy", error);
        Assert.Contains("SHA-256", error);
        Assert.DoesNotContain("recomputing", result.Out);
    }

    /// <summary>A golden folder without a manifest is one clear error.</summary>
    [Fact]
    public void MissingManifestIsOneError()
    {
        var result = CliTestKit.Run("golden", "verify", "--golden-dir", _dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("manifest.json", Assert.Single(result.ErrorLines));
    }

    /// <summary>A write that fails part way leaves the previous goldens exactly as they were.</summary>
    [Fact]
    public void FailedWriteLeavesTheOldGoldens()
    {
        var good = new GoldenFile("vgg16/a/x.npy", new Tensor([2], [1.5, 2.5]));
        var manifest = Manifest([good]);
        GoldenStore.Write(_dir, manifest, [good]);
        string before = File.ReadAllText(Path.Combine(_dir, GoldenStore.ManifestName));
        // An int64 file with a fractional value cannot be written: the write fails after the first file.
        var replacement = new GoldenFile("vgg16/a/x.npy", new Tensor([2], [9, 9]));
        var broken = new GoldenFile("vgg16/a/y.npy", new Tensor([1], [0.5]), NpyDType.Int64);
        Assert.Throws<OpArgumentException>(() => GoldenStore.Write(_dir, Manifest([replacement]), [replacement, broken]));
        Assert.Equal(before, File.ReadAllText(Path.Combine(_dir, GoldenStore.ManifestName)));
        Assert.Equal([1.5, 2.5], Npy.Read(Path.Combine(_dir, "vgg16/a/x.npy")).Data);
        Assert.False(File.Exists(Path.Combine(_dir, "vgg16/a/y.npy")));
        Assert.Empty(Directory.GetDirectories(_dir, ".*"));
    }

    /// <summary>Regeneration's change report: which file changed and by how much; unchanged files are not reported.</summary>
    [Fact]
    public void DiffNamesChangedFilesAndTheLargestChange()
    {
        var old = new Dictionary<string, Tensor>
        {
            ["a.npy"] = new([3], [1, 2, 3]), ["b.npy"] = new([2], [0.5, -0.5]), ["gone.npy"] = new([1], [0]),
        };
        var fresh = new List<GoldenFile> { new("a.npy", new Tensor([3], [1, 2.25, 3])), new("b.npy", new Tensor([2], [0.5, -0.5])) };
        var diff = GoldenStore.Diff(fresh, old).ToDictionary(d => d.Path);
        Assert.True(diff["a.npy"].Changed);
        Assert.Equal(0.25, diff["a.npy"].MaxDiff);
        Assert.False(diff["b.npy"].Changed);
        Assert.True(diff["gone.npy"].Changed);
    }

    private static GoldenManifest Manifest(IReadOnlyList<GoldenFile> files) => new(
        "test", 1, "none", 0, 0, [], "", 0, "unknown", [], [],
        files.Select(f => GoldenStore.Entry(f, GoldenStore.Bytes(f))).ToArray());

    private void CopyGoldens()
    {
        string root = GoldenStore.DefaultRoot();
        foreach (string file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(_dir, Path.GetRelativePath(root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

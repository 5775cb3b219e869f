using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Conformance.Core.Io;
using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>One file in golden/manifest.json.</summary>
public sealed record ManifestFile(string Path, int[] Shape, string Dtype, string Sha256);

/// <summary>golden/manifest.json: what made the goldens and every file's shape, type and SHA-256.</summary>
public sealed record GoldenManifest(
    string Network, int GeneratorVersion, string Weights, ulong WeightSeed, ulong SamplePositionSeed,
    string[] Images, string TrainingImage, int TrainingLabel, string ReferenceCommit,
    string[] ForwardSteps, string[] TrainingSteps, ManifestFile[] Files);

/// <summary>
/// Reads and writes the golden folder. Writing is all or nothing: the new files and manifest are
/// written in full to a staging folder beside the old ones, then swapped in by renames, so an
/// interrupted regeneration leaves the old goldens as they were. Reading checks every file's
/// SHA-256 against the manifest first, so a changed or corrupted file is named before any value is used.
/// </summary>
public static class GoldenStore
{
    /// <summary>The manifest's file name inside the golden folder.</summary>
    public const string ManifestName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The .npy bytes of a file, as written and hashed.</summary>
    public static byte[] Bytes(GoldenFile file)
    {
        using var stream = new MemoryStream();
        Npy.Write(stream, file.Tensor, file.DType);
        return stream.ToArray();
    }

    /// <summary>The manifest entry of a file.</summary>
    public static ManifestFile Entry(GoldenFile file, byte[] bytes) =>
        new(file.Path, file.Tensor.Shape, file.DType == NpyDType.Int64 ? "<i8" : "<f8", Convert.ToHexStringLower(SHA256.HashData(bytes)));

    /// <summary>Writes every file and the manifest under <paramref name="root"/>, replacing what was there only once all is written.</summary>
    public static void Write(string root, GoldenManifest manifest, IReadOnlyList<GoldenFile> files)
    {
        Directory.CreateDirectory(root);
        string staging = Path.Combine(root, $".staging-{Guid.NewGuid():N}");
        string old = Path.Combine(root, $".old-{Guid.NewGuid():N}");
        try
        {
            foreach (var file in files)
            {
                string path = Path.Combine(staging, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, Bytes(file));
            }
            File.WriteAllText(Path.Combine(staging, ManifestName), JsonSerializer.Serialize(manifest, Json) + "\n");
            // The swap: each top-level folder of the new set replaces the old one by two renames.
            foreach (string dir in Directory.GetDirectories(staging))
            {
                string target = Path.Combine(root, Path.GetFileName(dir));
                if (Directory.Exists(target))
                {
                    Directory.CreateDirectory(old);
                    Directory.Move(target, Path.Combine(old, Path.GetFileName(dir)));
                }
                Directory.Move(dir, target);
            }
            File.Move(Path.Combine(staging, ManifestName), Path.Combine(root, ManifestName), overwrite: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>
    /// The nearest folder at or above <paramref name="start"/> (default: the current folder, then
    /// this assembly's folder) that holds Conformance.sln; null when there is none.
    /// </summary>
    public static string? RepositoryRoot(string? start = null)
    {
        foreach (string from in start != null ? [start] : new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(from); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>
    /// The golden folder when none is named: CONFORMANCE_GOLDEN_DIR if set, else golden/ of the
    /// checkout found by <see cref="RepositoryRoot"/>, else golden/ in the current folder.
    /// </summary>
    public static string DefaultRoot() =>
        Environment.GetEnvironmentVariable("CONFORMANCE_GOLDEN_DIR") is { Length: > 0 } env
            ? env
            : Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), "golden");

    /// <summary>True when <paramref name="root"/> holds a manifest.</summary>
    public static bool Exists(string root) => File.Exists(Path.Combine(root, ManifestName));

    /// <summary>Reads the manifest, or throws an error naming the golden folder.</summary>
    public static GoldenManifest ReadManifest(string root)
    {
        string path = Path.Combine(root, ManifestName);
        if (!File.Exists(path))
            throw new OpArgumentException("golden", $"a golden folder with {ManifestName} (run 'conformance golden regenerate')", $"no manifest at '{path}'");
        try
        {
            return JsonSerializer.Deserialize<GoldenManifest>(File.ReadAllText(path), Json)
                ?? throw new JsonException("empty manifest");
        }
        catch (JsonException e)
        {
            throw new OpArgumentException("golden", $"a valid {ManifestName}", $"'{path}': {e.Message}");
        }
    }

    /// <summary>
    /// Reads every file the manifest lists, checking its SHA-256 and shape first; a missing,
    /// changed or corrupted file is an error naming it.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Read(string root, GoldenManifest manifest)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var entry in manifest.Files)
        {
            string path = Path.Combine(root, entry.Path);
            if (!File.Exists(path))
                throw new OpArgumentException("golden", $"the file {entry.Path} that {ManifestName} lists", $"no file at '{path}'");
            byte[] bytes = File.ReadAllBytes(path);
            string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (sha != entry.Sha256)
                throw new OpArgumentException("golden",
                    $"{entry.Path} with the SHA-256 in {ManifestName} ({entry.Sha256[..12]}…)",
                    $"SHA-256 {sha[..12]}…: the file was changed or corrupted; restore it (git checkout golden/) or regenerate");
            using var stream = new MemoryStream(bytes);
            var tensor = Npy.Read(stream, entry.Path, allowIntegers: true);
            if (!tensor.Shape.SequenceEqual(entry.Shape))
                throw new OpArgumentException("golden", $"{entry.Path} of shape {Tensor.Format(entry.Shape)}", Tensor.Format(tensor.Shape));
            tensors[entry.Path] = tensor;
        }
        return tensors;
    }

    /// <summary>Per file: the largest |new − old| and whether any bit differs.</summary>
    public static List<(string Path, bool Changed, double MaxDiff)> Diff(IReadOnlyList<GoldenFile> fresh, IReadOnlyDictionary<string, Tensor> old)
    {
        var result = new List<(string, bool, double)>();
        foreach (var file in fresh)
        {
            if (!old.TryGetValue(file.Path, out var before) || !before.Shape.SequenceEqual(file.Tensor.Shape))
            {
                result.Add((file.Path, true, double.PositiveInfinity));
                continue;
            }
            double max = 0;
            bool changed = false;
            for (int i = 0; i < before.Length; i++)
            {
                double a = before.Data[i], b = file.Tensor.Data[i];
                if (BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b)) continue;
                changed = true;
                max = Math.Max(max, double.IsNaN(a - b) ? double.PositiveInfinity : Math.Abs(a - b));
            }
            result.Add((file.Path, changed, max));
        }
        foreach (string path in old.Keys.Except(fresh.Select(f => f.Path))) result.Add((path, true, double.PositiveInfinity));
        return result;
    }

    /// <summary>
    /// The commit of the reference that makes the goldens: the last commit touching reference/,
    /// with "+modified" when reference/ has uncommitted changes; "unknown" outside a git checkout.
    /// </summary>
    public static string ReferenceCommit(string repositoryRoot)
    {
        string? last = Git.Output(repositoryRoot, "log -1 --format=%H -- reference");
        if (string.IsNullOrWhiteSpace(last)) return "unknown";
        string? dirty = Git.Output(repositoryRoot, "status --porcelain -- reference");
        return last.Trim() + (string.IsNullOrWhiteSpace(dirty) ? "" : "+modified");
    }
}

using Conformance.Reference;

namespace Conformance.Core.Io;

/// <summary>
/// Writes files all or nothing, so that a failed command never leaves a partial file behind:
/// each file is written in full to a temporary file beside its target, and only then are they
/// renamed into place. On any error the temporary files, and targets already renamed, are deleted.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes every (path, writer) pair, or none of them.</summary>
    public static void WriteAll(IReadOnlyList<(string Path, Action<Stream> Write)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var targets = files.Select(f => Path.GetFullPath(f.Path)).ToList();
        var duplicate = targets.GroupBy(t => t).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new OpArgumentException("path", "a different file for each output", $"'{duplicate.Key}' more than once");
        foreach (string target in targets) CheckTarget(target, "path");
        var temps = new List<string>();
        int moved = 0;
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                string target = targets[i];
                string temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
                temps.Add(temp);
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                files[i].Write(stream);
            }
            for (; moved < files.Count; moved++)
                File.Move(temps[moved], targets[moved], overwrite: true);
        }
        catch
        {
            for (int i = 0; i < temps.Count; i++) TryDelete(i < moved ? targets[i] : temps[i]);
            throw;
        }
    }

    /// <summary>Writes one text file (UTF-8) atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllTexts([(path, text)]);

    /// <summary>Writes several text files (UTF-8), all or none.</summary>
    public static void WriteAllTexts(IEnumerable<(string Path, string Text)> files) =>
        WriteAll(files.Select(f => (f.Path, (Action<Stream>)(s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            w.Write(f.Text);
        }))).ToList());

    /// <summary>
    /// Fails early, naming <paramref name="argument"/> (and what the file is for, when given),
    /// when <paramref name="path"/> cannot be written: its folder does not exist or it is a folder.
    /// </summary>
    public static void CheckTarget(string path, string argument, string? purpose = null)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        string forWhat = purpose is null ? "" : " for " + purpose;
        if (!Directory.Exists(folder))
            throw new OpArgumentException(argument, $"a file in an existing folder{forWhat}", $"'{path}' (no folder '{folder}')");
        if (Directory.Exists(full))
            throw new OpArgumentException(argument, $"a file path{forWhat}", $"'{path}', which is a folder");
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

// Inline MSBuild task (RoslynCodeTaskFactory), compiled at build time; excluded from the backend assembly.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one symbol-version requirement of ELF64 little-endian shared libraries as weak
/// (VER_FLG_WEAK in the matching Vernaux entry of .gnu.version_r), so that the dynamic loader
/// accepts a libstdc++ that lacks that version. Missing files and files without the requirement
/// are left alone; a file already patched is not rewritten.
/// </summary>
public class WeakenElfVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The libraries to patch in place (build-output copies, never package-cache files).</summary>
    [Required]
    public ITaskItem[] Files { get; set; }

    /// <summary>The version name to weaken, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string VersionName { get; set; }

    public override bool Execute()
    {
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            if (!File.Exists(path)) continue;
            try
            {
                PatchFile(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
            {
                Log.LogError("WeakenElfVersionNeed: cannot patch '{0}': {1}", path, e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private void PatchFile(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        int patched = 0, alreadyWeak = 0;
        foreach (int flagsOffset in FindVernauxFlags(elf, VersionName))
        {
            ushort flags = U16(elf, flagsOffset);
            if ((flags & VerFlgWeak) != 0) { alreadyWeak++; continue; }
            flags |= VerFlgWeak;
            elf[flagsOffset] = (byte)flags;
            elf[flagsOffset + 1] = (byte)(flags >> 8);
            patched++;
        }
        if (patched == 0)
        {
            Log.LogMessage(MessageImportance.Low, "WeakenElfVersionNeed: '{0}' needs no change ({1} weak entries for {2}).",
                path, alreadyWeak, VersionName);
            return;
        }
        // Replace the file rather than write into it: if the output copy were a hard link into the
        // NuGet cache, writing in place would patch the cache too. Copying first keeps the file mode.
        // Keeping the timestamp lets the incremental copy (same size and time) skip the patched
        // file on the next build instead of copying the unpatched one over it again.
        string temp = path + ".weakening.tmp";
        DateTime written = File.GetLastWriteTimeUtc(path);
        File.Copy(path, temp, true);
        File.WriteAllBytes(temp, elf);
        File.Replace(temp, path, null);
        File.SetLastWriteTimeUtc(path, written);
        Log.LogMessage(MessageImportance.High, "WeakenElfVersionNeed: marked {0} weak in '{1}'.", VersionName, path);
    }

    /// <summary>File offsets of the vna_flags fields of every Vernaux entry named <paramref name="name"/>.</summary>
    private static System.Collections.Generic.List<int> FindVernauxFlags(byte[] elf, string name)
    {
        var found = new System.Collections.Generic.List<int>();
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not ELF64 little-endian");

        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C), shstrndx = U16(elf, 0x3E);
        if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
            throw new InvalidDataException("section header table out of range");

        Func<int, int> header = i => checked((int)(shoff + (long)i * shentsize));
        int shstrOffset = checked((int)U64(elf, header(shstrndx) + 0x18));
        for (int s = 0; s < shnum; s++)
        {
            int h = header(s);
            uint type = U32(elf, h + 4);
            if (type != ShtGnuVerneed || CString(elf, shstrOffset + (int)U32(elf, h)) != ".gnu.version_r") continue;

            int offset = checked((int)U64(elf, h + 0x18));
            int linked = (int)U32(elf, h + 0x28);
            int needCount = (int)U32(elf, h + 0x2C);
            int dynstr = checked((int)U64(elf, header(linked) + 0x18));

            int need = offset;
            for (int n = 0; n < needCount; n++)
            {
                int auxCount = U16(elf, need + 2);
                int aux = need + (int)U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    if (CString(elf, dynstr + (int)U32(elf, aux + 8)) == name) found.Add(aux + 4);
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += (int)nextAux;
                }
                uint nextNeed = U32(elf, need + 12);
                if (nextNeed == 0) break;
                need += (int)nextNeed;
            }
        }
        return found;
    }

    private static void Need(byte[] b, int offset, int size)
    {
        if (offset < 0 || offset + size > b.Length) throw new InvalidDataException("offset " + offset + " out of range");
    }

    private static ushort U16(byte[] b, int o) { Need(b, o, 2); return (ushort)(b[o] | b[o + 1] << 8); }

    private static uint U32(byte[] b, int o) { Need(b, o, 4); return BitConverter.ToUInt32(b, o); }

    private static ulong U64(byte[] b, int o) { Need(b, o, 8); return BitConverter.ToUInt64(b, o); }

    private static string CString(byte[] b, int o)
    {
        Need(b, o, 1);
        int end = Array.IndexOf(b, (byte)0, o);
        if (end < 0) throw new InvalidDataException("unterminated string at " + o);
        return Encoding.ASCII.GetString(b, o, end - o);
    }
}

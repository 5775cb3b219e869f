using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Conformance.Core.Networks;

namespace Conformance.Perf;

/// <summary>What a report was measured on: CPU, cores, memory, GPU, runtime, commit and date.</summary>
public sealed record MachineInfo(string Cpu, int Cores, double MemoryGiB, string Gpu, string Os, string Runtime, string Commit, DateTime DateUtc)
{
    /// <summary>
    /// The machine class a baseline belongs to: the CPU model and core count as a slug, plus the
    /// GPU's when there is one (e.g. intel-xeon-processor-2c). Results compare only within a class.
    /// </summary>
    public string Class
    {
        get
        {
            string slug(string s) => Regex.Replace(Regex.Replace(s.ToLowerInvariant(), @"\((r|tm)\)|cpu|@.*$", ""), "[^a-z0-9]+", "-").Trim('-');
            string cls = $"{slug(Cpu)}-{Cores}c";
            return Gpu.Length == 0 ? cls : $"{cls}-{slug(Gpu)}";
        }
    }

    /// <summary>
    /// This machine. <paramref name="gpu"/> is the device line of the GPU backend when one is
    /// present (empty otherwise); the commit is HEAD of the checkout, with "+modified" when the
    /// working tree has changes.
    /// </summary>
    public static MachineInfo Current(string gpu = "")
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line != null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30);
        return new MachineInfo(cpu, Environment.ProcessorCount, Math.Round(memory, 1), gpu,
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, HeadCommit(), DateTime.UtcNow);
    }

    private static string HeadCommit()
    {
        string? root = GoldenStore.RepositoryRoot();
        if (root == null) return "unknown";
        string? head = Conformance.Core.Io.Git.Output(root, "rev-parse HEAD")?.Trim();
        if (string.IsNullOrEmpty(head)) return "unknown";
        return head + (string.IsNullOrWhiteSpace(Conformance.Core.Io.Git.Output(root, "status --porcelain --untracked-files=no")) ? "" : "+modified");
    }
}

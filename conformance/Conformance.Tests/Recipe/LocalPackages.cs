using System.Diagnostics;
using Xunit;

namespace Conformance.Tests.Recipe;

/// <summary>The tests that use the packed repository: one collection, so they share one pack and never run side by side.</summary>
[CollectionDefinition(Name)]
public sealed class LocalPackagesCollection : ICollectionFixture<LocalPackages>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "local packages";
}

/// <summary>
/// The repository packed once, by the README's own `dotnet pack` line, into a fresh temporary folder
/// that also holds a NuGet cache of its own and the installed tool; the folder is deleted afterwards.
/// The own cache matters: NuGet never reads a version it has cached again, so a stale 0.1.0 in the
/// user's cache would otherwise hide what this commit packed.
/// </summary>
public sealed class LocalPackages : IDisposable
{
    /// <summary>The folder the README's commands write the packages to, replaced here by <see cref="Packages"/>.</summary>
    public const string ReadmeFolder = "~/conformance-packages";

    private (int Code, string Output, string Command)? _install;

    /// <summary>Packs the repository with the README's `dotnet pack` line.</summary>
    public LocalPackages()
    {
        Repository = RepositoryRoot();
        Readme = File.ReadAllLines(Path.Combine(Repository, "README.md"));
        Root = Path.Combine(Path.GetTempPath(), "conformance-packages-" + Guid.NewGuid().ToString("N"));
        Packages = Path.Combine(Root, "packages");
        NuGetCache = Path.Combine(Root, "nuget-cache");
        Directory.CreateDirectory(Packages);
        var pack = Stopwatch.StartNew();
        PackLine = ReadmeCommand("dotnet pack ");
        // The repository's own restore uses the user's cache: only the consumers need a clean one.
        PackResult = Run(Repository, null, [.. Words(PackLine), "-nodeReuse:false"]);
        PackSeconds = pack.Elapsed.TotalSeconds;
    }

    /// <summary>The checkout under test.</summary>
    public string Repository { get; }

    /// <summary>README.md's lines.</summary>
    public string[] Readme { get; }

    /// <summary>The temporary folder that holds everything below; deleted by <see cref="Dispose"/>.</summary>
    public string Root { get; }

    /// <summary>The local package source: what the README's `dotnet pack` line wrote.</summary>
    public string Packages { get; }

    /// <summary>The NuGet cache (NUGET_PACKAGES) of every restore and install run against <see cref="Packages"/>.</summary>
    public string NuGetCache { get; }

    /// <summary>The README's `dotnet pack` line, as written there.</summary>
    public string PackLine { get; }

    /// <summary>How the pack went.</summary>
    public (int Code, string Output) PackResult { get; }

    /// <summary>How long the pack took, in seconds.</summary>
    public double PackSeconds { get; }

    /// <summary>The package file of <paramref name="id"/> at the README's version.</summary>
    public string PackageFile(string id) => Path.Combine(Packages, $"{id}.0.1.0.nupkg");

    /// <summary>Fails the calling test, with the pack's output, unless the pack succeeded.</summary>
    public void AssertPacked() =>
        Assert.True(PackResult.Code == 0, $"{PackLine} exited {PackResult.Code}:{Environment.NewLine}{Tail(PackResult.Output)}");

    /// <summary>
    /// The tool installed once by the README's `dotnet tool install` line, into a folder of <see cref="Root"/>
    /// instead of for the user (`--tool-path` for `-g`); returns the installed command's path.
    /// </summary>
    public string InstallTool()
    {
        AssertPacked();
        string tools = Path.Combine(Root, "tools");
        if (_install == null)
        {
            string line = ReadmeCommand("dotnet tool install ");
            Assert.Contains(" -g ", line);
            var words = Words(line).SelectMany(w => w == "-g" ? new[] { "--tool-path", tools } : [w]).ToArray();
            var (code, output) = Run(Root, new Dictionary<string, string> { ["NUGET_PACKAGES"] = NuGetCache }, words);
            _install = (code, output, line);
        }
        var (c, o, l) = _install.Value;
        Assert.True(c == 0, $"{l} exited {c}:{Environment.NewLine}{Tail(o)}");
        return Path.Combine(tools, "conformance");
    }

    /// <summary>The README line that starts with <paramref name="start"/>: a command of a code block.</summary>
    public string ReadmeCommand(string start)
    {
        string? line = Readme.FirstOrDefault(l => l.StartsWith(start, StringComparison.Ordinal));
        Assert.True(line != null, $"README.md has no line starting with '{start}'");
        Assert.True(line!.Contains(ReadmeFolder, StringComparison.Ordinal), $"'{line}' does not name {ReadmeFolder}");
        return line;
    }

    /// <summary>A README command's words, with the packages folder of this run in place of the README's.</summary>
    private string[] Words(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w == ReadmeFolder ? Packages : w).ToArray();

    /// <summary>
    /// Runs a program (the first word) in <paramref name="dir"/>, in quick mode, without the outer test
    /// run's test-host and MSBuild settings, which must not leak into an inner build or test run.
    /// </summary>
    public static (int Code, string Output) Run(string dir, IReadOnlyDictionary<string, string>? environment, params string[] words)
    {
        var psi = new ProcessStartInfo(words[0]) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in words.Skip(1)) psi.ArgumentList.Add(a);
        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("VSTEST", StringComparison.Ordinal)
                     || k.StartsWith("MSBUILD", StringComparison.Ordinal) || k == "DOTNET_HOST_PATH").ToList())
            psi.Environment.Remove(key);
        psi.Environment["CONFORMANCE_MODE"] = "quick";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8))) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The last 4,000 characters of a process's output, enough to see why it failed.</summary>
    public static string Tail(string s) => s.Length <= 4000 ? s : s[^4000..];

    /// <summary>Deletes the packages, the NuGet cache and the installed tool.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { } // a leftover temporary folder must not fail the run
        catch (UnauthorizedAccessException) { }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above " + AppContext.BaseDirectory);
    }
}

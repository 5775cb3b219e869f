using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace Conformance.Tests.Recipe;

/// <summary>
/// The README's "Test your own backend" works as written: its three files are copied out of the
/// README into an empty folder outside the solution, and `dotnet test` runs the suite there.
/// </summary>
public sealed partial class OwnBackendRecipeTests
{
    [Fact]
    public void ReadmeRecipeRunsTheSuiteFromASeparateProject()
    {
        string repo = RepositoryRoot();
        var files = RecipeFiles(File.ReadAllText(Path.Combine(repo, "README.md")));
        Assert.Equal(["MyBackend.Tests.csproj", "MyBackend.cs", "MyBackendConformance.cs"], files.Keys);

        string dir = Path.Combine(Path.GetTempPath(), "conformance-recipe-" + Guid.NewGuid().ToString("N"), "MyBackend.Tests");
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var (name, text) in files) File.WriteAllText(Path.Combine(dir, name), text);
            var (code, output) = Run(dir, "test", "-c", "Release", $"-p:ConformanceRepo={repo}", "-nodeReuse:false");
            Assert.True(code == 0, $"dotnet test exited {code}:{Environment.NewLine}{Tail(output)}");
            var summary = SummaryLine().Match(output);
            Assert.True(summary.Success, Tail(output));
            int failed = int.Parse(summary.Groups[1].Value), passed = int.Parse(summary.Groups[2].Value),
                skipped = int.Parse(summary.Groups[3].Value);
            Assert.Equal(0, failed);
            // relu and relu_backward cases pass; every other op is skipped as unsupported, none passes by default.
            Assert.InRange(passed, 5, 100);
            Assert.True(skipped > passed, Tail(output));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    /// <summary>The code blocks of the recipe section, keyed by the file name in backticks that introduces each.</summary>
    private static Dictionary<string, string> RecipeFiles(string readme)
    {
        int start = readme.IndexOf("## Test your own backend", StringComparison.Ordinal);
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = readme[start..end];
        var files = new Dictionary<string, string>();
        foreach (Match m in FileBlock().Matches(section)) files[m.Groups[1].Value] = m.Groups[2].Value;
        return files;
    }

    private static (int Code, string Output) Run(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // The outer test run's own test-host and MSBuild settings must not leak into the inner one.
        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("VSTEST", StringComparison.Ordinal)
                     || k.StartsWith("MSBUILD", StringComparison.Ordinal) || k == "DOTNET_HOST_PATH").ToList())
            psi.Environment.Remove(key);
        psi.Environment["CONFORMANCE_MODE"] = "quick";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8))) p.Kill(entireProcessTree: true);
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Tail(string s) => s.Length <= 4000 ? s : s[^4000..];

    [GeneratedRegex(@"^`([\w.]+\.(?:csproj|cs))`:.*?\n+```\w+\n(.*?)```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex FileBlock();

    [GeneratedRegex(@"Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)")]
    private static partial Regex SummaryLine();
}

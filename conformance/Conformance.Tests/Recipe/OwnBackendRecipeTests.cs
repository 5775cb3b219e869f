using System.Text.RegularExpressions;
using Xunit;

namespace Conformance.Tests.Recipe;

/// <summary>
/// The README's "Test your own backend" works as written: the repository is packed by the README's
/// `dotnet pack` line into a fresh folder, the recipe's three files are copied out of the README into
/// an empty folder outside the repository, and `dotnet test` runs the suite there from those packages,
/// with a NuGet cache of its own.
/// </summary>
[Collection(LocalPackagesCollection.Name)]
public sealed partial class OwnBackendRecipeTests(LocalPackages packages)
{
    [Fact]
    public void ReadmeRecipeRunsTheSuiteFromTheLocalPackages()
    {
        packages.AssertPacked();
        var files = RecipeFiles(string.Join('\n', packages.Readme));
        Assert.Equal(["MyBackend.Tests.csproj", "MyBackend.cs", "MyBackendConformance.cs"], files.Keys);
        Assert.Contains("<PackageReference Include=\"Conformance.Suite\" Version=\"0.1.0\" />", files["MyBackend.Tests.csproj"]);
        Assert.DoesNotContain("ProjectReference", files["MyBackend.Tests.csproj"]);

        string dir = Path.Combine(packages.Root, "MyBackend.Tests");
        Directory.CreateDirectory(dir);
        foreach (var (name, text) in files) File.WriteAllText(Path.Combine(dir, name), text);
        var (code, output) = LocalPackages.Run(dir, new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages.NuGetCache },
            "dotnet", "test", "-c", "Release", $"-p:ConformancePackages={packages.Packages}", "-nodeReuse:false");
        Assert.True(code == 0, $"dotnet test exited {code}:{Environment.NewLine}{LocalPackages.Tail(output)}");
        var summary = SummaryLine().Match(output);
        Assert.True(summary.Success, LocalPackages.Tail(output));
        int failed = int.Parse(summary.Groups[1].Value), passed = int.Parse(summary.Groups[2].Value),
            skipped = int.Parse(summary.Groups[3].Value);
        Assert.Equal(0, failed);
        // relu and relu_backward cases pass; every other op is skipped as unsupported, none passes by
        // default: one skipped row per reason, counted, which the output shows.
        Assert.InRange(passed, 5, 100);
        Assert.InRange(skipped, 1, passed + 100);
        Assert.Matches(@"Case\(row: skipped \d+ cases: mine does not support them: conv2d_layer is not implemented yet\)", output);
        // The suite came from the packages folder, not from some cached or built copy.
        Assert.True(File.Exists(Path.Combine(packages.NuGetCache, "conformance.suite", "0.1.0", "conformance.suite.0.1.0.nupkg")));

        // "The same backend runs outside xunit": the installed tool loads the recipe's assembly.
        string tool = packages.InstallTool();
        string assembly = Path.Combine(dir, "bin", "Release", "net10.0", "MyBackend.Tests.dll");
        var check = LocalPackages.Run(dir, null, tool, "check", "--backend", "mine", "--backend-assembly", assembly, "--op", "relu");
        Assert.True(check.Code == 0, $"conformance check --backend mine exited {check.Code}:{Environment.NewLine}{check.Output}");
        Assert.Matches(Cli.CliTestKit.PassingRow("mine", "relu"), check.Output);
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

    [GeneratedRegex(@"^`([\w.]+\.(?:csproj|cs))`:.*?\n+```\w+\n(.*?)```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex FileBlock();

    [GeneratedRegex(@"Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)")]
    private static partial Regex SummaryLine();
}

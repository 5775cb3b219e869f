using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Conformance.Tests.Recipe;

/// <summary>
/// The packages the README's `dotnet pack` line makes: the libraries with their XML docs, and the
/// `conformance` tool, which installs from the local folder and runs, carries linux-x64 native
/// libraries only and no libtorch; and the build output of the tests, which holds the host's natives only.
/// </summary>
[Collection(LocalPackagesCollection.Name)]
public sealed class PackagingTests(LocalPackages packages, ITestOutputHelper output)
{
    [Fact]
    public void LibraryPackagesCarryTheirAssemblyAndXmlDocs()
    {
        packages.AssertPacked();
        foreach (string id in new[] { "Conformance.Reference", "Conformance.Core", "Conformance.Suite" })
        {
            using var zip = ZipFile.OpenRead(packages.PackageFile(id));
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains($"lib/net10.0/{id}.dll", names);
            Assert.Contains($"lib/net10.0/{id}.xml", names);
            Assert.Contains("README.md", names);
        }
    }

    [Fact]
    public void ToolPackageHoldsLinuxX64NativesOnlyAndNoLibtorch()
    {
        packages.AssertPacked();
        string file = packages.PackageFile("Conformance.Tool");
        output.WriteLine($"{packages.PackLine}: {packages.PackSeconds:F0} s; Conformance.Tool.0.1.0.nupkg: {new FileInfo(file).Length / 1e6:F1} MB");
        using var zip = ZipFile.OpenRead(file);
        var natives = zip.Entries.Select(e => e.FullName)
            .Where(n => n.EndsWith(".so", StringComparison.Ordinal) || n.Contains(".so.", StringComparison.Ordinal)
                        || n.EndsWith(".dylib", StringComparison.Ordinal) || n.Contains("/runtimes/", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("tools/net10.0/linux-x64/libonnxruntime.so", natives);
        Assert.All(natives, n => Assert.Matches(@"^tools/net10\.0/linux-x64/[^/]+$", n));
        Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("torch", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ToolInstallsFromTheLocalSourceAndRunsTheReadmeCommand()
    {
        string tool = packages.InstallTool();
        // The README line under the install line: conformance check --backend all --op relu.
        int install = Array.FindIndex(packages.Readme, l => l.StartsWith("dotnet tool install ", StringComparison.Ordinal));
        string[] words = packages.Readme[install + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("conformance", words[0]);
        var run = LocalPackages.Run(packages.Root, null, [tool, .. words.Skip(1)]);
        Assert.True(run.Code == 0, $"{packages.Readme[install + 1]} exited {run.Code}:{Environment.NewLine}{run.Output}");
        foreach (string backend in new[] { "reference", "onnxruntime", "ilgpu-cpu" })
            Assert.Matches(Cli.CliTestKit.PassingRow(backend, "relu"), run.Output);
        Assert.Contains("backend 'torchsharp' is not available", run.Output);
    }

    /// <summary>
    /// On a linux-x64 host the build copies linux-x64 natives only. Read from the test's deps.json, which
    /// lists what the build copies, not from bin/, where an older build's files may linger.
    /// </summary>
    [SkippableFact]
    public void TestOutputListsLinuxX64NativesOnly()
    {
        Skip.IfNot(RuntimeInformation.RuntimeIdentifier == "linux-x64", $"the host is {RuntimeInformation.RuntimeIdentifier}, not linux-x64");
        string deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Conformance.Tests.deps.json"));
        Assert.Contains("\"name\": \".NETCoreApp,Version=v10.0/linux-x64\"", deps);
        var rids = Regex.Matches(deps, @"runtimes/([^/""]+)/").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["linux-x64"], rids);
    }
}

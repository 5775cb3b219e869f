using System.ComponentModel;
using Conformance.Core.Backends;
using Conformance.Reference;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Options shared by every verb that runs a backend: which one, and extra assemblies to find it in.</summary>
public class BackendSettings : CommandSettings
{
    /// <summary>The backend name (reference, torchsharp, onnxruntime or one from --backend-assembly).</summary>
    [CommandOption("-b|--backend <NAME>")]
    [Description("Backend: reference (default), torchsharp, onnxruntime, or one from --backend-assembly.")]
    [DefaultValue("reference")]
    public string Backend { get; init; } = "reference";

    /// <summary>Assemblies whose public IConformanceBackend types (with parameterless constructors) become backends.</summary>
    [CommandOption("--backend-assembly <PATH>")]
    [Description("A .dll whose public IConformanceBackend types become backends, under their Name. Repeatable.")]
    public string[] BackendAssemblies { get; init; } = [];

    /// <summary>A registry of the built-in backends plus those of <see cref="BackendAssemblies"/>.</summary>
    public BackendRegistry CreateRegistry(CliContext context)
    {
        var registry = context.Backends();
        foreach (string path in BackendAssemblies)
        {
            if (registry.LoadAssembly(path).Count == 0)
            {
                string problems = registry.LoadProblems.Count == 0 ? "" : " (" + string.Join("; ", registry.LoadProblems) + ")";
                throw new OpArgumentException("--backend-assembly",
                    "an assembly with public IConformanceBackend types that have parameterless constructors", $"none in '{path}'{problems}");
            }
        }
        return registry;
    }
}

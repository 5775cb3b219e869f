using Conformance.Core.Backends;
using Spectre.Console;

namespace Conformance.Cli;

/// <summary>
/// What every verb needs from its surroundings, handed to commands by Spectre's type registrar:
/// the output streams (so tests can run the app in-process) and the backend registry.
/// </summary>
public sealed class CliContext(TextWriter output, TextWriter error, IAnsiConsole console, Func<BackendRegistry> backends)
{
    /// <summary>Plain standard output, for machine-readable text (JSON, file lists).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Standard error, where the one-line error messages go.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>A Spectre console over <see cref="Out"/>, for tables and help.</summary>
    public IAnsiConsole Console { get; } = console;

    /// <summary>Creates a fresh registry of the built-in backends (each verb adds --backend-assembly ones to its own).</summary>
    public Func<BackendRegistry> Backends { get; } = backends;
}

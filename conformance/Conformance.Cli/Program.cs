namespace Conformance.Cli;

/// <summary>Process entry point; all behaviour lives in <see cref="CliApp"/> so tests can run it in-process.</summary>
internal static class Program
{
    private static int Main(string[] args) => CliApp.Run(args);
}

namespace Conformance.Cli;

/// <summary>The backend was asked for a call it reports it does not support (exit code <see cref="ExitCodes.Unsupported"/>).</summary>
public sealed class CallUnsupportedException(string message) : Exception(message);

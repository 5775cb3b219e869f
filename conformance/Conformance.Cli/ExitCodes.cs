namespace Conformance.Cli;

/// <summary>The process exit codes of every verb.</summary>
public static class ExitCodes
{
    /// <summary>The verb did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Reserved for verbs that judge (check, gradcheck): the backend ran but did not conform.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line or bad input: unknown op, attribute, input, output or option; unreadable or malformed file.</summary>
    public const int UsageError = 2;

    /// <summary>The backend cannot run the call: not available here, or it does not support the op/attributes/shapes.</summary>
    public const int Unsupported = 3;

    /// <summary>An unexpected failure inside the program or a backend (a bug, not a user error).</summary>
    public const int InternalError = 70;
}

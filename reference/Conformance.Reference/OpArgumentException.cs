namespace Conformance.Reference;

/// <summary>
/// A bad argument to an operation. The message always names the argument, what was expected
/// and what was given, so that the CLI can print it as one line.
/// </summary>
public sealed class OpArgumentException : ArgumentException
{
    /// <summary>What the argument should have been.</summary>
    public string Expected { get; }

    /// <summary>What was given.</summary>
    public string Actual { get; }

    /// <summary>Creates the error for argument <paramref name="argument"/>.</summary>
    public OpArgumentException(string argument, string expected, string actual)
        : base($"argument '{argument}': expected {expected}, got {actual}", argument)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The one-line message without the parameter suffix .NET appends.</summary>
    public override string Message => $"argument '{ParamName}': expected {Expected}, got {Actual}";
}

using System.Globalization;
using Conformance.Core.Cases;

namespace Conformance.Core.Harness;

/// <summary>
/// Seeds of the random (FsCheck) properties. Each property starts from a seed derived from a base
/// seed and the property's own name, so two runs of the same commit draw the same cases, and adding
/// a property does not shift another's cases. The base seed is <see cref="DefaultBase"/> unless the
/// environment variable CONFORMANCE_SEED sets another; a failure prints the line that replays it.
/// </summary>
public static class RandomSeed
{
    /// <summary>The variable that sets the base seed: a non-negative integer.</summary>
    public const string Variable = "CONFORMANCE_SEED";

    /// <summary>The base seed when <see cref="Variable"/> is unset or empty.</summary>
    public const ulong DefaultBase = 1;

    /// <summary>The command a failure tells to rerun with, when the test lives in this repository.</summary>
    public const string RepositoryTestCommand = "dotnet test Conformance.sln -c Release";

    /// <summary>The base seed from the environment; a bad value is an error naming the variable.</summary>
    public static ulong Base => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>
    /// Parses a base seed: unset or blank is <see cref="DefaultBase"/>, otherwise decimal digits
    /// only (no sign), at most 2^64 − 1.
    /// </summary>
    public static ulong Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return DefaultBase;
        if (ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)) return seed;
        throw new ArgumentException(
            $"environment variable {Variable}: expected a non-negative integer (0 to {ulong.MaxValue}), got '{text}'");
    }

    /// <summary>
    /// The seed of the property named <paramref name="property"/> under <paramref name="baseSeed"/>.
    /// SplitMix64 scrambles the mix so that neighbouring base seeds give unrelated sequences.
    /// </summary>
    public static ulong For(string property, ulong baseSeed) =>
        new SeededRandom(SeededRandom.SeedOf(property) ^ baseSeed).NextBits();

    /// <summary>
    /// The shell line that reruns one test with the same random cases: the seed, the mode when it
    /// is not the default (it sets the case count, which sets FsCheck's sizes), and a filter.
    /// </summary>
    /// <param name="test">Class.Method, matched with FullyQualifiedName~.</param>
    /// <param name="baseSeed">The base seed the failing run used.</param>
    /// <param name="testCommand">dotnet test and its project arguments.</param>
    public static string ReplayCommand(string test, ulong baseSeed, string testCommand = RepositoryTestCommand)
    {
        string mode = SuiteSettings.Mode == SuiteMode.Default ? "" : $"{SuiteSettings.ModeVariable}={SuiteSettings.Mode.ToString().ToLowerInvariant()} ";
        return $"{mode}{Variable}={baseSeed} {testCommand} --filter \"FullyQualifiedName~{test}\"";
    }
}

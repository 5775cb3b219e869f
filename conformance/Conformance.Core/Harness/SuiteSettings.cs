namespace Conformance.Core.Harness;

/// <summary>How much the suite runs, from the environment variable CONFORMANCE_MODE.</summary>
public enum SuiteMode
{
    /// <summary>Lecture and edge cases only, 30 random cases per property: a smoke test of seconds per backend.</summary>
    Quick,
    /// <summary>Everything but the slow groups (the default; what CI runs).</summary>
    Default,
    /// <summary>Everything, full-size VGG16 layers included, and ten times the random cases.</summary>
    Thorough,
}

/// <summary>Reads the suite's settings from the environment, so that `dotnet test` needs no arguments.</summary>
public static class SuiteSettings
{
    /// <summary>The variable that selects the mode: quick, default or thorough.</summary>
    public const string ModeVariable = "CONFORMANCE_MODE";

    /// <summary>The current mode; an unknown value is an error naming the variable.</summary>
    public static SuiteMode Mode
    {
        get
        {
            string? v = Environment.GetEnvironmentVariable(ModeVariable);
            return (v ?? "default").Trim().ToLowerInvariant() switch
            {
                "quick" => SuiteMode.Quick,
                "" or "default" => SuiteMode.Default,
                "thorough" => SuiteMode.Thorough,
                _ => throw new ArgumentException($"environment variable {ModeVariable}: expected quick, default or thorough, got '{v}'"),
            };
        }
    }

    /// <summary>Random cases per FsCheck property of the suite: 30 quick, 300 default, 3000 thorough.</summary>
    public static int RandomCases => Mode switch { SuiteMode.Quick => 30, SuiteMode.Thorough => 3000, _ => 300 };

    /// <summary>Parses quick, default or thorough, naming <paramref name="argument"/> on error.</summary>
    public static SuiteMode ParseMode(string text, string argument) => text.Trim().ToLowerInvariant() switch
    {
        "quick" => SuiteMode.Quick,
        "default" => SuiteMode.Default,
        "thorough" => SuiteMode.Thorough,
        _ => throw new Reference.OpArgumentException(argument, "quick, default or thorough", $"'{text}'"),
    };

    /// <summary>The catalogued cases of the current mode.</summary>
    public static IEnumerable<Cases.ConformanceCase> Cases() => Cases(Mode);

    /// <summary>The catalogued cases of <paramref name="mode"/>.</summary>
    public static IEnumerable<Cases.ConformanceCase> Cases(SuiteMode mode) => mode switch
    {
        SuiteMode.Quick => Core.Cases.CaseCatalog.Select().Where(c => c.Group is "lecture" or "edge" or Core.Cases.CaseCatalog.SpecialGroup),
        SuiteMode.Thorough => Core.Cases.CaseCatalog.Select(thorough: true),
        _ => Core.Cases.CaseCatalog.Select(),
    };
}

using FsCheck.Xunit;
using Xunit.Sdk;

namespace Conformance.Tests.Properties;

/// <summary>
/// How many random cases the property tests run. CONFORMANCE_THOROUGH=1 multiplies every count
/// by <see cref="ThoroughMultiplier"/>; the default keeps the whole property set near two minutes
/// on a 2-core machine.
/// </summary>
public static class Thoroughness
{
    /// <summary>The environment variable that turns the thorough mode on.</summary>
    public const string Variable = "CONFORMANCE_THOROUGH";

    /// <summary>Factor applied to every case count in thorough mode.</summary>
    public const int ThoroughMultiplier = 10;

    /// <summary>True when CONFORMANCE_THOROUGH is 1 (or true).</summary>
    public static bool IsThorough
    {
        get
        {
            string? v = Environment.GetEnvironmentVariable(Variable);
            return v is not null && (v.Trim() == "1" || v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>The number of cases to run for a property whose quick count is <paramref name="cases"/>.</summary>
    public static int Scale(int cases) => IsThorough ? cases * ThoroughMultiplier : cases;
}

/// <summary>
/// An FsCheck property with the project's generators and a case count scaled by
/// <see cref="Thoroughness"/>. A failure prints FsCheck's replay seed; paste it into
/// <c>Replay</c> to rerun the exact case.
/// </summary>
// xunit finds the runner through this attribute on the attribute's own type, so it is repeated here.
[XunitTestCaseDiscoverer("FsCheck.Xunit.PropertyDiscoverer", "FsCheck.Xunit")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformancePropertyAttribute : PropertyAttribute
{
    /// <summary>Runs <paramref name="cases"/> random cases (×10 when thorough).</summary>
    public ConformancePropertyAttribute(int cases)
    {
        MaxTest = Thoroughness.Scale(cases);
        Arbitrary = [typeof(Generators)];
        QuietOnSuccess = true;
    }
}

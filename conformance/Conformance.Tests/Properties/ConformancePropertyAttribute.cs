using Conformance.Core.Harness;
using FsCheck.Xunit;
using Xunit.Sdk;

namespace Conformance.Tests.Properties;

/// <summary>
/// How many random cases the property tests run, from CONFORMANCE_MODE (the variable the whole
/// suite reads): thorough multiplies every count by <see cref="ThoroughMultiplier"/>, quick
/// divides it by <see cref="QuickDivisor"/>; the default keeps the property set to seconds.
/// </summary>
public static class Thoroughness
{
    /// <summary>Factor applied to every case count in thorough mode.</summary>
    public const int ThoroughMultiplier = 10;

    /// <summary>Divisor applied in quick mode (at least 10 cases remain).</summary>
    public const int QuickDivisor = 5;

    /// <summary>The number of cases to run for a property whose default count is <paramref name="cases"/>.</summary>
    public static int Scale(int cases) => SuiteSettings.Mode switch
    {
        SuiteMode.Thorough => cases * ThoroughMultiplier,
        SuiteMode.Quick => Math.Max(10, cases / QuickDivisor),
        _ => cases,
    };
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

using System.Runtime.CompilerServices;
using Conformance.Core.Harness;
using FsCheck;
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
/// An FsCheck property with the project's generators, a case count scaled by
/// <see cref="Thoroughness"/> and a fixed seed: <see cref="RandomSeed.For"/> of the method's name
/// under CONFORMANCE_SEED (or its default), so every run draws the same cases. A failure ends with
/// the line that replays it (<see cref="ConformancePropertyTestCase"/>).
/// </summary>
// xunit finds the runner through this attribute on the attribute's own type: ours wraps FsCheck's to add the replay line.
[XunitTestCaseDiscoverer("Conformance.Tests.Properties.ConformancePropertyDiscoverer", "Conformance.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformancePropertyAttribute : PropertyAttribute
{
    /// <summary>Runs <paramref name="cases"/> random cases (×10 when thorough) from the seed of <paramref name="property"/>.</summary>
    /// <param name="cases">Cases in the default mode.</param>
    /// <param name="property">The compiler fills in the method's name: the seed's name, unique among the properties.</param>
    public ConformancePropertyAttribute(int cases, [CallerMemberName] string property = "")
    {
        MaxTest = Thoroughness.Scale(cases);
        Arbitrary = [typeof(Generators)];
        QuietOnSuccess = true;
        Property = property;
        // A bad CONFORMANCE_SEED must not throw here, during discovery, where xunit would hide it;
        // ConformancePropertyTestCase fails the test with the variable's error instead.
        SeedError(out ulong baseSeed);
        var rnd = new Rnd(RandomSeed.For(property, baseSeed));
        Replay = $"({rnd.Seed},{rnd.Gamma})";
    }

    /// <summary>The name the seed derives from (the method's).</summary>
    public string Property { get; }

    /// <summary>The error of a bad CONFORMANCE_SEED, or null with the base seed it sets.</summary>
    internal static string? SeedError(out ulong baseSeed)
    {
        try
        {
            baseSeed = RandomSeed.Base;
            return null;
        }
        catch (ArgumentException e)
        {
            baseSeed = RandomSeed.DefaultBase;
            return e.Message;
        }
    }
}

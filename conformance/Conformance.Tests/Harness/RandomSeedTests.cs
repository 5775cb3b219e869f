using System.Reflection;
using Conformance.Core.Harness;
using Conformance.Tests.Properties;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Conformance.Tests.Harness;

/// <summary>CONFORMANCE_SEED's parsing, the per-property seeds and the property tests' replay line.</summary>
public sealed class RandomSeedTests
{
    [Theory]
    [InlineData(null, 1UL)]
    [InlineData("", 1UL)]
    [InlineData("  ", 1UL)]
    [InlineData("0", 0UL)]
    [InlineData(" 42 ", 42UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void ParsesNonNegativeIntegers(string? text, ulong expected) => Assert.Equal(expected, RandomSeed.Parse(text));

    [Theory]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData("1.5")]
    [InlineData("0x10")]
    [InlineData("seven")]
    [InlineData("18446744073709551616")]
    public void ABadSeedIsOneErrorNamingTheVariableTheExpectationAndTheValue(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => RandomSeed.Parse(text));
        Assert.Equal($"environment variable CONFORMANCE_SEED: expected a non-negative integer (0 to 18446744073709551615), got '{text}'", e.Message);
    }

    [Fact]
    public void PropertySeedsDependOnTheNameAndTheBaseAndNothingElse()
    {
        Assert.Equal(RandomSeed.For("RandomPooling", 1), RandomSeed.For("RandomPooling", 1));
        Assert.NotEqual(RandomSeed.For("RandomPooling", 1), RandomSeed.For("RandomConvolutions", 1));
        Assert.NotEqual(RandomSeed.For("RandomPooling", 1), RandomSeed.For("RandomPooling", 2));
        // Pinned: a change here silently changes every run's random cases.
        Assert.Equal(PinnedPoolingSeed, RandomSeed.For("RandomPooling", 1));
    }

    private const ulong PinnedPoolingSeed = 8364351526850922239;

    [Fact]
    public void EveryConformancePropertyHasItsOwnFixedSeed()
    {
        var properties = typeof(RandomSeedTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<ConformancePropertyAttribute>()))
            .Where(p => p.Attribute != null).ToList();
        Assert.True(properties.Count >= 40, $"{properties.Count} properties");
        foreach (var (method, attribute) in properties)
        {
            Assert.Equal(method.Name, attribute!.Property);
            var rnd = new FsCheck.Rnd(RandomSeed.For(method.Name, RandomSeed.Base));
            Assert.Equal($"({rnd.Seed},{rnd.Gamma})", attribute.Replay);
        }
        Assert.Equal(properties.Count, properties.Select(p => p.Attribute!.Replay).Distinct().Count());
    }

    [Fact]
    public void AFailedPropertyTestEndsWithItsReplayLine()
    {
        // The test case xunit would make for one of the property tests.
        var type = typeof(DeterminismProperties);
        var method = new TestMethod(new TestClass(new TestCollection(new TestAssembly(Reflector.Wrap(type.Assembly)), null, "c"), Reflector.Wrap(type)),
            Reflector.Wrap(type.GetMethod(nameof(DeterminismProperties.ResultsDoNotDependOnTheThreadCount))!));
        var testCase = new ConformancePropertyTestCase(new NullMessageSink(), TestMethodDisplay.ClassAndMethod, TestMethodDisplayOptions.None, method);
        Assert.Equal("DeterminismProperties.ResultsDoNotDependOnTheThreadCount", testCase.FilterName);

        var sink = new Collecting();
        var bus = new ReplayMessageBus(sink, "replay: CONFORMANCE_SEED=9 dotnet test Conformance.sln -c Release --filter \"FullyQualifiedName~A.B\"");
        var test = new XunitTest(testCase, testCase.DisplayName);
        bus.QueueMessage(new TestFailed(test, 1, "", ["X"], ["Falsifiable, after 3 tests"], ["at"], [-1]));
        bus.QueueMessage(new TestPassed(test, 1, ""));
        var failed = Assert.IsAssignableFrom<ITestFailed>(sink.Messages[0]);
        Assert.Equal("Falsifiable, after 3 tests\nreplay: CONFORMANCE_SEED=9 dotnet test Conformance.sln -c Release --filter \"FullyQualifiedName~A.B\"", failed.Messages[0]);
        Assert.Equal(["at"], failed.StackTraces);
        Assert.IsAssignableFrom<ITestPassed>(sink.Messages[1]);
    }

    private sealed class Collecting : IMessageBus
    {
        public List<IMessageSinkMessage> Messages { get; } = [];

        public bool QueueMessage(IMessageSinkMessage message)
        {
            Messages.Add(message);
            return true;
        }

        public void Dispose() { }
    }
}

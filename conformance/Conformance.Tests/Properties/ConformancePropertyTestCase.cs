using Conformance.Core.Harness;
using FsCheck.Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Conformance.Tests.Properties;

/// <summary>Discovers <see cref="ConformancePropertyAttribute"/> methods as <see cref="ConformancePropertyTestCase"/>s.</summary>
public sealed class ConformancePropertyDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        [new ConformancePropertyTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

/// <summary>
/// FsCheck's property test case with the suite's replay line: a failure's message ends with
/// <c>replay: CONFORMANCE_SEED=… dotnet test Conformance.sln -c Release --filter "FullyQualifiedName~Class.Method"</c>,
/// and a bad CONFORMANCE_SEED fails the test with the variable's error instead of running it.
/// </summary>
public sealed class ConformancePropertyTestCase : PropertyTestCase
{
    /// <summary>For xunit's deserialization.</summary>
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ConformancePropertyTestCase() { }

    /// <summary>A test case for <paramref name="testMethod"/>.</summary>
    public ConformancePropertyTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
        : base(sink, display, options, testMethod, null) { }

    /// <summary>Class.Method, as the replay line's filter matches it.</summary>
    public string FilterName => $"{TestMethod.TestClass.Class.Name.Split('.')[^1]}.{TestMethod.Method.Name}";

    /// <inheritdoc />
    public override Task<RunSummary> RunAsync(IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        if (ConformancePropertyAttribute.SeedError(out ulong baseSeed) is { } error) return FailWith(messageBus, error);
        var bus = new ReplayMessageBus(messageBus, "replay: " + RandomSeed.ReplayCommand(FilterName, baseSeed));
        return base.RunAsync(diagnosticMessageSink, bus, constructorArguments, aggregator, cancellationTokenSource);
    }

    /// <summary>Reports the test as failed with <paramref name="error"/>, the messages xunit expects of a test that ran.</summary>
    private Task<RunSummary> FailWith(IMessageBus bus, string error)
    {
        var test = new XunitTest(this, DisplayName);
        bus.QueueMessage(new TestCaseStarting(this));
        bus.QueueMessage(new TestStarting(test));
        bus.QueueMessage(new TestFailed(test, 0, "", [typeof(ArgumentException).FullName!], [error], [""], [-1]));
        bus.QueueMessage(new TestFinished(test, 0, ""));
        bus.QueueMessage(new TestCaseFinished(this, 0, 1, 1, 0));
        return Task.FromResult(new RunSummary { Total = 1, Failed = 1 });
    }
}

/// <summary>Passes every message on, appending <paramref name="replay"/> to the message of a failed test.</summary>
public sealed class ReplayMessageBus(IMessageBus inner, string replay) : IMessageBus
{
    /// <inheritdoc />
    public bool QueueMessage(IMessageSinkMessage message)
    {
        if (message is ITestFailed f && f.Messages.Length > 0)
        {
            string[] messages = [.. f.Messages];
            messages[0] = $"{messages[0]}\n{replay}";
            message = new TestFailed(f.Test, f.ExecutionTime, f.Output, f.ExceptionTypes, messages, f.StackTraces, f.ExceptionParentIndices);
        }
        return inner.QueueMessage(message);
    }

    /// <summary>The inner bus belongs to xunit, which disposes it.</summary>
    public void Dispose() { }
}

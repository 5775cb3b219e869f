using System.Reflection;
using Xunit;
using Xunit.Sdk;

namespace Conformance.Tests;

/// <summary>
/// Every theory row of this project shows whole in the test output: xunit 2 cuts a string
/// argument after 50 characters and an array after 5 elements, so two rows could look alike
/// (two TorchSharp smoke cases once did). Long texts go in <see cref="Whole"/>.
/// </summary>
public sealed class TestNamesTests
{
    /// <summary>xunit 2's ArgumentFormatter limits.</summary>
    private const int MaxString = 50, MaxArray = 5;

    [Fact]
    public void EveryTheoryArgumentIsShownWhole()
    {
        var cut = new List<string>();
        int rows = 0;
        foreach (var method in typeof(TestNamesTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
                     .Where(m => m.DeclaringType!.Assembly == typeof(TestNamesTests).Assembly && m.GetCustomAttribute<TheoryAttribute>() != null))
            foreach (var data in method.GetCustomAttributes<DataAttribute>())
                foreach (object?[] row in data.GetData(method).Select(r => { rows++; return r; }))
                    foreach (object? arg in row)
                        if (arg is string { Length: > MaxString } or Array { Length: > MaxArray })
                            cut.Add($"{method.DeclaringType!.Name}.{method.Name}: {arg}");
        Assert.InRange(rows, 100, int.MaxValue);
        Assert.True(cut.Count == 0, "arguments xunit would cut:" + Environment.NewLine + string.Join(Environment.NewLine, cut));
    }
}

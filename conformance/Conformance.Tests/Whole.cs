using Xunit.Abstractions;

namespace Conformance.Tests;

/// <summary>
/// A theory argument shown whole in the test's name: xunit 2 cuts string arguments at 50
/// characters ("···"), which made different rows of one theory look identical in the output.
/// </summary>
public sealed class Whole : IXunitSerializable
{
    /// <summary>The text.</summary>
    public string Text { get; private set; } = "";

    /// <summary>For xunit's deserialisation only.</summary>
    [Obsolete("For xunit's deserialisation only")]
    public Whole() { }

    /// <summary>Wraps <paramref name="text"/>.</summary>
    public Whole(string text) => Text = text;

    /// <summary>The text, for the code under test.</summary>
    public static implicit operator string(Whole w) => w.Text;

    /// <inheritdoc />
    public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Text), Text);

    /// <inheritdoc />
    public void Deserialize(IXunitSerializationInfo info) => Text = info.GetValue<string>(nameof(Text));

    /// <summary>The text in quotes, as xunit shows a string.</summary>
    public override string ToString() => $"\"{Text}\"";
}

namespace Conformance.Reference;

/// <summary>Marks a reference function with the catalogue name it implements (spec page, CLI and tests use the same name).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpAttribute(string name) : Attribute
{
    /// <summary>The catalogue name, e.g. conv2d_layer.</summary>
    public string Name { get; } = name;
}

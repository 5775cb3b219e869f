using Xunit;

namespace Conformance.Tests.Harness;

/// <summary>
/// Tests whose assertions are about wall-clock time (a call abandoned at its 3 s limit, healthy calls
/// passing well within it, a later call refused at once). They run alone, after every parallel test
/// class: beside the ILGPU simulator's suite classes, whose groups are hundreds of busy threads on 2
/// cores, a quick call once took longer than 3 s and failed CI without any fault in the harness.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WallClockCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "wall-clock";
}

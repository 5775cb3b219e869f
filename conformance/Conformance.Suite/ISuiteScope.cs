using Conformance.Core.Cases;

namespace Conformance.Suite;

/// <summary>
/// Narrows the cases one suite class runs: a backend type used as a suite's <c>TBackend</c> may
/// implement it to leave catalogued cases out of that class, each with the reason shown in the
/// class's skipped row (with the count), never silently. The project's ILGPU kernel-version classes
/// use it to run a subset of the large VGG16 cases in the default mode, which CI runs, and all of
/// them in thorough mode.
/// </summary>
public interface ISuiteScope
{
    /// <summary>Why <paramref name="c"/> is left out of this suite class, or null when it runs.</summary>
    string? LeftOut(ConformanceCase c);
}

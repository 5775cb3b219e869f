using Conformance.Core.Backends;
using System.Runtime;

namespace Conformance.Core.Harness;

/// <summary>
/// Returns the memory of a large call's temporaries to the system at once. The full-size VGG16
/// cases hold tensors of up to 10^8 elements (822 MB each in double); left to the collector's own
/// pace, the garbage of one phase (the |inputs| copies of the bound, a backend's working copies)
/// is still resident when the next phase allocates, and `check --mode thorough` peaked at 11 GB.
/// Collecting between phases of those few calls keeps the peak near what is live (see README).
/// </summary>
public static class LargeCalls
{
    /// <summary>Calls with at least this many input elements (128 MB in double) are large; the thousands of small cases never pay for a collection.</summary>
    public const long Threshold = 1L << 24;

    /// <summary>True when <paramref name="call"/> is large.</summary>
    public static bool IsLarge(OpCall call) => call.Inputs.Values.Sum(t => (long)t.Length) >= Threshold;

    /// <summary>A full, compacting collection (large object heap included) after a phase of a large call.</summary>
    public static void Collect(OpCall call)
    {
        if (!IsLarge(call)) return;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}

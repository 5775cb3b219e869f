namespace Conformance.Reference;

/// <summary>
/// How many threads the reference's outermost loops may use. The result never depends on it
/// (each output element is summed by one thread in a fixed order); the limit exists so that
/// tests can show exactly that, by comparing one thread with many, bitwise.
/// </summary>
public static class Parallelism
{
    private static readonly AsyncLocal<int?> Limit = new();

    /// <summary>The options every reference Parallel.For uses: unlimited unless a scope set a limit.</summary>
    public static ParallelOptions Options => new() { MaxDegreeOfParallelism = Limit.Value ?? -1 };

    /// <summary>Limits the reference to <paramref name="threads"/> threads in the current async flow until disposed.</summary>
    public static IDisposable LimitTo(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int? previous = Limit.Value;
        Limit.Value = threads;
        return new Scope(() => Limit.Value = previous);
    }

    private sealed class Scope(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

using Conformance.Core.Backends;

namespace Conformance.Suite;

/// <summary>How the suites make their backend: once per class, disposed at exit, a missing device a reason to skip.</summary>
public static class SuiteBackend
{
    /// <summary>A new <typeparamref name="TBackend"/>, or null and why it is not available here.</summary>
    public static (TBackend? Backend, string Why) Create<TBackend>() where TBackend : IConformanceBackend, new()
    {
        try
        {
            var backend = new TBackend();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => backend.Dispose();
            return (backend, "");
        }
        catch (Exception e) when (Unavailable(e) is { } unavailable)
        {
            return (default, $"{typeof(TBackend).Name} is not available here: {unavailable.Message}");
        }
    }

    /// <summary>The backend's own "not available" (new TBackend() may wrap it in a TargetInvocationException).</summary>
    private static BackendUnavailableException? Unavailable(Exception e) => e switch
    {
        BackendUnavailableException u => u,
        System.Reflection.TargetInvocationException { InnerException: BackendUnavailableException u } => u,
        _ => null,
    };
}

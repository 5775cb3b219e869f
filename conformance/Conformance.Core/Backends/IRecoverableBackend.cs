namespace Conformance.Core.Backends;

/// <summary>
/// A backend that can abandon a call still running and start afresh. The harness gives up on a
/// call past its time limit (<see cref="Harness.GuardedCall"/>) but cannot stop it; before the next
/// call on the same instance it calls <see cref="Recover"/> if the abandoned call has not finished
/// by then. Without this interface the harness waits for the abandoned call instead, and reports
/// every later call as not run if it never finishes. A GPU backend implements it by recreating its
/// context (a CUDA fault poisons a context too, so it also does that itself after a fault).
/// </summary>
public interface IRecoverableBackend : IConformanceBackend
{
    /// <summary>
    /// Abandons in-flight work and recreates device state (a GPU context, streams, compiled
    /// kernels), so that the next <see cref="IConformanceBackend.Evaluate"/> runs normally while
    /// the abandoned call may still be running or may fail. Throws if the backend cannot recover;
    /// the harness then reports its later calls as not run, with the exception's message.
    /// </summary>
    /// <param name="cause">Why: the case that exceeded its time limit and the limit, for logs.</param>
    void Recover(string cause);
}

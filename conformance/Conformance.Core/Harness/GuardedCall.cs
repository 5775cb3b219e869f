using System.Globalization;
using System.Runtime.CompilerServices;
using Conformance.Core.Backends;
using Conformance.Reference;

namespace Conformance.Core.Harness;

/// <summary>
/// A backend call that exceeded its time limit, or that was not run because the backend is still
/// busy with one that did. The message is the reason a <see cref="CaseResult"/> reports.
/// </summary>
public sealed class CallTimeoutException(string message, string caseId) : TimeoutException(message)
{
    /// <summary>The case whose call this was.</summary>
    public string CaseId { get; } = caseId;
}

/// <summary>
/// Every backend call the harness makes goes through here, so that a backend that hangs costs one
/// case, not the whole run: the call runs on its own thread and is waited for up to its
/// <see cref="TimeLimit"/> (<see cref="CallLimits"/>). A call past its limit cannot be stopped,
/// only abandoned, so before the next call on the same backend instance:
/// <list type="bullet">
/// <item>if the abandoned call has finished meanwhile, nothing more happens;</item>
/// <item>else if the backend is an <see cref="IRecoverableBackend"/>, it is asked to recover;</item>
/// <item>else the new call waits for the abandoned one up to its own limit; if that passes too,
/// the backend is stuck and this and every later call fail at once, naming the abandoned case,
/// until the abandoned call finishes.</item>
/// </list>
/// Calls on one backend instance are expected one at a time, as the suite and the CLI make them.
/// </summary>
public static class GuardedCall
{
    // Per backend instance, without keeping a disposed backend alive.
    private static readonly ConditionalWeakTable<IConformanceBackend, State> States = new();

    /// <summary>Runs <paramref name="call"/> on <paramref name="backend"/> under the <see cref="CallLimits.Current"/> limits.</summary>
    /// <exception cref="CallTimeoutException">The call exceeded its limit, or was not run because the backend is stuck.</exception>
    public static IReadOnlyDictionary<string, Tensor> Evaluate(IConformanceBackend backend, OpCall call, string caseId) =>
        Evaluate(backend, call, caseId, CallLimits.Current);

    /// <summary>
    /// Runs <paramref name="call"/> of case <paramref name="caseId"/> on <paramref name="backend"/> under
    /// <paramref name="limits"/>. The backend's own exceptions come out unchanged. With limits off the
    /// call runs on the caller's thread.
    /// </summary>
    /// <exception cref="CallTimeoutException">The call exceeded its limit, or was not run because the backend is stuck.</exception>
    public static IReadOnlyDictionary<string, Tensor> Evaluate(IConformanceBackend backend, OpCall call, string caseId, CallLimits limits)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var limit = limits.For(call);
        var state = States.GetOrCreateValue(backend);
        SettleAbandoned(backend, state, limit, caseId);
        if (limit is null) return backend.Evaluate(call);

        // A pool thread: 10–200 µs a call on a loaded 2-core machine, where a dedicated thread per
        // call measured 0.8 ms (gradient checks make thousands of calls). A hung call holds its pool thread, and the
        // pool adds others; pool threads are background threads, so it never blocks process exit.
        // The execution context flows in, so AsyncLocals such as Parallelism.LimitTo still apply.
        var task = Task.Run(() => backend.Evaluate(call));
        if (Finished(task, limit.Duration)) return task.GetAwaiter().GetResult();

        // Observe a late failure, so that it is not raised as an unobserved task exception.
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (state)
        {
            state.Abandoned = task;
            state.Cause = string.Create(CultureInfo.InvariantCulture,
                $"case {caseId}, which exceeded its time limit of {limit.Duration.TotalSeconds:G3} s");
            state.Stuck = null;
        }
        throw new CallTimeoutException(limit.ExceededMessage(), caseId);
    }

    /// <summary>Deals with a call abandoned earlier on this backend, as the class summary says; throws when the backend is stuck.</summary>
    private static void SettleAbandoned(IConformanceBackend backend, State state, TimeLimit? limit, string caseId)
    {
        Task abandoned;
        string cause;
        lock (state)
        {
            if (state.Abandoned is null) return;
            if (state.Abandoned.IsCompleted)
            {
                state.Clear();
                return;
            }
            // Already found stuck: fail at once rather than wait again for every case.
            if (state.Stuck is { } stuck) throw NotRun(stuck, caseId);
            (abandoned, cause) = (state.Abandoned, state.Cause);
        }

        if (backend is IRecoverableBackend recoverable)
        {
            try
            {
                recoverable.Recover(cause);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string why = $"{cause}, and recovering failed ({e.GetType().Name}: {e.Message})";
                lock (state) state.Stuck = why;
                throw NotRun(why, caseId);
            }
            lock (state)
                if (state.Abandoned == abandoned) state.Clear();
            return;
        }

        if (Finished(abandoned, limit?.Duration ?? Timeout.InfiniteTimeSpan))
        {
            lock (state)
                if (state.Abandoned == abandoned) state.Clear();
            return;
        }
        lock (state) state.Stuck = cause;
        throw NotRun(cause, caseId);
    }

    private static CallTimeoutException NotRun(string cause, string caseId) =>
        new($"not run: backend still busy with {cause}", caseId);

    /// <summary>Waits for <paramref name="task"/>; true when it completed (successfully or not) in time.</summary>
    private static bool Finished(Task task, TimeSpan timeout)
    {
        try
        {
            return task.Wait(timeout);
        }
        catch (AggregateException)
        {
            // It completed by throwing; the caller rethrows the original exception via GetResult.
            return true;
        }
    }

    /// <summary>What the harness knows of one backend instance's abandoned call; locked on itself.</summary>
    private sealed class State
    {
        /// <summary>The call given up on, possibly still running; null when none.</summary>
        public Task? Abandoned;

        /// <summary>"case X, which exceeded its time limit of N s": names the abandoned call in later messages.</summary>
        public string Cause = "";

        /// <summary>Set when waiting for or recovering from <see cref="Abandoned"/> failed: the backend is unusable until it finishes.</summary>
        public string? Stuck;

        public void Clear()
        {
            Abandoned = null;
            Cause = "";
            Stuck = null;
        }
    }
}

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

        // The backend's own worker thread (a new thread per call measured 0.8 ms on a loaded 2-core
        // machine, and gradient checks make thousands of calls). Not a pool thread: hung calls would
        // hold pool threads, and on 2 cores the pool then starts the next call only after its
        // thread-injection delay, which a short limit mistakes for a hang. A hung call keeps its
        // worker; the next call gets a new one.
        Worker worker;
        lock (state) worker = state.Worker ??= new Worker();
        var task = worker.Run(() => backend.Evaluate(call));
        if (Finished(task, limit.Duration)) return task.GetAwaiter().GetResult();

        // Observe a late failure, so that it is not raised as an unobserved task exception.
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (state)
        {
            state.Worker = null;
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

        /// <summary>The thread that runs this backend's calls; dropped with a call it abandons.</summary>
        public Worker? Worker;

        public void Clear()
        {
            Abandoned = null;
            Cause = "";
            Stuck = null;
        }
    }

    /// <summary>
    /// One background thread that runs the calls given to it, one at a time, in the caller's
    /// execution context (so AsyncLocals such as Parallelism.LimitTo apply). It ends after a few
    /// idle seconds and is started again by the next call, so a forgotten backend leaves no thread.
    /// </summary>
    private sealed class Worker
    {
        private static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(5);
        private readonly Queue<Action> _queue = new();
        private bool _running;

        public Task<T> Run<T>(Func<T> work)
        {
            var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            var context = ExecutionContext.Capture();
            void Body()
            {
                try
                {
                    done.SetResult(work());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
            lock (_queue)
            {
                _queue.Enqueue(context is null ? Body : () => ExecutionContext.Run(context, _ => Body(), null));
                if (!_running)
                {
                    _running = true;
                    new Thread(Loop) { IsBackground = true, Name = "conformance backend call" }.Start();
                }
                Monitor.Pulse(_queue);
            }
            return done.Task;
        }

        private void Loop()
        {
            while (true)
            {
                Action next;
                lock (_queue)
                {
                    while (_queue.Count == 0)
                    {
                        if (!Monitor.Wait(_queue, IdleExit) && _queue.Count == 0)
                        {
                            _running = false;
                            return;
                        }
                    }
                    next = _queue.Dequeue();
                }
                next();
            }
        }
    }
}

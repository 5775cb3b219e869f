using System.ComponentModel;
using Conformance.Core.Harness;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Options of the verbs that judge a backend (check, gradcheck): the backend, and how long each call may take.</summary>
public class JudgeSettings : BackendSettings
{
    /// <summary>Seconds every backend call may take, or 0/off; when absent, CONFORMANCE_CASE_TIMEOUT, else a limit derived from the call's size.</summary>
    [CommandOption("--case-timeout <SECONDS>")]
    [Description("Seconds each backend call may take before it is reported as an error (0 or off: no limit). " +
                 "Default: " + CallLimits.Variable + " if set, else 30 s plus the call's size at 5 million operations per second.")]
    public string? CaseTimeout { get; init; }

    /// <summary>
    /// The call limits: --case-timeout beats CONFORMANCE_CASE_TIMEOUT, which beats the derived ones.
    /// A bad value of either is a usage error naming it; called before any backend runs.
    /// </summary>
    public CallLimits Limits() =>
        CaseTimeout is null ? CallLimits.FromEnvironment() : CallLimits.Parse(CaseTimeout, "--case-timeout");
}

using System.ComponentModel;
using System.Globalization;
using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Core.Io;
using Conformance.Core.Numerics;
using Conformance.Reference;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance compare</c>.</summary>
public sealed class CompareSettings : CommandSettings
{
    /// <summary>The catalogued op the outputs come from.</summary>
    [CommandArgument(0, "<OP>")]
    [Description("Catalogued op name (see 'conformance ops').")]
    public string Op { get; init; } = "";

    /// <summary>Inputs as NAME=FILE.npy.</summary>
    [CommandOption("-i|--in <NAME=FILE>")]
    [Description("An input the outputs were computed from, as NAME=FILE.npy. Repeat for each input.")]
    public string[] Inputs { get; init; } = [];

    /// <summary>The outputs to judge as NAME=FILE.npy.</summary>
    [CommandOption("--actual <NAME=FILE>")]
    [Description("An output your implementation computed, as NAME=FILE.npy. At least one.")]
    public string[] Actual { get; init; } = [];

    /// <summary>Attributes as KEY=VALUE.</summary>
    [CommandOption("-a|--attr <KEY=VALUE>")]
    [Description("An attribute as KEY=VALUE (as for eval).")]
    public string[] Attributes { get; init; } = [];

    /// <summary>The arithmetic the outputs were computed in.</summary>
    [CommandOption("--precision <CLASS>")]
    [Description("The arithmetic your implementation used, which sets the bound: fp32 (default), tf32, bf16 or fp64.")]
    [DefaultValue("fp32")]
    public string Precision { get; init; } = "fp32";
}

/// <summary>
/// <c>conformance compare OP --in NAME=FILE ... --actual NAME=FILE ... [--attr ...] [--precision P]</c>:
/// the verdict on outputs computed anywhere (any language, any device) under the error bound of
/// the declared precision (spec/numerics.md), with the report and exit codes of <c>check</c>: 0
/// within the bound, 1 outside it, 2 for a usage error. Inputs are rounded to the precision's
/// input format first, as the suite rounds them before calling a backend.
/// </summary>
public sealed class CompareCommand(CliContext context) : Command<CompareSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, CompareSettings settings, CancellationToken cancellationToken)
    {
        var op = OpCatalog.Get(settings.Op);
        var precision = ParsePrecision(settings.Precision);
        var attrs = NamedValues.Parse(settings.Attributes, "--attr", "KEY=VALUE");
        OpCatalog.CheckAttributeKeys(op, attrs.Select(a => a.Key));
        var attributes = OpAttributes.Parse(attrs);
        var inputFiles = NamedValues.Parse(settings.Inputs, "--in", "NAME=FILE.npy");
        foreach (var (name, _) in inputFiles)
            if (!op.AllInputs.Contains(name))
                throw new OpArgumentException("--in", $"one of the inputs of {op.Name}: {string.Join(", ", op.AllInputs)}", $"'{name}'");
        OpCatalog.CheckInputs(op, inputFiles.ToDictionary(p => p.Key, _ => Tensor.Zeros()));
        var actualFiles = NamedValues.Parse(settings.Actual, "--actual", "NAME=FILE.npy");
        if (actualFiles.Count == 0)
            throw new OpArgumentException("--actual", $"at least one NAME=FILE.npy with NAME one of {string.Join(", ", op.Outputs)}", "none");
        foreach (var (name, _) in actualFiles)
            if (!op.Outputs.Contains(name))
                throw new OpArgumentException("--actual", $"an output of {op.Name}: {string.Join(", ", op.Outputs)}", $"'{name}'");

        var inputs = inputFiles.ToDictionary(p => p.Key, p =>
        {
            var t = Npy.Read(p.Value, allowIntegers: p.Key == "labels", argument: $"--in {p.Key}={p.Value}");
            return p.Key == "labels" ? t : t.Map(precision.RoundToInput);
        });
        var actual = actualFiles.ToDictionary(p => p.Key, p => Npy.Read(p.Value, argument: $"--actual {p.Key}={p.Value}"));
        var expected = CaseRunner.Expect(new OpCall(op.Name, inputs, attributes), precision);

        var reports = actual.Select(kv => Comparison.Compare(kv.Key, expected.Outputs[kv.Key], kv.Value, expected.Bounds[kv.Key], precision)).ToList();
        bool passed = reports.All(r => r.Passed);
        context.Out.WriteLine($"compare {op.Name} ({precision.Name}): {(passed ? "passed" : "FAILED")}");
        foreach (var (report, kv) in reports.Zip(actual))
        {
            context.Out.WriteLine("  " + report.Describe());
            if (!report.Passed && report.ElementCompared)
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {report.Output}: {OverBound(expected.Outputs[kv.Key], kv.Value, expected.Bounds[kv.Key])} of {kv.Value.Length} elements exceed the bound"));
        }
        return passed ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static int OverBound(Tensor expected, Tensor actual, Tensor bound) =>
        Enumerable.Range(0, expected.Length).Count(i => Comparison.Ratio(expected.Data[i], actual.Data[i], bound.Data[i]) > 1);

    private static PrecisionClass ParsePrecision(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" => PrecisionClass.Fp32,
        "tf32" => PrecisionClass.Tf32,
        "bf16" => PrecisionClass.Bf16,
        "fp64" => PrecisionClass.Fp64,
        _ => throw new OpArgumentException("--precision", "fp32, tf32, bf16 or fp64", $"'{text}'"),
    };
}

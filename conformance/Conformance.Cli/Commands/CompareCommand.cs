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

    /// <summary>A folder for expected, actual, bound and error/bound of every output, and a heat map.</summary>
    [CommandOption("--dump <DIR>")]
    [Description("Write, per output, NAME.expected/.actual/.bound/.ratio .npy (error/bound) and NAME.ratio.png, a heat map of error/bound (2D outputs; layer outputs show the worst channel of batch item 0).")]
    public string? Dump { get; init; }

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
/// input format first, as the suite rounds them before calling a backend. An input holding NaN or
/// ±∞ (after that rounding) gets a note on standard error; the verdict and exit code do not change.
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
        SpecialValueNotes.Write(context.Error, inputs);
        var actual = actualFiles.ToDictionary(p => p.Key, p => Npy.Read(p.Value, argument: $"--actual {p.Key}={p.Value}"));
        var expected = CaseRunner.Expect(new OpCall(op.Name, inputs, attributes), precision);

        var reports = actual.Select(kv => Comparison.Compare(kv.Key, expected.Outputs[kv.Key], kv.Value, expected.Bounds[kv.Key], precision)).ToList();
        bool passed = reports.All(r => r.Passed);
        context.Out.WriteLine($"compare {op.Name} ({precision.LabelFor(op.Name)}): {(passed ? "passed" : "FAILED")}");
        foreach (var (report, kv) in reports.Zip(actual))
        {
            context.Out.WriteLine("  " + report.Describe());
            if (!report.Passed && report.ElementCompared)
                foreach (string line in Diagnosis.Of(expected.Outputs[kv.Key], kv.Value, expected.Bounds[kv.Key]))
                    context.Out.WriteLine($"  {report.Output}: {line}");
        }
        if (!passed) Hypotheses(op.Name, inputs, attributes, actual, precision);
        if (settings.Dump != null) Dump(settings.Dump, expected, actual, precision);
        return passed ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>
    /// Tests the usual causes directly: when the outputs are within the bound of the reference run
    /// on inputs rounded to TF32 or bf16, the implementation rounds its inputs that way, and says so.
    /// </summary>
    private void Hypotheses(string op, Dictionary<string, Tensor> inputs, OpAttributes attributes,
        IReadOnlyDictionary<string, Tensor> actual, PrecisionClass declared)
    {
        foreach (var cause in new[] { PrecisionClass.Tf32, PrecisionClass.Bf16 })
        {
            if (cause.InputUnit <= declared.InputUnit) continue;
            var rounded = inputs.ToDictionary(kv => kv.Key, kv => kv.Key == "labels" ? kv.Value : kv.Value.Map(cause.RoundToInput));
            var expected = CaseRunner.Expect(new OpCall(op, rounded, attributes), declared);
            bool matches = actual.All(kv => Comparison.Compare(kv.Key, expected.Outputs[kv.Key], kv.Value, expected.Bounds[kv.Key], declared).Passed);
            if (!matches) continue;
            context.Out.WriteLine($"  hint: these outputs are within the {declared.Name} bound of the reference on inputs rounded to {cause.Name}: " +
                $"the implementation rounds its inputs to {cause.Name}; declare --precision {cause.Name} if that is intended");
            return;
        }
    }

    /// <summary>Writes the arrays of every output and, for 2D and layer outputs, the heat map; all or nothing.</summary>
    private void Dump(string dir, Expectation expected, IReadOnlyDictionary<string, Tensor> actual, PrecisionClass p)
    {
        if (!Directory.Exists(dir)) throw new OpArgumentException("--dump", "an existing folder", $"'{dir}'");
        var files = new List<(string Path, Action<Stream> Write)>();
        foreach (var (name, a) in actual)
        {
            var e = expected.Outputs[name];
            var b = expected.Bounds[name];
            if (!e.Shape.SequenceEqual(a.Shape)) continue;
            var ratio = new Tensor(e.Shape, Enumerable.Range(0, e.Length).Select(i => Comparison.Ratio(e.Data[i], a.Data[i], b.Data[i])).ToArray());
            foreach (var (suffix, t) in new[] { ("expected", e), ("actual", a), ("bound", b), ("ratio", ratio) })
                files.Add((Path.Combine(dir, $"{name}.{suffix}.npy"), s => Npy.Write(s, t)));
            if (Imaging.HeatMap.Of(ratio) is { } picture)
                files.Add((Path.Combine(dir, $"{name}.ratio.png"), picture.WritePng));
        }
        AtomicFile.WriteAll(files);
        context.Out.WriteLine($"wrote {files.Count} files to {dir}");
    }

    private static PrecisionClass ParsePrecision(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" => PrecisionClass.Fp32,
        "tf32" => PrecisionClass.Tf32,
        "bf16" => PrecisionClass.Bf16,
        "fp64" => PrecisionClass.Fp64,
        _ => throw new OpArgumentException("--precision", "fp32, tf32, bf16 or fp64", $"'{text}'"),
    };
}

using System.ComponentModel;
using Conformance.Core.Backends;
using Conformance.Core.Io;
using Conformance.Reference;
using Spectre.Console.Cli;

namespace Conformance.Cli.Commands;

/// <summary>Settings of <c>conformance eval</c>.</summary>
public sealed class EvalSettings : BackendSettings
{
    /// <summary>The catalogued op to evaluate.</summary>
    [CommandArgument(0, "<OP>")]
    [Description("Catalogued op name (see 'conformance ops').")]
    public string Op { get; init; } = "";

    /// <summary>Inputs as NAME=FILE.npy.</summary>
    [CommandOption("-i|--in <NAME=FILE>")]
    [Description("An input as NAME=FILE.npy (float32/float64; labels may also be integers). Repeat for each input.")]
    public string[] Inputs { get; init; } = [];

    /// <summary>Attributes as KEY=VALUE.</summary>
    [CommandOption("-a|--attr <KEY=VALUE>")]
    [Description("An attribute as KEY=VALUE: padding=valid|same|same_lower|full|T,B,L,R, reversal=true|false, strides=S|S1,S2, dilation=D|D1,D2, groups=G, pool=P|P1,P2.")]
    public string[] Attributes { get; init; } = [];

    /// <summary>Outputs to write as NAME=FILE.npy.</summary>
    [CommandOption("-o|--out <NAME=FILE>")]
    [Description("An output to write as NAME=FILE.npy. At least one; outputs not named are not written.")]
    public string[] Outputs { get; init; } = [];

    /// <summary>The dtype of the written files.</summary>
    [CommandOption("--dtype <DTYPE>")]
    [Description("Element type of the written files: f8 (default; holds every backend's values exactly) or f4.")]
    [DefaultValue("f8")]
    public string DType { get; init; } = "f8";
}

/// <summary>
/// <c>conformance eval OP --in NAME=FILE ... [--attr KEY=VALUE ...] --out NAME=FILE ...</c>:
/// evaluates one op with one backend. Everything is checked before any file is read (op,
/// input, attribute and output names, attribute values, output folders, backend name), and
/// outputs are written only after the whole evaluation succeeded, all or none. An input holding
/// NaN or ±∞ gets a note on standard error (the exit code does not change).
/// </summary>
public sealed class EvalCommand(CliContext context) : Command<EvalSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext commandContext, EvalSettings settings, CancellationToken cancellationToken)
    {
        var registry = settings.CreateRegistry(context);
        var request = EvalRequest.Parse(settings, registry);

        var inputs = new Dictionary<string, Tensor>();
        foreach (var (name, path) in request.Inputs)
            inputs[name] = Npy.Read(path, allowIntegers: name == "labels", argument: $"--in {name}={path}");
        var call = new OpCall(request.Op.Name, inputs, request.Attributes);
        SpecialValueNotes.Write(context.Error, inputs);

        IReadOnlyDictionary<string, Tensor> results;
        using (var backend = registry.Create(settings.Backend))
        {
            var support = backend.Supports(call);
            if (!support.IsSupported)
                throw new CallUnsupportedException($"backend '{backend.Name}' does not support {call}: {support.Reason}");
            results = backend.Evaluate(call);
        }

        var files = new List<(string Path, Tensor Tensor)>();
        foreach (var (name, path) in request.Outputs)
        {
            if (!results.TryGetValue(name, out var tensor))
                throw new InvalidOperationException($"backend '{settings.Backend}' returned no output '{name}' for {call}");
            files.Add((path, tensor));
        }
        Npy.WriteAll(files, request.DType);
        foreach (var (name, path) in request.Outputs)
            context.Out.WriteLine($"{name} {Tensor.Format(results[name].Shape)} -> {path}");
        return ExitCodes.Success;
    }
}

/// <summary>An eval command line checked against the catalogue, before any file is read.</summary>
internal sealed record EvalRequest(
    OpInfo Op,
    IReadOnlyList<KeyValuePair<string, string>> Inputs,
    OpAttributes Attributes,
    IReadOnlyList<KeyValuePair<string, string>> Outputs,
    NpyDType DType)
{
    public static EvalRequest Parse(EvalSettings s, BackendRegistry registry)
    {
        var op = OpCatalog.Get(s.Op);
        registry.CheckName(s.Backend);

        var attrs = NamedValues.Parse(s.Attributes, "--attr", "KEY=VALUE");
        OpCatalog.CheckAttributeKeys(op, attrs.Select(a => a.Key));
        var attributes = OpAttributes.Parse(attrs);

        var outputs = NamedValues.Parse(s.Outputs, "--out", "NAME=FILE.npy");
        if (outputs.Count == 0)
            throw new OpArgumentException("--out", $"at least one NAME=FILE.npy with NAME one of {string.Join(", ", op.Outputs)}", "none");
        foreach (var (name, path) in outputs)
        {
            if (!op.Outputs.Contains(name))
                throw new OpArgumentException("--out", $"an output of {op.Name}: {string.Join(", ", op.Outputs)}", $"'{name}'");
            AtomicFile.CheckTarget(path, "--out", name);
        }
        var clash = outputs.GroupBy(o => Path.GetFullPath(o.Value)).FirstOrDefault(g => g.Count() > 1);
        if (clash != null)
            throw new OpArgumentException("--out", "a different file for each output", $"'{clash.First().Value}' for {string.Join(" and ", clash.Select(o => o.Key))}");

        var inputs = NamedValues.Parse(s.Inputs, "--in", "NAME=FILE.npy");
        // Names are checked before any file is read, and unknown names before missing ones,
        // so a misspelt name is reported as misspelt rather than as a missing input.
        foreach (var (name, _) in inputs)
            if (!op.AllInputs.Contains(name))
                throw new OpArgumentException("--in", $"one of the inputs of {op.Name}: {string.Join(", ", op.AllInputs)}", $"'{name}'");
        OpCatalog.CheckInputs(op, inputs.ToDictionary(p => p.Key, _ => Tensor.Zeros()));
        var dtype = Npy.ParseDType(s.DType, "--dtype");
        foreach (var (name, path) in inputs)
            if (!File.Exists(path))
                throw new OpArgumentException("--in", $"an existing .npy file for {name}", $"no file at '{path}'");

        return new EvalRequest(op, inputs, attributes, outputs, dtype);
    }
}

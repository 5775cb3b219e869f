using System.Buffers.Binary;
using System.Text;
using Conformance.Cli;
using Conformance.Core.Backends;
using Conformance.Core.Io;
using Conformance.Reference;

namespace Conformance.Tests.Cli;

/// <summary>The result of one in-process run of the command line.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>The lines written to standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A temporary folder for .npy files, removed on dispose, with helpers to run the CLI in it.</summary>
public sealed class CliTestKit : IDisposable
{
    /// <summary>The folder.</summary>
    public string Dir { get; } = Directory.CreateTempSubdirectory("conformance-cli-").FullName;

    /// <summary>The full path of <paramref name="name"/> in the folder.</summary>
    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>Writes <paramref name="t"/> as <paramref name="name"/> and returns its path.</summary>
    public string Save(string name, Tensor t, NpyDType dtype = NpyDType.Float64)
    {
        string path = PathOf(name);
        Npy.Write(path, t, dtype);
        return path;
    }

    /// <summary>Runs the CLI in-process with the given arguments.</summary>
    public static CliResult Run(params string[] args) => Run(null, args);

    /// <summary>Runs the CLI in-process with a replacement backend registry.</summary>
    public static CliResult Run(Func<BackendRegistry>? backends, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error, backends);
        return new CliResult(code, output.ToString(), error.ToString().Replace("\r", ""));
    }

    /// <summary>Every file in the folder (temporary files included), by name.</summary>
    public string[] Files() => Directory.GetFiles(Dir).Select(Path.GetFileName).Order().ToArray()!;

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>
    /// Builds .npy bytes by hand, for files this project's writer never produces (other dtypes,
    /// versions, byte orders, Fortran order, broken headers).
    /// </summary>
    /// <summary>
    /// The scoreboard row of <paramref name="op"/> in <paramref name="backend"/>'s table (each
    /// backend has its own table, titled "backend (mode mode)"), passing at least one case and failing none.
    /// </summary>
    public static string PassingRow(string backend, string op) =>
        $@"{System.Text.RegularExpressions.Regex.Escape(backend)} \(\w+ mode\)\s*\n┌[^\n]*\n│ op[^\n]*\n├[^\n]*\n(│[^\n]*\n)*?│ {op}\s+│ \w+\s+│ [1-9]\d*\s+│ 0\s+│";

    public static byte[] RawNpy(string header, byte[] data, int major = 1)
    {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = 6 + 2 + lengthBytes + header.Length + 1;
        string padded = header.PadRight(header.Length + (64 - unpadded % 64) % 64) + "\n";
        byte[] text = major == 3 ? Encoding.UTF8.GetBytes(padded) : Encoding.Latin1.GetBytes(padded);
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
        var length = new byte[lengthBytes];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        bytes.AddRange(length);
        bytes.AddRange(text);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    /// <summary>A numpy header dictionary as numpy writes it.</summary>
    public static string Header(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>A tensor of the given shape with integers in [-range, range] as doubles.</summary>
    public static Tensor RandomInts(Random rng, int range, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = rng.Next(-range, range + 1);
        return t;
    }

    /// <summary>A tensor of the given shape with values uniform in [-1, 1) rounded to float32, so .npy f4 files hold them exactly.</summary>
    public static Tensor RandomFloats(Random rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }
}

/// <summary>
/// A test backend: the reference, except that it refuses dilation other than 1, so the CLI's
/// unsupported path can be exercised. Public with a parameterless constructor so that
/// --backend-assembly finds it in this test assembly.
/// </summary>
public sealed class CliFakeBackend : IConformanceBackend
{
    /// <inheritdoc />
    public string Name => "cli-fake";

    /// <inheritdoc />
    public BackendCapabilities Capabilities { get; } = new("test", PrecisionClass.Fp64);

    /// <inheritdoc />
    public Support Supports(OpCall call) =>
        call.Attributes.Dilation != Pair.Of(1) ? Support.No("dilation other than 1 is not implemented") : Support.Yes;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> Evaluate(OpCall call)
    {
        // Mark the output so a test can tell this backend ran and not the reference.
        var outputs = OpCatalog.Evaluate(call.Op, call.Inputs, call.Attributes).ToDictionary();
        foreach (var key in outputs.Keys.ToList()) outputs[key] = outputs[key].Map(v => v + 1000);
        return outputs;
    }

    /// <inheritdoc />
    public void Dispose() { }
}

using System.Reflection;
using Conformance.Cli.Commands;
using Conformance.Core.Backends;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Conformance.Cli;

/// <summary>
/// The conformance command line: builds the Spectre command app, runs it, and turns every
/// failure into one line on standard error and an exit code (<see cref="ExitCodes"/>).
/// </summary>
public static class CliApp
{
    /// <summary>
    /// Runs the command line <paramref name="args"/> and returns the exit code. Output goes to
    /// <paramref name="stdout"/> and <paramref name="stderr"/> (default: the process's own), so
    /// tests can run the tool in-process. <paramref name="backends"/> replaces the registry of
    /// known backends (default <see cref="CliBackends.CreateRegistry"/>). Errors are one line
    /// "error: ..." on <paramref name="stderr"/>; set CONFORMANCE_DEBUG=1 to add the stack
    /// trace of internal errors.
    /// </summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, Func<BackendRegistry>? backends = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool isProcessConsole = stdout == null;
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var console = CreateConsole(stdout, isProcessConsole);
        var context = new CliContext(stdout, stderr, console, backends ?? CliBackends.CreateRegistry);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("conformance");
            config.SetApplicationVersion(typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");
            config.ConfigureConsole(console);
            // Exceptions come to Run, which prints them as one line without a stack trace.
            config.PropagateExceptions();
            // Unknown options are errors, not silently ignored "remaining arguments".
            config.UseStrictParsing();
            config.Settings.Registrar.RegisterInstance(context);
            AddVerbs(config);
        });
        try
        {
            // No verb at all is a usage error, answered with the help text.
            if (args.Length == 0)
            {
                app.Run(["--help"]);
                return ExitCodes.UsageError;
            }
            return app.Run(args);
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            stderr.WriteLine("error: " + OneLine(message));
            // Internal errors are bugs: a developer can ask for the full trace.
            if (code == ExitCodes.InternalError && Environment.GetEnvironmentVariable("CONFORMANCE_DEBUG") == "1")
                stderr.WriteLine(e.ToString());
            return code;
        }
        finally
        {
            stdout.Flush();
            stderr.Flush();
        }
    }

    /// <summary>
    /// Registers the verbs. A new verb is a <c>Command&lt;TSettings&gt;</c> taking a
    /// <see cref="CliContext"/> in its constructor (settings deriving from
    /// <see cref="BackendSettings"/> get --backend and --backend-assembly), added here; it reports
    /// user errors by throwing <see cref="Conformance.Reference.OpArgumentException"/>.
    /// </summary>
    private static void AddVerbs(IConfigurator config)
    {
        config.AddCommand<OpsCommand>("ops")
            .WithDescription("List the catalogued operations (inputs, outputs, attributes, spec page).")
            .WithExample("ops")
            .WithExample("ops", "--json");
        config.AddCommand<EvalCommand>("eval")
            .WithDescription("Evaluate one op on .npy inputs with a backend and write its outputs as .npy files.")
            .WithExample("eval", "conv1d", "--in", "x=x.npy", "--in", "w=w.npy", "--attr", "padding=full", "--attr", "reversal=true", "--out", "y=y.npy")
            .WithExample("eval", "conv2d_layer_backward", "--backend", "torchsharp", "--in", "x=x.npy", "--in", "w=w.npy", "--in", "dy=dy.npy",
                "--attr", "strides=2", "--out", "dx=dx.npy", "--out", "dw=dw.npy");
        config.AddCommand<CasesCommand>("cases")
            .WithDescription("List the case ids a mode runs, with shapes and attributes (filter with --op, --group, --case).")
            .WithExample("cases", "--op", "conv2d_layer", "--group", "edge")
            .WithExample("cases", "--case", "max_pool2d/*", "--json");
        config.AddCommand<CompareCommand>("compare")
            .WithDescription("Judge outputs your own implementation computed (as .npy) against the reference under the bound of its precision (exit 1 outside it).")
            .WithExample("compare", "conv2d_layer", "--in", "x=x.npy", "--in", "w=w.npy", "--actual", "y=my_y.npy", "--attr", "padding=same")
            .WithExample("compare", "softmax", "--in", "x=x.npy", "--actual", "y=y.npy", "--precision", "tf32");
        config.AddCommand<CheckCommand>("check")
            .WithDescription("Run the case catalogue on backends and print the backend × op scoreboard (exit 1 if anything failed).")
            .WithExample("check", "--backend", "all", "--json", "score.json", "--markdown", "score.md")
            .WithExample("check", "--backend", "mine", "--backend-assembly", "MyBackend.dll", "--mode", "quick")
            .WithExample("check", "--backend", "torchsharp", "--case", "conv2d_layer/edge/*");
        config.AddCommand<GradcheckCommand>("gradcheck")
            .WithDescription("Check a backend's backward ops numerically and against the reference (exit 1 if anything failed).")
            .WithExample("gradcheck", "--backend", "torchsharp")
            .WithExample("gradcheck", "--backend", "reference", "--op", "conv2d_layer", "--seed", "3");
        config.AddCommand<MutantsCommand>("mutants")
            .WithDescription("Run the case catalogue against the catalogue of wrong backends and print which cases kill which (exit 1 if one survives).")
            .WithExample("mutants", "--mode", "quick")
            .WithExample("mutants", "--json", "kills.json");
        config.AddBranch("vgg16", vgg16 =>
        {
            vgg16.SetDescription("Run VGG16 (Keras' architecture) on a backend: predict classes, write layer outputs, draw feature maps and filters.");
            vgg16.AddCommand<Vgg16PredictCommand>("predict")
                .WithDescription("Print the top-k classes and probabilities of each image (default backend: reference, about 10 s per image on 2 cores).")
                .WithExample("vgg16", "predict", "procedural:0", "procedural:1")
                .WithExample("vgg16", "predict", "cat.jpg", "--backend", "torchsharp", "--weights", "vgg16_weights_tf_dim_ordering_tf_kernels.h5", "--labels", "imagenet_class_index.json", "--top", "5");
            vgg16.AddCommand<Vgg16RunCommand>("run")
                .WithDescription("Write chosen layers' outputs (NHWC with the batch axis, float64) as DIR/<layer>.npy.")
                .WithExample("vgg16", "run", "procedural:0", "--layers", "block4_conv2,fc1", "--out", "outputs");
            vgg16.AddCommand<Vgg16FeaturesCommand>("features")
                .WithDescription("Draw a layer's feature maps (grey tiles) or, with --filters, block1_conv1's filters (colour tiles) as a PNG.")
                .WithExample("vgg16", "features", "procedural:0", "--layer", "block1_conv2", "--out", "block1_conv2.png")
                .WithExample("vgg16", "features", "--filters", "--out", "filters.png");
            vgg16.AddCommand<Vgg16SummaryCommand>("summary")
                .WithDescription("Print VGG16's layers as Keras' model.summary() does: layer (type), output shape, parameters, totals.");
        });
        config.AddCommand<BenchCommand>("bench")
            .WithDescription("Measure the machine's peak and every backend on VGG16's layers, VGG16 forward and AlexNet/VGG16 training steps; write the report (Markdown, JSON, charts).")
            .WithExample("bench", "--quick")
            .WithExample("bench", "--quick", "--compare");
        config.AddBranch("golden", golden =>
        {
            golden.SetDescription("The VGG16 golden files in golden/: regenerate them from the reference, or verify them.");
            golden.AddCommand<GoldenRegenerateCommand>("regenerate")
                .WithDescription("Recompute every golden with the reference (about a minute); refuses to replace changed values without --force.")
                .WithExample("golden", "regenerate");
            golden.AddCommand<GoldenVerifyCommand>("verify")
                .WithDescription("Check every golden file's SHA-256, then recompute them with the reference and require identical values.")
                .WithExample("golden", "verify");
            golden.AddCommand<GoldenCheckCommand>("check")
                .WithDescription("Run VGG16 forward and a training step on a backend and judge every layer against the goldens (exit 1 on failure).")
                .WithExample("golden", "check", "--backend", "torchsharp");
        });
    }

    /// <summary>The exit code and message for a failure; user errors get their own message alone.</summary>
    internal static (int Code, string Message) Describe(Exception e) => e switch
    {
        CommandConfigurationException => (ExitCodes.InternalError, $"internal error ({e.GetType().Name}): {e.Message}"),
        CommandAppException => (ExitCodes.UsageError, e.Message),
        CallUnsupportedException or BackendUnavailableException or NotSupportedException => (ExitCodes.Unsupported, e.Message),
        ArgumentException or IOException or UnauthorizedAccessException or FormatException or InvalidDataException
            => (ExitCodes.UsageError, e.Message),
        _ => (ExitCodes.InternalError, $"internal error ({e.GetType().Name}): {e.Message}"),
    };

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static IAnsiConsole CreateConsole(TextWriter stdout, bool isProcessConsole)
    {
        bool terminal = isProcessConsole && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Redirected output has no width of its own: 100 columns, which every table is designed to fit
        // (a cell that would not is wrapped, never cut).
        if (!terminal) console.Profile.Width = 100;
        return console;
    }
}

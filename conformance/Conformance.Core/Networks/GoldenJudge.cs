using System.Globalization;
using Conformance.Core.Backends;
using Conformance.Core.Numerics;
using Conformance.Reference;

namespace Conformance.Core.Networks;

/// <summary>A backend's network run judged against the goldens and by the chained check.</summary>
/// <param name="Backend">The backend's name.</param>
/// <param name="Run">What ran, e.g. "stripes forward" or "training step (stripes, label 281)".</param>
/// <param name="Golden">Each step's statistics, sampled values and full tensors against the goldens, under the network tolerance.</param>
/// <param name="Chained">Each step against the reference op on the backend's own inputs, under the op's bound.</param>
/// <param name="Top5Problem">Why the top-5 classes differ from the golden's, or null (also null for a training step).</param>
public sealed record NetworkVerdict(string Backend, string Run, IReadOnlyList<StepVerdict> Golden, IReadOnlyList<StepVerdict> Chained, string? Top5Problem)
{
    /// <summary>True when every step passed both checks and the top-5 matched.</summary>
    public bool Passed => Top5Problem == null && Golden.All(v => v.Passed) && Chained.All(v => v.Passed);

    /// <summary>The verdict in a few lines: the first step that failed each check, with its worst value.</summary>
    public string Describe()
    {
        if (Passed)
            return string.Create(CultureInfo.InvariantCulture,
                $"{Backend}, {Run}: passed ({Golden.Count} steps; largest error/tolerance against the goldens {Golden.Max(v => v.MaxRatio):G3}, chained {Chained.Max(v => v.MaxRatio):G3})");
        var lines = new List<string> { $"{Backend}, {Run}: FAILED" };
        if (Chained.FirstOrDefault(v => !v.Passed) is { } c)
            lines.Add($"  first layer wrong on its own inputs (chained check): {c.Step}: {c.Detail}");
        if (Golden.FirstOrDefault(v => !v.Passed) is { } g)
            lines.Add($"  first layer whose statistics leave the network tolerance: {g.Step}: {g.Detail}");
        if (Top5Problem != null) lines.Add("  " + Top5Problem);
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Compares a backend's VGG16 run with the goldens (spec/numerics.md, "Networks").</summary>
public static class GoldenJudge
{
    /// <summary>Judges the forward steps of image <paramref name="image"/>.</summary>
    public static NetworkVerdict Forward(string backend, GoldenManifest manifest, IReadOnlyDictionary<string, Tensor> files,
        int image, IReadOnlyList<StepResult> steps, Func<string, PrecisionClass> precisionOf)
    {
        string dir = Vgg16Golden.ImageFolder(image);
        var table = new Table(manifest.ForwardSteps, files, dir);
        var full = FullForward(dir, steps);
        var tolerance = NetworkTolerance.Propagate(steps, table.L2, precisionOf, Measured(steps, full, files));
        var golden = steps.Select(s => table.Judge(s, tolerance[s.Name], full.GetValueOrDefault(s.Name))).ToList();
        var chained = steps.Select(s => ChainedCheck.Judge(s, table.Positions(s.Name), precisionOf(s.Call.Op))).ToList();
        int[] expected = files[$"{dir}/top5.npy"].Data.Select(v => (int)v).ToArray();
        int[] actual = Vgg16Golden.TopK(Vgg16Golden.Step(steps, "predictions/softmax").Value, 5);
        string? top5 = expected.SequenceEqual(actual) ? null
            : $"top-5 classes [{string.Join(", ", actual)}] where the golden has [{string.Join(", ", expected)}]";
        return new(backend, $"{Vgg16Images.Names[image]} forward", golden, chained, top5);
    }

    /// <summary>The network tolerance E of every forward step of image <paramref name="image"/>, with the goldens' restart points.</summary>
    public static IReadOnlyDictionary<string, double> Tolerances(GoldenManifest manifest, IReadOnlyDictionary<string, Tensor> files,
        int image, IReadOnlyList<StepResult> steps, Func<string, PrecisionClass> precisionOf)
    {
        string dir = Vgg16Golden.ImageFolder(image);
        var full = FullForward(dir, steps);
        return NetworkTolerance.Propagate(steps, new Table(manifest.ForwardSteps, files, dir).L2, precisionOf, Measured(steps, full, files));
    }

    private static Dictionary<string, string> FullForward(string dir, IReadOnlyList<StepResult> steps)
    {
        var full = new Dictionary<string, string>
        {
            ["predictions/softmax"] = $"{dir}/predictions.npy", ["predictions/dense"] = $"{dir}/logits.npy",
        };
        foreach (string layer in Vgg16Golden.FullLayers) full[steps.Last(s => s.Layer == layer).Name] = $"{dir}/{layer}.npy";
        return full;
    }

    /// <summary>Judges a training step, given the same backend's forward steps of the training image.</summary>
    public static NetworkVerdict Training(string backend, GoldenManifest manifest, IReadOnlyDictionary<string, Tensor> files,
        IReadOnlyList<StepResult> forward, IReadOnlyList<StepResult> training, Func<string, PrecisionClass> precisionOf)
    {
        var forwardTable = new Table(manifest.ForwardSteps, files, Vgg16Golden.ImageFolder(Vgg16Golden.TrainingImage));
        var table = new Table(manifest.TrainingSteps, files, Vgg16Golden.TrainingFolder);
        var l2 = forwardTable.L2.Concat(table.L2).ToDictionary(kv => kv.Key, kv => kv.Value);
        string dir = Vgg16Golden.TrainingFolder, image = Vgg16Golden.ImageFolder(Vgg16Golden.TrainingImage);
        var full = FullForward(image, forward);
        full["loss/softmax_cross_entropy"] = $"{dir}/loss.npy";
        full["loss/softmax_cross_entropy_backward"] = $"{dir}/dlogits.npy";
        foreach (var s in training.Where(s => s.Output == "db")) full[s.Name] = $"{dir}/db_{s.Layer}.npy";
        var all = forward.Concat(training).ToList();
        var tolerance = NetworkTolerance.Propagate(all, l2, precisionOf, Measured(all, full, files));
        var golden = training.Select(s => table.Judge(s, tolerance[s.Name], full.GetValueOrDefault(s.Name))).ToList();
        var chained = training.Select(s => ChainedCheck.Judge(s, table.Positions(s.Name), precisionOf(s.Call.Op))).ToList();
        return new(backend, $"training step ({Vgg16Images.Names[Vgg16Golden.TrainingImage]}, label {Vgg16Golden.TrainingLabel})", golden, chained, null);
    }

    /// <summary>‖actual − golden‖ for every step whose golden is kept in full (NaN on a shape mismatch).</summary>
    private static Dictionary<string, double> Measured(IReadOnlyList<StepResult> steps, Dictionary<string, string> full,
        IReadOnlyDictionary<string, Tensor> files)
    {
        var measured = new Dictionary<string, double>();
        foreach (var s in steps)
        {
            if (!full.TryGetValue(s.Name, out var path)) continue;
            var golden = files[path];
            if (!golden.Shape.SequenceEqual(s.Value.Shape)) { measured[s.Name] = double.NaN; continue; }
            double sum = 0;
            for (int i = 0; i < golden.Length; i++) sum += (s.Value.Data[i] - golden.Data[i]) * (s.Value.Data[i] - golden.Data[i]);
            measured[s.Name] = Math.Sqrt(sum);
        }
        return measured;
    }

    /// <summary>One golden folder's stats, samples and positions, by step name.</summary>
    private sealed class Table
    {
        private readonly Dictionary<string, int> _rows;
        private readonly Tensor _stats, _samples, _positions;
        private readonly IReadOnlyDictionary<string, Tensor> _files;

        public Table(string[] steps, IReadOnlyDictionary<string, Tensor> files, string dir)
        {
            _rows = steps.Select((name, i) => (name, i)).ToDictionary(t => t.name, t => t.i);
            _stats = files[$"{dir}/stats.npy"];
            _samples = files[$"{dir}/samples.npy"];
            _positions = files[$"{dir}/positions.npy"];
            _files = files;
            L2 = _rows.ToDictionary(kv => kv.Key, kv => _stats[kv.Value, 4]);
        }

        /// <summary>The golden L2 norm of every step.</summary>
        public Dictionary<string, double> L2 { get; }

        public long[] Positions(string step) =>
            Enumerable.Range(0, _positions.Shape[1]).Select(j => (long)_positions[Row(step), j]).ToArray();

        private int Row(string step) => _rows.TryGetValue(step, out int row) ? row
            : throw new OpArgumentException("golden", $"a row for step {step} in the golden tables", "none (regenerate the goldens)");

        /// <summary>
        /// Compares a step's statistics, sampled values and (when kept) full tensor with the golden.
        /// From ‖e‖ ≤ E: |Δmean|, |Δstd| ≤ E/√N; |ΔL2| ≤ E; |Δmin|, |Δmax| and every |Δvalue| ≤ E.
        /// </summary>
        public StepVerdict Judge(StepResult s, double e, string? fullFile)
        {
            int row = Row(s.Name);
            var checks = new List<(string What, double Expected, double Actual, double Tolerance)>();
            var golden = TensorStats.FromArray(_stats.Data.AsSpan(row * TensorStats.Names.Count, TensorStats.Names.Count));
            var actual = TensorStats.Of(s.Value);
            double perElement = e / Math.Sqrt(Math.Max(1, s.Value.Length));
            checks.Add(("mean", golden.Mean, actual.Mean, perElement));
            checks.Add(("std", golden.Std, actual.Std, perElement));
            checks.Add(("min", golden.Min, actual.Min, e));
            checks.Add(("max", golden.Max, actual.Max, e));
            checks.Add(("L2 norm", golden.L2, actual.L2, e));
            for (int j = 0; j < _positions.Shape[1]; j++)
            {
                long at = (long)_positions[row, j];
                double value = at < s.Value.Length ? s.Value.Data[at] : double.NaN;
                checks.Add(($"value at {Tensor.Format(s.Value.IndexOf((int)Math.Min(at, s.Value.Length - 1)))}", _samples[row, j], value, e));
            }
            if (fullFile != null)
            {
                var full = _files[fullFile];
                if (!full.Shape.SequenceEqual(s.Value.Shape))
                    return new(s.Name, false, double.PositiveInfinity, $"shape {Tensor.Format(s.Value.Shape)} where {fullFile} has {Tensor.Format(full.Shape)}");
                // Every element is judged; only the worst is described (block4_conv2 has 401,408).
                double deviation = 0, worstRatio = -1;
                int worstElement = 0;
                for (int i = 0; i < full.Length; i++)
                {
                    double ratio = Comparison.Ratio(full.Data[i], s.Value.Data[i], e + 1e-12 * Math.Abs(full.Data[i]));
                    if (ratio > worstRatio) (worstRatio, worstElement) = (ratio, i);
                    deviation += (s.Value.Data[i] - full.Data[i]) * (s.Value.Data[i] - full.Data[i]);
                }
                checks.Add(($"{Path.GetFileName(fullFile)}{Tensor.Format(full.IndexOf(worstElement))}", full.Data[worstElement], s.Value.Data[worstElement], e));
                checks.Add(($"‖actual − {Path.GetFileName(fullFile)}‖", 0, Math.Sqrt(deviation), e));
            }
            var worst = checks.Select(c => (c, Ratio: Comparison.Ratio(c.Expected, c.Actual, c.Tolerance + 1e-12 * Math.Abs(c.Expected))))
                .MaxBy(t => t.Ratio);
            string detail = string.Create(CultureInfo.InvariantCulture,
                $"{worst.c.What}: golden {worst.c.Expected:R}, actual {worst.c.Actual:R}, tolerance {worst.c.Tolerance:G3} (network error bound E = {e:G3})");
            return new(s.Name, worst.Ratio <= 1, worst.Ratio, detail);
        }
    }
}

using Conformance.Reference;

namespace Conformance.Core.Cases;

/// <summary>
/// The case catalogue: the lecture's examples, VGG16's layer shapes, edge cases, seeded
/// random cases and the special values (NaN, ±∞), for every op. Backward cases are derived from the forward ones so that both
/// passes see the same shapes. Groups listed in <see cref="SlowGroups"/> run only when asked.
/// </summary>
public static partial class CaseCatalog
{
    /// <summary>Groups left out of the default run (full-size VGG16 layers take minutes on 2 cores).</summary>
    public static readonly IReadOnlySet<string> SlowGroups = new HashSet<string> { "vgg16-full" };

    private static readonly Lazy<IReadOnlyList<ConformanceCase>> AllCases = new(Build);

    /// <summary>Every case, slow groups included, in catalogue order.</summary>
    public static IReadOnlyList<ConformanceCase> All => AllCases.Value;

    /// <summary>The cases of the default run, or every case when <paramref name="thorough"/>.</summary>
    public static IEnumerable<ConformanceCase> Select(bool thorough = false) =>
        All.Where(c => thorough || !SlowGroups.Contains(c.Group));

    /// <summary>Finds a case by id.</summary>
    public static ConformanceCase Get(string id) =>
        All.FirstOrDefault(c => c.Id == id) ?? throw new OpArgumentException("case", "a catalogued case id", $"'{id}'");

    private static List<ConformanceCase> Build()
    {
        var list = new List<ConformanceCase>();
        Lecture(list);
        Vgg16(list);
        Edge(list);
        Random(list);
        Special(list);
        var duplicate = list.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new InvalidOperationException($"duplicate case id {duplicate.Key}");
        return list;
    }

    private static OpAttributes Attrs(string padding = "valid", bool reversal = false, Pair? strides = null,
        Pair? dilation = null, int groups = 1, Pair? pool = null) => new()
    {
        Padding = Padding.Parse(padding), Reversal = reversal, Strides = strides,
        Dilation = dilation ?? Pair.Of(1), Groups = groups, Pool = pool,
    };

    /// <summary>Adds a conv2d_layer case and its conv2d_layer_backward twin.</summary>
    private static void Layer(List<ConformanceCase> list, string group, string name, int[] x, int[] w, bool bias,
        OpAttributes a, DataKind data = DataKind.Uniform, bool backward = true, Dictionary<string, Tensor>? fixedData = null)
    {
        var shapes = new Dictionary<string, int[]> { ["x"] = x, ["w"] = w };
        if (bias) shapes["b"] = [w[3]];
        list.Add(new ConformanceCase($"conv2d_layer/{group}/{name}", "conv2d_layer", group, shapes, a, data, fixedData));
        if (!backward) return;
        int[] y = LayerGeometry.Of(Tensor.Zeros(x), Tensor.Zeros(w), null, a).OutputShape;
        list.Add(new ConformanceCase($"conv2d_layer_backward/{group}/{name}", "conv2d_layer_backward", group,
            new Dictionary<string, int[]> { ["x"] = x, ["w"] = w, ["dy"] = y }, a, data, fixedData));
    }

    /// <summary>Adds max_pool2d and avg_pool2d cases and their backward twins.</summary>
    private static void Pools(List<ConformanceCase> list, string group, string name, int[] x, OpAttributes a,
        DataKind data = DataKind.Uniform)
    {
        int[] y = PoolGeometry.Of(Tensor.Zeros(x), a).OutputShape;
        foreach (string op in new[] { "max_pool2d", "avg_pool2d" })
        {
            list.Add(new ConformanceCase($"{op}/{group}/{name}", op, group, new Dictionary<string, int[]> { ["x"] = x }, a, data));
            list.Add(new ConformanceCase($"{op}_backward/{group}/{name}", op + "_backward", group,
                new Dictionary<string, int[]> { ["x"] = x, ["dy"] = y }, a, data));
        }
    }

    /// <summary>Adds a dense case and its dense_backward twin.</summary>
    private static void DenseCase(List<ConformanceCase> list, string group, string name, int batch, int nin, int nout,
        bool bias, DataKind data = DataKind.Uniform)
    {
        var shapes = new Dictionary<string, int[]> { ["x"] = [batch, nin], ["w"] = [nin, nout] };
        if (bias) shapes["b"] = [nout];
        list.Add(new ConformanceCase($"dense/{group}/{name}", "dense", group, shapes, OpAttributes.Default, data));
        list.Add(new ConformanceCase($"dense_backward/{group}/{name}", "dense_backward", group,
            new Dictionary<string, int[]> { ["x"] = [batch, nin], ["w"] = [nin, nout], ["dy"] = [batch, nout] },
            OpAttributes.Default, data));
    }

    /// <summary>Adds relu and relu_backward cases.</summary>
    private static void ReluCase(List<ConformanceCase> list, string group, string name, int[] x, DataKind data = DataKind.Uniform)
    {
        list.Add(new ConformanceCase($"relu/{group}/{name}", "relu", group, new Dictionary<string, int[]> { ["x"] = x },
            OpAttributes.Default, data));
        list.Add(new ConformanceCase($"relu_backward/{group}/{name}", "relu_backward", group,
            new Dictionary<string, int[]> { ["x"] = x, ["dy"] = x }, OpAttributes.Default, data));
    }

    /// <summary>Adds softmax, softmax_cross_entropy and its backward on logits x[B,C].</summary>
    private static void SoftmaxCases(List<ConformanceCase> list, string group, string name, int batch, int classes,
        DataKind data = DataKind.Uniform, bool withUpstream = false)
    {
        var logits = new Dictionary<string, int[]> { ["x"] = [batch, classes] };
        list.Add(new ConformanceCase($"softmax/{group}/{name}", "softmax", group, logits, OpAttributes.Default, data));
        var ce = new Dictionary<string, int[]> { ["x"] = [batch, classes], ["labels"] = [batch] };
        list.Add(new ConformanceCase($"softmax_cross_entropy/{group}/{name}", "softmax_cross_entropy", group, ce,
            OpAttributes.Default, data));
        var bw = new Dictionary<string, int[]>(ce);
        if (withUpstream) bw["dy"] = [];
        list.Add(new ConformanceCase($"softmax_cross_entropy_backward/{group}/{name}", "softmax_cross_entropy_backward",
            group, bw, OpAttributes.Default, data));
    }

    private static void Single(List<ConformanceCase> list, string op, string group, string name,
        Dictionary<string, int[]> shapes, OpAttributes a, DataKind data = DataKind.Uniform, Dictionary<string, Tensor>? fixedData = null) =>
        list.Add(new ConformanceCase($"{op}/{group}/{name}", op, group, shapes, a, data, fixedData));
}

using System.Text.Json;
using Conformance.Cli;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Cli;

public sealed class OpsCommandTests
{
    [Fact]
    public void JsonListsEveryCatalogueOpWithStableFields()
    {
        var r = CliTestKit.Run("ops", "--json");
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("schema").GetInt32());
        var ops = doc.RootElement.GetProperty("ops").EnumerateArray().ToList();
        Assert.Equal(16, ops.Count);
        Assert.Equal(OpCatalog.All.Select(o => o.Name), ops.Select(o => o.GetProperty("name").GetString()));

        var backward = ops.Single(o => o.GetProperty("name").GetString() == "conv2d_layer_backward");
        Assert.Equal(["x", "w", "dy"], Strings(backward, "inputs"));
        Assert.Equal(["dx", "dw", "db"], Strings(backward, "outputs"));
        Assert.Equal(["padding", "reversal", "strides", "dilation", "groups"], Strings(backward, "attributes"));
        Assert.Equal("conv2d_layer", backward.GetProperty("forward").GetString());
        Assert.Equal(JsonValueKind.Null, backward.GetProperty("backward").ValueKind);
        Assert.Equal("linear", backward.GetProperty("kind").GetString());
        Assert.Equal("spec/layers.md", backward.GetProperty("spec_page").GetString());

        var dense = ops.Single(o => o.GetProperty("name").GetString() == "dense");
        Assert.Equal(["b"], Strings(dense, "optional_inputs"));
        var ce = ops.Single(o => o.GetProperty("name").GetString() == "softmax_cross_entropy");
        Assert.Equal("cross_entropy", ce.GetProperty("kind").GetString());
    }

    [Fact]
    public void TableHasARowPerOp()
    {
        var r = CliTestKit.Run("ops");
        Assert.Equal((ExitCodes.Success, ""), (r.ExitCode, r.Error));
        var lines = r.Out.Split('\n');
        foreach (var op in OpCatalog.All)
            Assert.Single(lines, l => l.TrimStart().StartsWith(op.Name + " "));
        int layers = Array.FindIndex(lines, l => l.Trim() == "layers.md");
        Assert.True(layers >= 0, r.Out);
        Assert.Contains("conv2d_layer ", lines[layers + 1]);
        Assert.Contains("x,w,[b] → y", lines[layers + 1]);
        Assert.Contains("groups", lines[layers + 1]);
        Assert.All(lines, l => Assert.InRange(l.TrimEnd('\r').Length, 0, 100));
    }

    [Fact]
    public void UnknownOptionIsOneLineError()
    {
        var r = CliTestKit.Run("ops", "--yaml");
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.Contains("yaml", Assert.Single(r.ErrorLines));
        Assert.Equal("", r.Out);
    }

    private static string[] Strings(JsonElement e, string name) =>
        e.GetProperty(name).EnumerateArray().Select(v => v.GetString() ?? "").ToArray();

    [Fact]
    public void NoVerbPrintsHelpAndIsAUsageError()
    {
        var r = CliTestKit.Run();
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.Contains("eval <OP>", r.Out);
        Assert.Contains("ops", r.Out);
    }
}

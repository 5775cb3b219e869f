using Conformance.Core.Backends;
using Conformance.Core.Harness;
using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Harness;

/// <summary>Limits derived from a call's size, and the values CONFORMANCE_CASE_TIMEOUT and --case-timeout take.</summary>
public sealed class CallLimitsTests
{
    private static OpCall Layer(int batch, int side, int cin, int cout) => new("conv2d_layer", new Dictionary<string, Tensor>
    {
        ["x"] = Tensor.Zeros(batch, side, side, cin),
        ["w"] = Tensor.Zeros(3, 3, cin, cout),
    }, OpAttributes.Default);

    private static TimeSpan Derived(OpCall call) => CallLimits.Derived.For(call)!.Duration;

    [Fact]
    public void BiggerCallsGetLongerLimitsAndTheFloorHolds()
    {
        // valid padding: 62×62 outputs × 32 channels, each a sum of 3·3·16 products: 2 operations per
        // term, plus 100 per output element (a thread each on a GPU backend).
        var layer = Layer(1, 64, 16, 32);
        Assert.Equal(62.0 * 62 * 32 * (2 * 3 * 3 * 16 + 100), CallLimits.Operations(layer));
        var relu = new OpCall("relu", new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(2, 3) }, OpAttributes.Default);
        // Floor of 30 s, plus the size at 5 M operations per second.
        Assert.InRange(Derived(relu).TotalSeconds, 30, 30.001);
        Assert.Equal(30 + CallLimits.Operations(layer) / 5e6, Derived(layer).TotalSeconds, 3);
        Assert.True(Derived(Layer(4, 64, 16, 32)) > Derived(layer));
        Assert.True(Derived(Layer(1, 224, 64, 64)) > Derived(Layer(4, 64, 16, 32)));
        // VGG16's 224×224×64→64 layer (valid padding here): about 3.9e9 operations, 13 minutes at the slow rate.
        Assert.InRange(Derived(Layer(1, 224, 64, 64)).TotalSeconds, 780, 860);

        // The backward: dx, dw and db, each with its own number of terms.
        var backward = new OpCall("conv2d_layer_backward", new Dictionary<string, Tensor>(layer.Inputs) { ["dy"] = Tensor.Zeros(1, 62, 62, 32) },
            OpAttributes.Default);
        Assert.Equal(64.0 * 64 * 16 * (2 * 32 * 9 + 100) + 3 * 3 * 16 * 32 * (2 * 62 * 62 + 100) + 32 * (2 * 62 * 62 + 100),
            CallLimits.Operations(backward));
        // Many elements of one term each still get time for one thread each: dense_backward of VGG16's fc1.
        var fc1 = new OpCall("dense_backward", new Dictionary<string, Tensor>
        {
            ["x"] = Tensor.Zeros(1, 25088), ["w"] = Tensor.Zeros(25088, 4096), ["dy"] = Tensor.Zeros(1, 4096),
        }, OpAttributes.Default);
        Assert.True(Derived(fc1).TotalSeconds > 500, $"{Derived(fc1).TotalSeconds} s");
        var softmax = new OpCall("softmax", new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(4, 1000) }, OpAttributes.Default);
        Assert.True(CallLimits.Operations(softmax) >= 4 * 1000 * 1000);
        // A malformed call still gets a limit (the backend will report what is wrong with it).
        var malformed = new OpCall("conv2d_layer", new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(3) }, OpAttributes.Default);
        Assert.InRange(Derived(malformed).TotalSeconds, 30, 31);
    }

    [Fact]
    public void FixedAndOffLimitsIgnoreTheSize()
    {
        var big = Layer(1, 224, 64, 64);
        var limit = CallLimits.Parse("2.5", "--case-timeout").For(big)!;
        Assert.Equal(TimeSpan.FromSeconds(2.5), limit.Duration);
        Assert.Equal("exceeded its time limit of 2.5 s (set by --case-timeout 2.5; set CONFORMANCE_CASE_TIMEOUT or --case-timeout to change it)",
            limit.ExceededMessage());
        Assert.Equal(TimeSpan.FromSeconds(7), CallLimits.FromVariable(" 7 ").For(big)!.Duration);
        Assert.StartsWith("exceeded its time limit of 7 s (set by CONFORMANCE_CASE_TIMEOUT=7;", CallLimits.FromVariable("7").For(big)!.ExceededMessage());
        Assert.StartsWith("exceeded its time limit of 820 s (derived from 3.9e9 operations;", CallLimits.Derived.For(big)!.ExceededMessage());
        Assert.Null(CallLimits.Off.For(big));
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData(" OFF ", false)]
    [InlineData("0.0", false)]
    [InlineData("1", true)]
    [InlineData("1e3", true)]
    public void ValuesOfTheOptionAndVariable(string text, bool enabled)
    {
        Assert.Equal(enabled, CallLimits.Parse(text, "--case-timeout").Enabled);
        Assert.Equal(enabled, CallLimits.FromVariable(text).Enabled);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("10s")]
    public void BadValuesAreOneErrorNamingTheOptionOrVariable(string text)
    {
        const string expected = "expected a positive number of seconds, or 0 or off to turn the limits off";
        var option = Assert.Throws<OpArgumentException>(() => CallLimits.Parse(text, "--case-timeout"));
        Assert.Equal($"argument '--case-timeout': {expected}, got '{text}'", option.Message);
        var variable = Assert.Throws<ArgumentException>(() => CallLimits.FromVariable(text));
        Assert.Equal($"environment variable CONFORMANCE_CASE_TIMEOUT: {expected}, got '{text}'", variable.Message);
    }

    [Fact]
    public void UnsetOrBlankVariableMeansDerivedLimits()
    {
        Assert.Same(CallLimits.Derived, CallLimits.FromVariable(null));
        Assert.Same(CallLimits.Derived, CallLimits.FromVariable("  "));
        using (CallLimits.Use(CallLimits.Off)) Assert.Same(CallLimits.Off, CallLimits.Current);
    }
}

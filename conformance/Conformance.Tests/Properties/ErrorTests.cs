using Conformance.Reference;
using Xunit;

namespace Conformance.Tests.Properties;

/// <summary>Every bad input gets one OpArgumentException that names the argument, what was expected and what was given.</summary>
public class ErrorTests
{
    private static Tensor Z(params int[] shape) => Tensor.Zeros(shape);

    private static OpAttributes A(Padding? p = null, Pair? s = null, Pair? d = null, int groups = 1, Pair? pool = null) =>
        new() { Padding = p ?? Padding.Valid, Strides = s, Dilation = d ?? Pair.Of(1), Groups = groups, Pool = pool };

    private static readonly Dictionary<string, Action> Cases = new()
    {
        ["conv1d output < 1"] = () => Ref.One("conv1d", A(), ("x", Z(2)), ("w", Z(5))),
        ["conv2d output < 1"] = () => Ref.One("conv2d", A(), ("x", Z(2, 5)), ("w", Z(3, 3))),
        ["conv2d dilated window too big"] = () => Ref.One("conv2d", A(d: new Pair(1, 3)), ("x", Z(5, 5)), ("w", Z(2, 3))),
        ["layer output < 1"] = () => Ref.Layer(Z(1, 4, 2, 1), Z(3, 3, 1, 1), null, A()),
        ["layer channel mismatch"] = () => Ref.Layer(Z(1, 4, 4, 3), Z(3, 3, 2, 4), null, A()),
        ["layer groups do not divide Cin"] = () => Ref.Layer(Z(1, 4, 4, 3), Z(1, 1, 1, 2), null, A(groups: 2)),
        ["layer groups do not divide Cout"] = () => Ref.Layer(Z(1, 4, 4, 4), Z(1, 1, 2, 3), null, A(groups: 2)),
        ["layer groups zero"] = () => Ref.Layer(Z(1, 4, 4, 4), Z(1, 1, 2, 3), null, A(groups: 0)),
        ["layer bias shape"] = () => Ref.Layer(Z(1, 4, 4, 2), Z(1, 1, 2, 3), Z(2), A()),
        ["layer x rank"] = () => Ref.Layer(Z(4, 4, 2), Z(1, 1, 2, 3), null, A()),
        ["layer zero stride"] = () => Ref.Layer(Z(1, 4, 4, 2), Z(1, 1, 2, 3), null, A(s: new Pair(0, 1))),
        ["conv2d negative stride"] = () => Ref.One("conv2d", A(s: new Pair(1, -2)), ("x", Z(4, 4)), ("w", Z(2, 2))),
        ["conv1d zero stride"] = () => Ref.One("conv1d", A(s: new Pair(1, 0)), ("x", Z(4)), ("w", Z(2))),
        ["layer zero dilation"] = () => Ref.Layer(Z(1, 4, 4, 2), Z(1, 1, 2, 3), null, A(d: new Pair(1, 0))),
        ["conv2d negative dilation"] = () => Ref.One("conv2d", A(d: new Pair(-1, 1)), ("x", Z(4, 4)), ("w", Z(2, 2))),
        ["layer negative explicit padding"] = () => Ref.Layer(Z(1, 4, 4, 1), Z(2, 2, 1, 1), null, A(p: Padding.Explicit(0, 0, -1, 0))),
        ["conv2d negative explicit padding"] = () => Ref.One("conv2d", A(p: Padding.Explicit(-1, 0, 0, 0)), ("x", Z(4, 4)), ("w", Z(2, 2))),
        ["conv1d negative explicit padding"] = () => Ref.One("conv1d", A(p: Padding.Explicit(0, 0, 0, -2)), ("x", Z(5)), ("w", Z(2))),
        ["parse negative padding"] = () => Padding.Parse("1,-1,0,0"),
        ["parse unknown padding"] = () => Padding.Parse("circular"),
        ["backward dy shape"] = () => Ref.LayerBackward(Z(1, 4, 4, 1), Z(2, 2, 1, 1), Z(1, 4, 4, 1), A()),
        ["relu_backward dy shape"] = () => Ref.One("relu_backward", A(), ("x", Z(2, 3)), ("dy", Z(3, 2))),
        ["pool missing"] = () => Ref.One("max_pool2d", A(), ("x", Z(1, 4, 4, 1))),
        ["pool full padding"] = () => Ref.One("avg_pool2d", A(p: Padding.Full, pool: Pair.Of(2)), ("x", Z(1, 4, 4, 1))),
        ["pool window larger than input"] = () => Ref.One("max_pool2d", A(pool: new Pair(2, 5)), ("x", Z(1, 4, 4, 1))),
        ["pool zero stride"] = () => Ref.One("avg_pool2d", A(pool: Pair.Of(2), s: new Pair(0, 2)), ("x", Z(1, 4, 4, 1))),
        ["max_pool2d_backward dy shape"] = () => Ref.One("max_pool2d_backward", A(pool: Pair.Of(2)), ("x", Z(1, 4, 4, 1)), ("dy", Z(1, 2, 2, 2))),
        ["avg_pool2d_backward dy shape"] = () => Ref.One("avg_pool2d_backward", A(pool: Pair.Of(2)), ("x", Z(1, 4, 4, 1)), ("dy", Z(1, 3, 2, 1))),
        ["dense Nin mismatch"] = () => Ref.One("dense", A(), ("x", Z(2, 3)), ("w", Z(4, 2))),
        ["dense bias shape"] = () => Ref.One("dense", A(), ("x", Z(2, 3)), ("w", Z(3, 2)), ("b", Z(3))),
        ["dense_backward dy shape"] = () => Ref.All("dense_backward", A(), ("x", Z(2, 3)), ("w", Z(3, 2)), ("dy", Z(2, 3))),
        ["labels fractional"] = () => Ref.One("softmax_cross_entropy", A(), ("x", Z(2, 3)), ("labels", new Tensor([2], [0, 1.5]))),
        ["labels negative"] = () => Ref.One("softmax_cross_entropy", A(), ("x", Z(2, 3)), ("labels", new Tensor([2], [-1, 0]))),
        ["labels too large"] = () => Ref.One("softmax_cross_entropy_backward", A(), ("x", Z(2, 3)), ("labels", new Tensor([2], [0, 3]))),
        ["labels NaN"] = () => Ref.One("softmax_cross_entropy_backward", A(), ("x", Z(2, 3)), ("labels", new Tensor([2], [double.NaN, 0]))),
        ["labels shape"] = () => Ref.One("softmax_cross_entropy", A(), ("x", Z(2, 3)), ("labels", Z(3))),
        ["cross-entropy dy not scalar"] = () => Ref.One("softmax_cross_entropy_backward", A(), ("x", Z(2, 3)), ("labels", Z(2)), ("dy", Z(2))),
        ["softmax scalar"] = () => Ref.One("softmax", A(), ("x", new Tensor([], [1]))),
        ["catalogue missing input"] = () => OpCatalog.Evaluate("conv2d", new Dictionary<string, Tensor> { ["x"] = Z(3, 3) }, A()),
        ["catalogue unknown op"] = () => OpCatalog.Get("conv3d"),
    };

    [Theory]
    [InlineData("conv1d output < 1", "w")]
    [InlineData("conv2d output < 1", "w")]
    [InlineData("conv2d dilated window too big", "w")]
    [InlineData("layer output < 1", "w")]
    [InlineData("layer channel mismatch", "w")]
    [InlineData("layer groups do not divide Cin", "groups")]
    [InlineData("layer groups do not divide Cout", "groups")]
    [InlineData("layer groups zero", "groups")]
    [InlineData("layer bias shape", "b")]
    [InlineData("layer x rank", "x")]
    [InlineData("layer zero stride", "strides")]
    [InlineData("conv2d negative stride", "strides")]
    [InlineData("conv1d zero stride", "strides")]
    [InlineData("layer zero dilation", "dilation")]
    [InlineData("conv2d negative dilation", "dilation")]
    [InlineData("layer negative explicit padding", "padding")]
    [InlineData("conv2d negative explicit padding", "padding")]
    [InlineData("conv1d negative explicit padding", "padding")]
    [InlineData("parse negative padding", "padding")]
    [InlineData("parse unknown padding", "padding")]
    [InlineData("backward dy shape", "dy")]
    [InlineData("relu_backward dy shape", "dy")]
    [InlineData("pool missing", "pool")]
    [InlineData("pool full padding", "padding")]
    [InlineData("pool window larger than input", "pool")]
    [InlineData("pool zero stride", "strides")]
    [InlineData("max_pool2d_backward dy shape", "dy")]
    [InlineData("avg_pool2d_backward dy shape", "dy")]
    [InlineData("dense Nin mismatch", "w")]
    [InlineData("dense bias shape", "b")]
    [InlineData("dense_backward dy shape", "dy")]
    [InlineData("labels fractional", "labels")]
    [InlineData("labels negative", "labels")]
    [InlineData("labels too large", "labels")]
    [InlineData("labels NaN", "labels")]
    [InlineData("labels shape", "labels")]
    [InlineData("cross-entropy dy not scalar", "dy")]
    [InlineData("softmax scalar", "x")]
    [InlineData("catalogue missing input", "w")]
    [InlineData("catalogue unknown op", "op")]
    public void BadInputThrowsOneErrorNamingTheArgument(string name, string argument)
    {
        var ex = Assert.Throws<OpArgumentException>(Cases[name]);
        Assert.Equal(argument, ex.ParamName);
        Assert.StartsWith($"argument '{argument}': expected ", ex.Message);
        Assert.False(string.IsNullOrWhiteSpace(ex.Expected), "the message says what was expected");
        Assert.False(string.IsNullOrWhiteSpace(ex.Actual), "the message says what was given");
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void EveryErrorCaseIsListedInTheTheory()
    {
        var listed = typeof(ErrorTests).GetMethod(nameof(BadInputThrowsOneErrorNamingTheArgument))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(d => (string)d.GetData(null!).Single()[0]).ToHashSet();
        Assert.Equal(Cases.Keys.OrderBy(k => k), listed.OrderBy(k => k));
    }
}

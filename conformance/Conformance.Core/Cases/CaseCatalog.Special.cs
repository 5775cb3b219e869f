using Conformance.Reference;

namespace Conformance.Core.Cases;

public static partial class CaseCatalog
{
    /// <summary>The group of the NaN and ±∞ cases (spec/special-values.md); it runs in every mode.</summary>
    public const string SpecialGroup = "special";

    private const double NaN = double.NaN, Inf = double.PositiveInfinity;

    /// <summary>
    /// Hand-given inputs holding NaN, +∞ and −∞, small enough to work out by hand, each testing only
    /// what spec/special-values.md makes normative. Every case also has outputs whose window holds no
    /// special value, which must stay finite and exact. The expected outputs come from the reference.
    /// </summary>
    private static void Special(List<ConformanceCase> list)
    {
        const string g = SpecialGroup;

        // y[i] = x[i−1] + x[i] with full padding: y = [1, NaN, NaN, 5, 7, +∞, +∞, 11, −∞, NaN (∞ − ∞), +∞, 15, 8];
        // the end outputs have one real term each (pads add none).
        Fixed(list, "conv1d", g, "nan-inf-full", Attrs("full"),
            ("x", T([12], 1, NaN, 2, 3, 4, Inf, 5, 6, -Inf, Inf, 7, 8)), ("w", T([2], 1, 1)));

        // Sobel x (middle column 0) over a ramp: +∞ at (1,1) meets weight 0 in windows (0,0) and (1,0),
        // giving NaN (∞·0), and weights 2 and 1 in (0,1) and (1,1), giving +∞; NaN at (5,6) reaches
        // window (3,4) only. The other 15 of the 20 outputs are finite.
        var ramp = Grid(6, 7, (r, q) => (r * 7 + q) % 5);
        ramp[1, 1] = Inf;
        ramp[5, 6] = NaN;
        Fixed(list, "conv2d", g, "inf-meets-zero-weight", Attrs(), ("x", ramp), ("w", SobelX));

        // Same padding, 3×3 windows: +∞ (channel 0) at (0,0), −∞ (channel 1) at (0,2), NaN (channel 0) at (4,5).
        // Output 0 (all weights 1): +∞ at (0..1, 0), NaN (∞ − ∞) at (0..1, 1), −∞ at (0..1, 2..3).
        // Output 1 (channel 0 weights 1 but tap (0,0) = 0, channel 1 weights −1): +∞ at rows 0..1, columns
        // 0..3, except NaN (∞·0) at (1,1). Both are NaN at rows 3..4, columns 4..5; the other 18 positions are finite.
        var x = Tensor.Zeros(1, 5, 6, 2);
        for (int r = 0; r < 5; r++)
            for (int q = 0; q < 6; q++)
            {
                x[0, r, q, 0] = (r + 2 * q) % 4 - 1;
                x[0, r, q, 1] = r * q % 3 - 1;
            }
        x[0, 0, 0, 0] = Inf;
        x[0, 0, 2, 1] = -Inf;
        x[0, 4, 5, 0] = NaN;
        var w = Tensor.Zeros(3, 3, 2, 2);
        for (int k1 = 0; k1 < 3; k1++)
            for (int k2 = 0; k2 < 3; k2++)
            {
                w[k1, k2, 0, 0] = w[k1, k2, 1, 0] = 1;
                w[k1, k2, 0, 1] = k1 == 0 && k2 == 0 ? 0 : 1;
                w[k1, k2, 1, 1] = -1;
            }
        Fixed(list, "conv2d_layer", g, "nan-inf-in-x-same", Attrs("same"), ("x", x), ("w", w), ("b", T([2], 1, -2)));

        // A +∞ weight with valid padding (it meets no pad): output 0 = +∞·x[i1,i2] + finite, so ±∞ by the
        // sign of x and NaN where x is 0 (window (1,1)); output 1 has finite weights and stays finite.
        var x3 = T([1, 3, 4, 1], 1, 2, -1, 3, 2, 0, 1, 1, -2, 1, 2, 1);
        var wInf = Tensor.Zeros(2, 2, 1, 2);
        double[] w0 = [Inf, 1, 1, 1], w1 = [1, -1, 2, 0];
        for (int k = 0; k < 4; k++)
        {
            wInf[k / 2, k % 2, 0, 0] = w0[k];
            wInf[k / 2, k % 2, 0, 1] = w1[k];
        }
        Fixed(list, "conv2d_layer", g, "inf-weight-valid", Attrs(), ("x", x3), ("w", wInf));

        // Backward with NaN at x(0,0) and +∞ at x(2,3), valid padding: dw[k] = Σ x[i + k]·dy[i], so
        // dw[0,0] = NaN, dw[1,1] = +∞·(−2) = −∞, dw[0,1] and dw[1,0] finite; dx and db do not read x.
        var xBad = T([1, 3, 4, 1], NaN, 2, -1, 3, 2, 0, 1, 1, -2, 1, 2, Inf);
        var w22 = T([2, 2, 1, 1], 1, 2, 3, 4);
        Fixed(list, "conv2d_layer_backward", g, "nan-inf-in-x-valid", Attrs(),
            ("x", xBad), ("w", w22), ("dy", T([1, 2, 3, 1], 1, -1, 2, 3, 1, -2)));
        // dy(0,0) = +∞ with a zero tap w[0,1]: dx is +∞, NaN, +∞, −∞ on the four positions of window (0,0)
        // and finite elsewhere; every dw is ±∞ or NaN (x[1,1] = 0 gives dw[1,1] = NaN); db = +∞.
        Fixed(list, "conv2d_layer_backward", g, "inf-in-dy-valid", Attrs(),
            ("x", x3), ("w", T([2, 2, 1, 1], 1, 0, 2, -1)), ("dy", T([1, 2, 3, 1], Inf, 1, -1, 2, 1, 3)));

        // Row 0 meets W's row [1, −1, 0, 2] with +∞: [+∞, −∞, NaN (∞·0), NaN (+∞ + b = −∞)]; row 1 holds a NaN;
        // rows 2 and 3 are finite but for the −∞ bias of column 3.
        var xd = T([4, 4], 1, Inf, 2, -1, NaN, 1, 2, 3, 1, 2, 3, 4, 0, 0, 0, 0);
        var wd = T([4, 4], 1, 2, -1, 0, 1, -1, 0, 2, 2, 0, 1, 1, -1, 1, 1, 3);
        Fixed(list, "dense", g, "nan-inf", OpAttributes.Default, ("x", xd), ("w", wd), ("b", T([4], 1, 1, 1, -Inf)));
        // dW[i,j] = Σ_b x[b,i]·dy[b,j]: row 0 NaN, row 1 ±∞ by the sign of dy[0,j] and NaN where dy[0,2] = 0,
        // rows 2 and 3 finite; dx and db read only dy and W, and are finite.
        Fixed(list, "dense_backward", g, "nan-inf-in-x", OpAttributes.Default,
            ("x", xd), ("w", wd), ("dy", T([4, 4], 1, -1, 0, 2, 1, 2, 3, 1, -2, 1, 1, 1, 0, 1, 2, -1)));

        Fixed(list, "relu", g, "nan-inf", OpAttributes.Default, ("x", T([2, 4], NaN, Inf, -Inf, 1, -1, 0, 2, -0.5)));
        // Only what is normative: dy (NaN and ±∞ included) is copied where x > 0, and 0 is written where
        // x ≤ 0 with a finite dy. A NaN x, or a non-finite dy where x ≤ 0, is left open by the spec.
        Fixed(list, "relu_backward", g, "inf-x-nan-inf-dy", OpAttributes.Default,
            ("x", T([6], Inf, 2, -Inf, -1, 0, 3)), ("dy", T([6], NaN, Inf, 5, 6, 7, -Inf)));

        // 2×2 windows, channel 0: [1 NaN; 2 3] → NaN, [4 5; +∞ 6] → +∞, all −∞ → −∞, [+∞ NaN; 1 2] → NaN,
        // [7 8; 9 NaN] → NaN, [NaN 1; 2 3] → NaN, [1 2; 4 3] → 4, [−∞ 5; −1 0] → 5. Channel 1 is finite and stays so.
        // No window holds two NaNs, so the backward routing is normative too (to the NaN; to the first −∞).
        double[] ch0 =
        [
            1, NaN, 4, 5, -Inf, -Inf, Inf, NaN,
            2, 3, Inf, 6, -Inf, -Inf, 1, 2,
            7, 8, NaN, 1, 1, 2, -Inf, 5,
            9, NaN, 2, 3, 4, 3, -1, 0,
        ];
        var xp = Tensor.Zeros(1, 4, 8, 2);
        for (int i = 0; i < 32; i++)
        {
            xp.Data[2 * i] = ch0[i];
            xp.Data[2 * i + 1] = i * 5 % 7 - 3;
        }
        var pool2 = Attrs(pool: Pair.Of(2));
        Fixed(list, "max_pool2d", g, "nan-inf-windows", pool2, ("x", xp));
        var dyp = Tensor.Zeros(1, 2, 4, 2);
        for (int i = 0; i < dyp.Length; i++) dyp.Data[i] = i + 1;
        dyp[0, 1, 2, 0] = NaN; // routed to the 4 of window (1,2): dx there is NaN
        Fixed(list, "max_pool2d_backward", g, "one-nan-per-window", pool2, ("x", xp), ("dy", dyp));
        // Every real sample −∞, same padding (windows at the end overlap it): −∞ everywhere, as pads never
        // count; backward sends each dy to the window's first real sample (all tie).
        var minusInf = T([1, 3, 3, 1], -Inf, -Inf, -Inf, -Inf, -Inf, -Inf, -Inf, -Inf, -Inf);
        var pool2Same = Attrs("same", pool: Pair.Of(2));
        Fixed(list, "max_pool2d", g, "minus-inf-same", pool2Same, ("x", minusInf));
        Fixed(list, "max_pool2d_backward", g, "minus-inf-same", pool2Same, ("x", minusInf), ("dy", T([1, 2, 2, 1], 1, 2, 3, 4)));

        // 2×2 windows, same padding on a 5×5 input: NaN, 5, +∞ (two real samples), NaN (∞ − ∞), 4, 5.5, 1.5, 3.5, −∞.
        Fixed(list, "avg_pool2d", g, "nan-inf-same", pool2Same, ("x", T([1, 5, 5, 1],
            1, NaN, 2, 3, 4, 5, 6, 7, 8, Inf, Inf, -Inf, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, -Inf)));
        // x is used only for its shape, so its NaNs change nothing. Overlapping 2×2 windows, stride 1:
        // dx is +∞, NaN (∞ − ∞), −∞ … where the +∞ and −∞ windows reach, NaN around the NaN window, finite elsewhere.
        var nans = Tensor.Zeros(1, 3, 5, 1).Map(_ => NaN);
        Fixed(list, "avg_pool2d_backward", g, "nan-inf-dy", Attrs(pool: Pair.Of(2), strides: Pair.Of(1)),
            ("x", nans), ("dy", T([1, 2, 4, 1], Inf, -Inf, 1, 2, 3, 4, 5, NaN)));

        // Rows: a NaN logit → NaN row; a +∞ logit → NaN row (the max shift gives ∞ − ∞); a −∞ logit → 0
        // there and a finite row; every logit −∞ → NaN row (−∞ − (−∞)); a finite row.
        var logits = T([5, 3], 1, NaN, 2, 1, Inf, 2, 1, -Inf, 2, -Inf, -Inf, -Inf, 0, 1, 2);
        Fixed(list, "softmax", g, "nan-inf-rows", OpAttributes.Default, ("x", logits));
        var finiteRow = new double[] { 0, 1, 2 };
        CrossEntropy(list, "nan-logit", [1, NaN, 2], 0);      // NaN
        CrossEntropy(list, "plus-inf-logit", [Inf, 1, 2], 0);  // NaN (∞ − ∞ in the max shift)
        CrossEntropy(list, "label-logit-minus-inf", [-Inf, 1, 2], 0); // +∞
        CrossEntropy(list, "other-logit-minus-inf", [-Inf, 1, 2], 2);  // finite
        // Per row: NaN row, finite row with exactly 0 at the −∞ logit, NaN row (+∞ logit), finite row.
        Fixed(list, "softmax_cross_entropy_backward", g, "nan-inf-rows", OpAttributes.Default,
            ("x", T([4, 3], 1, NaN, 2, -Inf, 1, 2, Inf, 0, 1, 0, 1, 2)), ("labels", T([4], 0, 2, 1, 1)));

        Fixed(list, "flatten", g, "nan-inf", OpAttributes.Default, ("x", T([2, 2, 2, 1], NaN, Inf, -Inf, 1, 2, NaN, 3, -0.0)));

        // Scalar loss over a special row and a finite one, so each case tests one rule.
        void CrossEntropy(List<ConformanceCase> l, string name, double[] row, int label) =>
            Fixed(l, "softmax_cross_entropy", g, name, OpAttributes.Default,
                ("x", T([2, 3], [.. row, .. finiteRow])), ("labels", T([2], label, 1)));
    }

    /// <summary>Adds a case whose every input is given.</summary>
    private static void Fixed(List<ConformanceCase> list, string op, string group, string name, OpAttributes a,
        params (string Name, Tensor Value)[] inputs) =>
        Single(list, op, group, name, inputs.ToDictionary(i => i.Name, i => i.Value.Shape), a,
            fixedData: inputs.ToDictionary(i => i.Name, i => i.Value));

    private static Tensor T(int[] shape, params double[] values) => new(shape, values);

    private static Tensor Grid(int rows, int cols, Func<int, int, double> value)
    {
        var t = Tensor.Zeros(rows, cols);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < cols; q++) t[r, q] = value(r, q);
        return t;
    }
}

using Conformance.Reference;
using Conformance.Tests.Oracles;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Tests.Properties;

/// <summary>
/// FsCheck generators for small random op calls. Shapes are chosen so that every output has at
/// least one element (the minimum input size comes from <see cref="SpecGeometry"/>), kernels are
/// both even and odd, and every padding mode, stride, dilation, group count and reversal occurs.
/// Integer data keeps every partial sum exact, so properties can demand exact equality.
/// </summary>
public static class Generators
{
    /// <summary>Small integers: products and sums of a few hundred of them are exact in double.</summary>
    public static Gen<double[]> Ints(int n, int lo = -4, int hi = 4) =>
        Gen.ArrayOf(Gen.Choose(lo, hi).Select(i => (double)i), n);

    /// <summary>Values in [−1.000017, 1.000017] with a prime denominator, so nearly none is dyadic and rounding matters.</summary>
    public static Gen<double[]> Reals(int n) =>
        Gen.ArrayOf(Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 999_983.0), n);

    /// <summary>Integer or real data.</summary>
    public static Gen<double[]> Data(int n, bool integer) => integer ? Ints(n) : Reals(n);

    /// <summary>A tensor of the given shape.</summary>
    public static Gen<Tensor> TensorOf(int[] shape, bool integer) =>
        Data(shape.Aggregate(1, (p, d) => p * d), integer).Select(d => new Tensor(shape, d));

    /// <summary>Every padding mode, explicit amounts 0..2 per side (only left/right when <paramref name="oneD"/>).</summary>
    public static Gen<Padding> Paddings(bool oneD) =>
        Gen.OneOf(
            Gen.Constant(Padding.Valid), Gen.Constant(Padding.Same), Gen.Constant(Padding.SameLower), Gen.Constant(Padding.Full),
            from t in Gen.Choose(0, 2)
            from b in Gen.Choose(0, 2)
            from l in Gen.Choose(0, 2)
            from r in Gen.Choose(0, 2)
            select oneD ? Padding.Explicit(0, 0, l, r) : Padding.Explicit(t, b, l, r));

    /// <summary>The smallest input extent for which the output has at least one element.</summary>
    public static int MinInput(PaddingMode mode, int padBefore, int padAfter, int k, int d)
    {
        int keff = SpecGeometry.Keff(k, d);
        return mode switch
        {
            PaddingMode.Valid => keff,
            PaddingMode.Explicit => Math.Max(1, keff - padBefore - padAfter),
            _ => 1,
        };
    }

    /// <summary>Attributes of a convolution: padding, reversal, strides 1..3, dilation 1..2.</summary>
    public static Gen<OpAttributes> ConvAttributes(bool oneD) =>
        from pad in Paddings(oneD)
        from rev in Gen.Elements(true, false)
        from s1 in Gen.Choose(1, 3)
        from s2 in Gen.Choose(1, 3)
        from d1 in Gen.Choose(1, 2)
        from d2 in Gen.Choose(1, 2)
        select new OpAttributes { Padding = pad, Reversal = rev, Strides = new Pair(s1, s2), Dilation = new Pair(d1, d2) };

    /// <summary>conv1d cases: K 1..5.</summary>
    public static Gen<Conv1dCase> Conv1d(bool integer) =>
        from a in ConvAttributes(oneD: true)
        from k in Gen.Choose(1, 5)
        from extra in Gen.Choose(0, 5)
        let n = MinInput(a.Padding.Mode, a.Padding.Left, a.Padding.Right, k, a.Dilation.Cols) + extra
        from x in TensorOf([n], integer)
        from w in TensorOf([k], integer)
        select new Conv1dCase(x, w, a);

    /// <summary>conv2d cases: K 1..4 per axis.</summary>
    public static Gen<Conv2dCase> Conv2d(bool integer) =>
        from a in ConvAttributes(oneD: false)
        from k1 in Gen.Choose(1, 4)
        from k2 in Gen.Choose(1, 4)
        from e1 in Gen.Choose(0, 4)
        from e2 in Gen.Choose(0, 4)
        let n1 = MinInput(a.Padding.Mode, a.Padding.Top, a.Padding.Bottom, k1, a.Dilation.Rows) + e1
        let n2 = MinInput(a.Padding.Mode, a.Padding.Left, a.Padding.Right, k2, a.Dilation.Cols) + e2
        from x in TensorOf([n1, n2], integer)
        from w in TensorOf([k1, k2], integer)
        select new Conv2dCase(x, w, a);

    /// <summary>conv2d_layer cases: B 1..2, groups 1..3, 1..2 channels per group each side, K 1..4, optional bias, and dy.</summary>
    public static Gen<LayerCase> Layer(bool integer) =>
        from a0 in ConvAttributes(oneD: false)
        from groups in Gen.Elements(1, 1, 2, 3)
        from cinG in Gen.Choose(1, 2)
        from coutG in Gen.Choose(1, 2)
        from batch in Gen.Choose(1, 2)
        from k1 in Gen.Choose(1, 4)
        from k2 in Gen.Choose(1, 4)
        from e1 in Gen.Choose(0, 3)
        from e2 in Gen.Choose(0, 3)
        from hasBias in Gen.Elements(true, false)
        let a = a0 with { Groups = groups }
        let n1 = MinInput(a.Padding.Mode, a.Padding.Top, a.Padding.Bottom, k1, a.Dilation.Rows) + e1
        let n2 = MinInput(a.Padding.Mode, a.Padding.Left, a.Padding.Right, k2, a.Dilation.Cols) + e2
        let m1 = SpecGeometry.Rows(a, n1, k1).Out
        let m2 = SpecGeometry.Cols(a, n2, k2).Out
        from x in TensorOf([batch, n1, n2, cinG * groups], integer)
        from w in TensorOf([k1, k2, cinG, coutG * groups], integer)
        from b in TensorOf([coutG * groups], integer)
        from dy in TensorOf([batch, m1, m2, coutG * groups], integer)
        select new LayerCase(x, w, hasBias ? b : null, dy, a);

    /// <summary>
    /// Calls eligible for Winograd F(2×2,3×3): every padding mode (explicit 0..3 per side, so the
    /// dx tiling's offset 2 − pT takes both signs), reversal, groups 1..3, 1..6 input and 1..4
    /// output channels per group, B 1..2, optional bias, extents even and odd.
    /// </summary>
    public static Gen<WinogradCase> Winograd(bool integer) =>
        from pad in Gen.OneOf(
            Gen.Elements(Padding.Valid, Padding.Same, Padding.SameLower, Padding.Full),
            from t in Gen.Choose(0, 3)
            from b in Gen.Choose(0, 3)
            from l in Gen.Choose(0, 3)
            from r in Gen.Choose(0, 3)
            select Padding.Explicit(t, b, l, r))
        from rev in Gen.Elements(true, false)
        from groups in Gen.Elements(1, 1, 2, 3)
        from cinG in Gen.Choose(1, 6)
        from coutG in Gen.Choose(1, 4)
        from batch in Gen.Choose(1, 2)
        from e1 in Gen.Choose(0, 6)
        from e2 in Gen.Choose(0, 6)
        from hasBias in Gen.Elements(true, false)
        let a = new OpAttributes { Padding = pad, Reversal = rev, Groups = groups, Strides = Pair.Of(1) }
        let n1 = MinInput(pad.Mode, pad.Top, pad.Bottom, 3, 1) + e1
        let n2 = MinInput(pad.Mode, pad.Left, pad.Right, 3, 1) + e2
        let m1 = SpecGeometry.Rows(a, n1, 3).Out
        let m2 = SpecGeometry.Cols(a, n2, 3).Out
        from x in Fp32Tensor([batch, n1, n2, cinG * groups], integer)
        from w in Fp32Tensor([3, 3, cinG, coutG * groups], integer)
        from b in Fp32Tensor([coutG * groups], integer)
        from dy in Fp32Tensor([batch, m1, m2, coutG * groups], integer)
        select new WinogradCase(new LayerCase(x, w, hasBias ? b : null, dy, a), integer);

    // Reals rounded to fp32, the input format of the backend under test, as the harness rounds them.
    private static Gen<Tensor> Fp32Tensor(int[] shape, bool integer) =>
        TensorOf(shape, integer).Select(t => t.Map(v => (double)(float)v));

    /// <summary>Pooling cases: pool 1..3, strides default or 1..3, valid/same/same_lower, values in −2..2 (many ties).</summary>
    public static Gen<PoolCase> Pool() =>
        from p1 in Gen.Choose(1, 3)
        from p2 in Gen.Choose(1, 3)
        from useDefault in Gen.Elements(true, false)
        from s1 in Gen.Choose(1, 3)
        from s2 in Gen.Choose(1, 3)
        from pad in Gen.Elements(Padding.Valid, Padding.Same, Padding.SameLower)
        from batch in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 3)
        from e1 in Gen.Choose(0, 4)
        from e2 in Gen.Choose(0, 4)
        let a = new OpAttributes { Pool = new Pair(p1, p2), Strides = useDefault ? null : new Pair(s1, s2), Padding = pad }
        let n1 = (pad.Mode == PaddingMode.Valid ? p1 : 1) + e1
        let n2 = (pad.Mode == PaddingMode.Valid ? p2 : 1) + e2
        let m1 = SpecGeometry.PoolAxis(a, 0, n1).Out
        let m2 = SpecGeometry.PoolAxis(a, 1, n2).Out
        from x in Ints(batch * n1 * n2 * c, -2, 2)
        from dy in Ints(batch * m1 * m2 * c)
        select new PoolCase(new Tensor([batch, n1, n2, c], x), new Tensor([batch, m1, m2, c], dy), a);

    /// <summary>dense cases: B 1..3, Nin 1..6, Nout 1..4.</summary>
    public static Gen<DenseCase> Dense() =>
        from batch in Gen.Choose(1, 3)
        from nin in Gen.Choose(1, 6)
        from nout in Gen.Choose(1, 4)
        from x in TensorOf([batch, nin], true)
        from w in TensorOf([nin, nout], true)
        from b in TensorOf([nout], true)
        from dy in TensorOf([batch, nout], true)
        select new DenseCase(x, w, b, dy);

    /// <summary>Logits in [−8, 8], B 1..4, C 1..6, labels in range, dy in [−2, 2].</summary>
    public static Gen<LogitsCase> Logits() =>
        from batch in Gen.Choose(1, 4)
        from c in Gen.Choose(1, 6)
        from x in Reals(batch * c)
        from labels in Gen.ArrayOf(Gen.Choose(0, c - 1).Select(i => (double)i), batch)
        from dy in Gen.Choose(-2000, 2000).Select(i => i / 997.0)
        select new LogitsCase(new Tensor([batch, c], x.Select(v => 8 * v).ToArray()), new Tensor([batch], labels), dy);

    /// <summary>A twin of a case: a second x and w of the same shapes and α, β in −3..3.</summary>
    public static Gen<Twin<T>> Twins<T>(Gen<T> cases, Func<T, Tensor> x, Func<T, Tensor> w) where T : notnull =>
        from c in cases
        from x2 in TensorOf(x(c).Shape, true)
        from w2 in TensorOf(w(c).Shape, true)
        from alpha in Gen.Choose(-3, 3)
        from beta in Gen.Choose(-3, 3)
        select new Twin<T>(c, x2, w2, alpha, beta);

    /// <summary>A case with two extra integers in 0..9999.</summary>
    public static Gen<Extra<T>> Extras<T>(Gen<T> cases) where T : notnull =>
        from c in cases
        from p in Gen.Choose(0, 9999)
        from q in Gen.Choose(0, 9999)
        select new Extra<T>(c, p, q);

    /// <summary>Registered with FsCheck through <see cref="ConformancePropertyAttribute"/>.</summary>
    public static Arbitrary<Conv1dCase> Conv1dCases() => Conv1d(true).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Conv2dCase> Conv2dCases() => Conv2d(true).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<LayerCase> LayerCases() => Layer(true).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<RealLayerCase> RealLayerCases() => Layer(false).Select(c => new RealLayerCase(c)).ToArbitrary();

    /// <summary>Registered with FsCheck: Winograd-eligible calls, integer and fp32 data alike.</summary>
    public static Arbitrary<WinogradCase> WinogradCases() => Gen.OneOf(Winograd(true), Winograd(false)).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<PoolCase> PoolCases() => Pool().ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<DenseCase> DenseCases() => Dense().ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<LogitsCase> LogitsCases() => Logits().ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Twin<Conv1dCase>> Conv1dTwins() => Twins(Conv1d(true), c => c.X, c => c.W).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Twin<Conv2dCase>> Conv2dTwins() => Twins(Conv2d(true), c => c.X, c => c.W).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Twin<LayerCase>> LayerTwins() => Twins(Layer(true), c => c.X, c => c.W).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Extra<Conv1dCase>> Conv1dExtras() => Extras(Conv1d(true)).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Extra<Conv2dCase>> Conv2dExtras() => Extras(Conv2d(true)).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Extra<LayerCase>> LayerExtras() => Extras(Layer(true)).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Extra<PoolCase>> PoolExtras() => Extras(Pool()).ToArbitrary();

    /// <summary>Registered with FsCheck.</summary>
    public static Arbitrary<Extra<LogitsCase>> LogitsExtras() => Extras(Logits()).ToArbitrary();

    /// <summary>1D (N 1..48, K 1..12) or 2D (N 1..12, K 1..6) real signals for the FFT oracle.</summary>
    public static Arbitrary<SignalPair> SignalPairs() =>
        Gen.OneOf(
            from n in Gen.Choose(1, 48)
            from k in Gen.Choose(1, 12)
            from x in TensorOf([n], false)
            from w in TensorOf([k], false)
            select new SignalPair(x, w),
            from n1 in Gen.Choose(1, 12)
            from n2 in Gen.Choose(1, 12)
            from k1 in Gen.Choose(1, 6)
            from k2 in Gen.Choose(1, 6)
            from x in TensorOf([n1, n2], false)
            from w in TensorOf([k1, k2], false)
            select new SignalPair(x, w)).ToArbitrary();
}

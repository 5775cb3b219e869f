using Conformance.Reference;

namespace Conformance.Core.Cases;

public static partial class CaseCatalog
{
    /// <summary>Seeded random conv2d_layer and pooling cases per run of the catalogue (FsCheck adds shrinking ones in the suite).</summary>
    public const int RandomCasesPerFamily = 12;

    private static void Random(List<ConformanceCase> list)
    {
        const string g = "random";
        var rng = new SeededRandom(SeededRandom.SeedOf("catalogue/random"));
        string[] pads = ["valid", "same", "same_lower", "full", "explicit"];
        for (int i = 0; i < RandomCasesPerFamily; i++)
        {
            var a = RandomConvAttributes(rng, pads[rng.Next(0, pads.Length)]);
            int groups = a.Groups;
            int cin = groups * rng.Next(1, 4), cout = groups * rng.Next(1, 4);
            int k1 = rng.Next(1, 5), k2 = rng.Next(1, 5);
            int keff1 = (k1 - 1) * a.Dilation.Rows + 1, keff2 = (k2 - 1) * a.Dilation.Cols + 1;
            int[] x = [rng.Next(1, 4), keff1 + rng.Next(0, 8), keff2 + rng.Next(0, 8), cin];
            Layer(list, g, $"{i:D2}", x, [k1, k2, cin / groups, cout], bias: rng.Next(0, 2) == 1, a,
                (DataKind)rng.Next(0, 3));

            string poolPad = pads[rng.Next(0, 3)];
            var pool = new Pair(rng.Next(1, 4), rng.Next(1, 4));
            var pa = Attrs(poolPad, pool: pool, strides: new Pair(rng.Next(1, 4), rng.Next(1, 4)));
            Pools(list, g, $"{i:D2}", [rng.Next(1, 3), pool.Rows + rng.Next(0, 7), pool.Cols + rng.Next(0, 7), rng.Next(1, 5)], pa,
                (DataKind)rng.Next(0, 3));
        }
    }

    private static OpAttributes RandomConvAttributes(SeededRandom rng, string padding)
    {
        if (padding == "explicit")
            padding = $"{rng.Next(0, 3)},{rng.Next(0, 3)},{rng.Next(0, 3)},{rng.Next(0, 3)}";
        return Attrs(padding, rng.Next(0, 2) == 1, new Pair(rng.Next(1, 4), rng.Next(1, 4)),
            new Pair(rng.Next(1, 3), rng.Next(1, 3)), rng.Next(1, 3));
    }
}

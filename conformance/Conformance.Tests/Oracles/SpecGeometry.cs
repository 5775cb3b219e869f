using Conformance.Reference;

namespace Conformance.Tests.Oracles;

/// <summary>Zeros before and after one axis and the output size, computed from the spec text.</summary>
public readonly record struct SpecAxis(int Before, int After, int Out);

/// <summary>
/// The padding and output-size formulas of the catalogue, written out again from the spec text so
/// that the oracles and generators never lean on <see cref="Padding.Resolve"/>, the code under test.
/// </summary>
public static class SpecGeometry
{
    /// <summary>Floor division that rounds toward −∞ (C#'s / truncates toward 0).</summary>
    public static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    /// <summary>Effective window (K−1)·d+1.</summary>
    public static int Keff(int k, int d) => (k - 1) * d + 1;

    /// <summary>
    /// One axis: valid out = floor((N−Keff)/s)+1; full pads Keff−1 both sides; same/same_lower give
    /// out = ceil(N/s) with total = max((out−1)·s+Keff−N, 0) split floor/ceil before. Out may be &lt; 1.
    /// </summary>
    public static SpecAxis Axis(PaddingMode mode, int explicitBefore, int explicitAfter, int n, int k, int s, int d)
    {
        int keff = Keff(k, d);
        switch (mode)
        {
            case PaddingMode.Valid:
                return new SpecAxis(0, 0, FloorDiv(n - keff, s) + 1);
            case PaddingMode.Full:
                return new SpecAxis(keff - 1, keff - 1, FloorDiv(n + 2 * (keff - 1) - keff, s) + 1);
            case PaddingMode.Same:
            case PaddingMode.SameLower:
                int outSize = (n + s - 1) / s;
                int total = Math.Max((outSize - 1) * s + keff - n, 0);
                int before = mode == PaddingMode.Same ? total / 2 : (total + 1) / 2;
                return new SpecAxis(before, total - before, outSize);
            default:
                return new SpecAxis(explicitBefore, explicitAfter, FloorDiv(n + explicitBefore + explicitAfter - keff, s) + 1);
        }
    }

    /// <summary>Rows axis of a 2D op (explicit: top/bottom).</summary>
    public static SpecAxis Rows(OpAttributes a, int n, int k)
    {
        int s = (a.Strides ?? Pair.Of(1)).Rows;
        return Axis(a.Padding.Mode, a.Padding.Top, a.Padding.Bottom, n, k, s, a.Dilation.Rows);
    }

    /// <summary>Columns axis of a 2D op, and the only axis of conv1d (explicit: left/right).</summary>
    public static SpecAxis Cols(OpAttributes a, int n, int k)
    {
        int s = (a.Strides ?? Pair.Of(1)).Cols;
        return Axis(a.Padding.Mode, a.Padding.Left, a.Padding.Right, n, k, s, a.Dilation.Cols);
    }

    /// <summary>Pooling axis: window P, stride (default P), dilation 1.</summary>
    public static SpecAxis PoolAxis(OpAttributes a, int axis, int n)
    {
        Pair p = a.Pool!.Value;
        Pair s = a.Strides ?? p;
        return axis == 0
            ? Axis(a.Padding.Mode, 0, 0, n, p.Rows, s.Rows, 1)
            : Axis(a.Padding.Mode, 0, 0, n, p.Cols, s.Cols, 1);
    }
}

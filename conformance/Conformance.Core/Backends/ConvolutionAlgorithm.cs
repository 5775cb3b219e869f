namespace Conformance.Core.Backends;

/// <summary>
/// How a backend may compute the eligible calls of conv2d_layer and conv2d_layer_backward
/// (spec/numerics.md, "Fast convolution algorithms"). The algorithm changes which rounding errors
/// are possible, so it changes the bound: Winograd's error scales with the magnitudes of the
/// transformed tiles, not with the direct magnitude Σ|x·w|.
/// </summary>
public enum ConvolutionAlgorithm
{
    /// <summary>A sum of products per output element in any order (direct loops, im2col + GEMM): the direct bound.</summary>
    Direct = 0,

    /// <summary>
    /// Winograd F(2×2,3×3) (Lavin and Gray 2016) with the normative transforms and tiling of
    /// spec/numerics.md, on 3×3, stride-1, dilation-1 calls for y and dx; elsewhere the direct bound.
    /// </summary>
    WinogradF2x2K3x3 = 1,
}

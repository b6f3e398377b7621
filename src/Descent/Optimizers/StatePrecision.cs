namespace Descent.Optimizers;

/// <summary>
/// How an optimizer keeps the moment buffers of its parameters (text form <c>state=float32|bfloat16|bfloat16_stochastic|int8</c>).
/// Compact precisions apply to float parameters of at least <see cref="Numerics.BlockwiseQuantization.MinimumLength"/>
/// elements, for the optimizers that have a compact fused kernel (Adam, AdamW without AMSGrad, SGD with momentum, Lion);
/// smaller tensors keep float state, as in bitsandbytes.
/// </summary>
public enum StatePrecision
{
    /// <summary>The parameter's own type (float or double), as PyTorch: 4 bytes per state value for float. Default.</summary>
    Float32,
    /// <summary>bfloat16 (2 bytes), rounded to nearest even, or stochastically with <see cref="Optimizer{T}.StochasticRoundingSeed"/>.</summary>
    BFloat16,
    /// <summary>
    /// Block-wise 8-bit (Dettmers et al., ICLR 2022): 1 byte per value plus one float absmax per 2,048; offset-float maps
    /// with an integer-arithmetic codec (<see cref="Numerics.QuantizationMap.OffsetFloatSigned"/> e2m5 for first moments,
    /// <see cref="Numerics.QuantizationMap.OffsetFloatUnsigned"/> e3m5 for second moments), measured no less accurate than
    /// the paper's dynamic tree on AdamW's moments (README); Adam's update in the folded form of bitsandbytes' 8-bit kernels.
    /// </summary>
    Int8,
}

/// <summary>Text names of <see cref="StatePrecision"/>.</summary>
public static class StatePrecisions
{
    /// <summary>The text name: <c>float32</c>, <c>bfloat16</c>, <c>int8</c>.</summary>
    public static string TextName(this StatePrecision precision) => precision switch
    {
        StatePrecision.Float32 => "float32",
        StatePrecision.BFloat16 => "bfloat16",
        StatePrecision.Int8 => "int8",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown state precision."),
    };

    /// <summary>The words accepted by <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["float32", "bfloat16", "int8"];

    /// <summary>Parses <c>float32</c> (or <c>fp32</c>, <c>float</c>), <c>bfloat16</c> (or <c>bf16</c>), <c>int8</c> (or <c>8bit</c>).</summary>
    public static StatePrecision Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" or "float" => StatePrecision.Float32,
        "bfloat16" or "bf16" => StatePrecision.BFloat16,
        "int8" or "8bit" => StatePrecision.Int8,
        var other => throw new ArgumentException($"Unknown state precision '{other}' (expected float32, bfloat16 or int8)."),
    };
}

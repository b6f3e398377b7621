using System.Numerics;

namespace Descent.Optimizers.Aids;

/// <summary>
/// DP-SGD (Abadi et al. 2016, Algorithm 1) around any optimizer: each example's gradient (over all parameters) is clipped to
/// L2 norm C, the clipped gradients are summed, Gaussian noise N(0, σ²C²) is added to each coordinate, and the sum is divided
/// by the expected batch size (Opacus' mean reduction); the result becomes the parameters' gradient and the inner optimizer
/// steps. An <see cref="RdpAccountant"/> records each step with q = expected batch / dataset size.
/// </summary>
/// <remarks>
/// The accountant's guarantee assumes Poisson sampling of the batches with rate q (as Opacus' and TF-Privacy's analyses);
/// shuffled fixed-size batches are the common practice, whose exact analysis differs. Clip factor min(1, C / (‖g‖ + 1e-6)) as
/// Opacus. Noise comes from a seeded generator (Box-Muller over <see cref="Random"/>), so runs are reproducible; that generator
/// is not a cryptographically secure one, which a deployment that needs the formal guarantee should use instead.
/// </remarks>
public sealed class DifferentiallyPrivateSgd<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Optimizer<T> _inner;
    private readonly Random _random;
    private readonly double[] _sum;
    private double? _spare;

    /// <summary>Wraps <paramref name="inner"/> (its parameters must be registered already).</summary>
    /// <param name="inner">The optimizer that takes the privatized gradient (SGD in Abadi et al.).</param>
    /// <param name="maxGradientNorm">C, the per-example clipping norm (Opacus <c>max_grad_norm</c>), finite, &gt; 0.</param>
    /// <param name="noiseMultiplier">σ (Opacus <c>noise_multiplier</c>), finite, ≥ 0 (0: clipping only, no privacy).</param>
    /// <param name="expectedBatchSize">The expected batch size (divisor of the noisy sum), ≥ 1.</param>
    /// <param name="datasetSize">The number of training examples (q = expectedBatchSize / datasetSize), ≥ expectedBatchSize.</param>
    /// <param name="seed">Seed of the noise.</param>
    public DifferentiallyPrivateSgd(Optimizer<T> inner, double maxGradientNorm, double noiseMultiplier, int expectedBatchSize, int datasetSize, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!(maxGradientNorm > 0) || !double.IsFinite(maxGradientNorm)) throw new ArgumentOutOfRangeException(nameof(maxGradientNorm), maxGradientNorm, "maxGradientNorm must be finite and > 0.");
        if (!(noiseMultiplier >= 0) || !double.IsFinite(noiseMultiplier)) throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "noiseMultiplier must be finite and >= 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(datasetSize, expectedBatchSize);
        _inner = inner;
        MaxGradientNorm = maxGradientNorm;
        NoiseMultiplier = noiseMultiplier;
        ExpectedBatchSize = expectedBatchSize;
        SamplingRate = (double)expectedBatchSize / datasetSize;
        _random = new Random(seed);
        int length = 0;
        foreach (var g in inner.Groups) foreach (var p in g.Parameters) length += p.Length;
        if (length == 0) throw new ArgumentException("The inner optimizer has no parameters; add them before wrapping it.", nameof(inner));
        Length = length;
        _sum = new double[length];
    }

    /// <summary>C.</summary>
    public double MaxGradientNorm { get; }

    /// <summary>σ.</summary>
    public double NoiseMultiplier { get; }

    /// <summary>The expected batch size.</summary>
    public int ExpectedBatchSize { get; }

    /// <summary>q.</summary>
    public double SamplingRate { get; }

    /// <summary>Total parameter count: the length of one example's gradient (parameters concatenated in registration order).</summary>
    public int Length { get; }

    /// <summary>The privacy spent so far (empty when σ = 0: no guarantee).</summary>
    public RdpAccountant Accountant { get; } = new();

    /// <summary>How many examples were clipped in the last step.</summary>
    public int LastClipped { get; private set; }

    /// <summary>ε spent so far for <paramref name="delta"/> (infinite without noise).</summary>
    public double Epsilon(double delta, RdpConversion conversion = RdpConversion.Classic)
        => NoiseMultiplier == 0 ? double.PositiveInfinity : Accountant.Epsilon(delta, conversion).Epsilon;

    /// <summary>One private step from per-example gradients: <paramref name="perExampleGradients"/> is [examples × <see cref="Length"/>].</summary>
    public void Step(ReadOnlySpan<T> perExampleGradients)
    {
        if (perExampleGradients.Length % Length != 0)
            throw new ArgumentException($"perExampleGradients has length {perExampleGradients.Length}, not a multiple of the parameter count {Length}.", nameof(perExampleGradients));
        int examples = perExampleGradients.Length / Length;
        Array.Clear(_sum);
        int clipped = 0;
        for (int e = 0; e < examples; e++)
        {
            var g = perExampleGradients.Slice(e * Length, Length);
            double squared = 0;
            for (int i = 0; i < g.Length; i++) { double v = double.CreateTruncating(g[i]); squared += v * v; }
            double factor = ClipFactor(Math.Sqrt(squared), MaxGradientNorm);
            if (factor < 1) clipped++;
            for (int i = 0; i < g.Length; i++) _sum[i] += factor * double.CreateTruncating(g[i]);
        }
        NoiseAndStep(clipped);
    }

    /// <summary>
    /// One private step from the SUM of the batch's per-example gradients, each already clipped to <see cref="MaxGradientNorm"/>
    /// by the caller (scaled by <see cref="ClipFactor"/> of its norm), found in the parameters' gradients: for models that clip
    /// without materializing every example's gradient (a dense layer's per-example weight gradient δ·aᵀ has norm ‖δ‖·‖a‖, and
    /// scaling an example's output gradient scales all its parameter gradients). Then as <see cref="Step(ReadOnlySpan{T})"/>:
    /// noise N(0, σ²C²) per coordinate, division by the expected batch size, the inner step, and the accountant's record.
    /// </summary>
    /// <param name="clipped">How many examples the caller clipped (reported by <see cref="LastClipped"/>), ≥ 0.</param>
    public void StepFromClippedSum(int clipped = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clipped);
        int offset = 0;
        foreach (var group in _inner.Groups)
        {
            foreach (var p in group.Parameters)
            {
                var gradient = p.Gradient.Span;
                for (int i = 0; i < gradient.Length; i++) _sum[offset + i] = double.CreateTruncating(gradient[i]);
                offset += gradient.Length;
            }
        }
        NoiseAndStep(clipped);
    }

    /// <summary>The per-example clip factor min(1, C / (‖g‖ + 1e-6)) (Opacus' form) for an example whose gradient has norm <paramref name="norm"/>.</summary>
    /// <param name="norm">‖g‖, the L2 norm of the example's gradient over all parameters.</param>
    /// <param name="maxGradientNorm">C.</param>
    public static double ClipFactor(double norm, double maxGradientNorm) => Math.Min(1, maxGradientNorm / (norm + 1e-6));

    private void NoiseAndStep(int clipped)
    {
        double std = NoiseMultiplier * MaxGradientNorm;
        int offset = 0;
        foreach (var group in _inner.Groups)
        {
            foreach (var p in group.Parameters)
            {
                var gradient = p.Gradient.Span;
                for (int i = 0; i < gradient.Length; i++)
                    gradient[i] = T.CreateTruncating((_sum[offset + i] + (std == 0 ? 0 : std * Gaussian())) / ExpectedBatchSize);
                offset += gradient.Length;
            }
        }
        LastClipped = clipped;
        _inner.Step();
        if (NoiseMultiplier > 0) Accountant.Step(SamplingRate, NoiseMultiplier);
    }

    private double Gaussian()
    {
        if (_spare is double s) { _spare = null; return s; }
        double u1 = 1 - _random.NextDouble(), u2 = _random.NextDouble();
        double r = Math.Sqrt(-2 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }
}

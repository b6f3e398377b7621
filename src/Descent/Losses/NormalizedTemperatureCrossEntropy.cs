using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// NT-Xent, the normalized temperature-scaled cross-entropy of SimCLR (Chen et al. 2020, eq. 1): for a batch of N
/// examples seen in two views, the 2N embeddings are L2-normalized, s_ik = z_i·z_k / τ, and each embedding must pick
/// out its other view among the 2N - 1 others (in-batch negatives):
/// ℓ_i = -s_{i,j(i)} + log Σ_{k≠i} e^{s_ik}, j(i) = (i + N) mod 2N; Mean averages the 2N terms (SimCLR's 1/2N Σ).
/// </summary>
/// <remarks>The gradient is with respect to the un-normalized embeddings (through z = x / max(‖x‖, 1e-12), as
/// <c>F.normalize</c>). Scratch buffers are kept per instance: do not call it from several threads at once.</remarks>
public sealed class NormalizedTemperatureCrossEntropy<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _inverseTemperature;
    private T[] _z = [];
    private T[] _norms = [];
    private T[] _similarity = [];
    private T[] _zGradient = [];

    /// <summary>Creates the loss.</summary>
    /// <param name="temperature">τ (default 0.5, SimCLR's CIFAR-10 value; finite, &gt; 0).</param>
    /// <param name="reduction">Mean (default), Sum or None (one loss per embedding, 2N of them).</param>
    public NormalizedTemperatureCrossEntropy(double temperature = 0.5, Reduction reduction = Reduction.Mean)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be finite and > 0.");
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _inverseTemperature = T.One / T.CreateTruncating(temperature);
        Temperature = temperature;
        Reduction = reduction;
    }

    /// <summary>τ.</summary>
    public double Temperature { get; }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradient; <paramref name="embeddings"/> is [2N × dimension]: rows i and i + N are the two views of example i.</summary>
    public T Evaluate(ReadOnlySpan<T> embeddings, int dimension, Span<T> gradient, Span<T> losses = default)
    {
        int rows = dimension > 0 ? embeddings.Length / dimension : 0;
        LossGuard.Shape(embeddings.Length, rows, dimension, nameof(embeddings));
        if (rows < 2 || rows % 2 != 0) throw new ArgumentException($"embeddings has {rows} rows; NT-Xent needs an even number >= 2 (two views per example).", nameof(embeddings));
        LossGuard.SameLength(embeddings.Length, gradient.Length, nameof(gradient), "same shape as embeddings");
        LossGuard.Losses(Reduction, rows, losses.Length, nameof(losses));
        int half = rows / 2;
        Grow(ref _z, embeddings.Length);
        Grow(ref _zGradient, embeddings.Length);
        Grow(ref _norms, rows);
        Grow(ref _similarity, rows * rows);
        var z = _z.AsSpan(0, embeddings.Length);
        var norms = _norms.AsSpan(0, rows);
        ContrastiveMath.Normalize(embeddings, dimension, z, norms);
        var g = _similarity.AsSpan(0, rows * rows);
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < rows; k++) g[i * rows + k] = ContrastiveMath.Dot(z.Slice(i * dimension, dimension), z.Slice(k * dimension, dimension)) * _inverseTemperature;
        }
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(rows) : T.One;
        T total = T.Zero;
        for (int i = 0; i < rows; i++)
        {
            var s = g.Slice(i * rows, rows);
            int positive = (i + half) % rows;
            T max = T.NegativeInfinity;
            for (int k = 0; k < rows; k++) if (k != i) max = T.Max(max, s[k]);
            T sum = T.Zero;
            for (int k = 0; k < rows; k++) if (k != i) sum += T.Exp(s[k] - max);
            T logSum = max + T.Log(sum);
            T loss = logSum - s[positive];
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
            // row i of G = dℓ/ds: softmax over k ≠ i minus the positive indicator
            for (int k = 0; k < rows; k++) s[k] = k == i ? T.Zero : (T.Exp(s[k] - logSum) - (k == positive ? T.One : T.Zero)) * scale;
        }
        // dZ = (G + Gᵀ) Z / τ, then back through the normalization
        var dz = _zGradient.AsSpan(0, embeddings.Length);
        dz.Clear();
        for (int i = 0; i < rows; i++)
        {
            var dzi = dz.Slice(i * dimension, dimension);
            for (int k = 0; k < rows; k++)
            {
                T c = (g[i * rows + k] + g[k * rows + i]) * _inverseTemperature;
                if (c == T.Zero) continue;
                var zk = z.Slice(k * dimension, dimension);
                for (int d = 0; d < dimension; d++) dzi[d] += c * zk[d];
            }
        }
        ContrastiveMath.NormalizeBackward(z, norms, dz, dimension, gradient);
        return total * scale;
    }

    private static void Grow(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }
}

/// <summary>Shared pieces of the contrastive losses: L2 normalization (as <c>F.normalize</c>, eps 1e-12) and its backward pass.</summary>
internal static class ContrastiveMath
{
    public static T Dot<T>(ReadOnlySpan<T> u, ReadOnlySpan<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int k = 0; k < u.Length; k++) sum += u[k] * v[k];
        return sum;
    }

    public static void Normalize<T>(ReadOnlySpan<T> x, int dimension, Span<T> z, Span<T> norms) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T floor = T.CreateTruncating(1e-12);
        for (int i = 0; i < norms.Length; i++)
        {
            var xi = x.Slice(i * dimension, dimension);
            T norm = T.Max(T.Sqrt(Dot(xi, xi)), floor);
            norms[i] = norm;
            for (int d = 0; d < dimension; d++) z[i * dimension + d] = xi[d] / norm;
        }
    }

    // dx = (dz - z (z·dz)) / ‖x‖ where the norm was above the floor; dz / floor where it was clamped (a constant).
    public static void NormalizeBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> norms, ReadOnlySpan<T> dz, int dimension, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T floor = T.CreateTruncating(1e-12);
        for (int i = 0; i < norms.Length; i++)
        {
            var zi = z.Slice(i * dimension, dimension);
            var dzi = dz.Slice(i * dimension, dimension);
            var dxi = dx.Slice(i * dimension, dimension);
            T projection = norms[i] > floor ? Dot(zi, dzi) : T.Zero;
            for (int d = 0; d < dimension; d++) dxi[d] = (dzi[d] - zi[d] * projection) / norms[i];
        }
    }
}

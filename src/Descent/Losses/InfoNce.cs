using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// InfoNCE with in-batch negatives (van den Oord et al. 2018; the form of CLIP, Radford et al. 2021): N queries and N
/// keys, key i is query i's positive and the other keys are its negatives; logits s_ij = q_i·k_j / τ (on L2-normalized
/// vectors by default) and ℓ_i = -log softmax_j(s_i·)_i. The symmetric form (CLIP) averages the query-to-key and the
/// key-to-query cross-entropies.
/// </summary>
/// <remarks>Scratch buffers are kept per instance: do not call it from several threads at once.</remarks>
public sealed class InfoNce<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _inverseTemperature;
    private readonly bool _normalize;
    private readonly bool _symmetric;
    private T[] _q = [], _k = [], _qNorms = [], _kNorms = [], _logits = [], _grad = [], _dq = [], _dk = [];

    /// <summary>Creates the loss.</summary>
    /// <param name="temperature">τ (default 0.07, CLIP's initial value and MoCo's; finite, &gt; 0).</param>
    /// <param name="normalize">L2-normalize queries and keys first (default true; false: raw dot products).</param>
    /// <param name="symmetric">Average with the key-to-query loss, as CLIP (default false).</param>
    /// <param name="reduction">Mean (default), Sum or None (one loss per pair; symmetric: the average of its two terms).</param>
    public InfoNce(double temperature = 0.07, bool normalize = true, bool symmetric = false, Reduction reduction = Reduction.Mean)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be finite and > 0.");
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        _inverseTemperature = T.One / T.CreateTruncating(temperature);
        _normalize = normalize;
        _symmetric = symmetric;
        Reduction = reduction;
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradients; <paramref name="queries"/> and <paramref name="keys"/> are [N × dimension], row i of each a positive pair.</summary>
    public T Evaluate(ReadOnlySpan<T> queries, ReadOnlySpan<T> keys, int dimension, Span<T> queryGradient, Span<T> keyGradient, Span<T> losses = default)
    {
        int n = dimension > 0 ? queries.Length / dimension : 0;
        LossGuard.Pairs(queries.Length, keys.Length, queryGradient.Length, keyGradient.Length, n, dimension, Reduction, losses.Length);
        if (n == 0) throw new ArgumentException("InfoNCE needs at least one pair.", nameof(queries));
        int length = queries.Length;
        Grow(ref _q, length); Grow(ref _k, length); Grow(ref _dq, length); Grow(ref _dk, length);
        Grow(ref _qNorms, n); Grow(ref _kNorms, n); Grow(ref _logits, n * n); Grow(ref _grad, n * n);
        var q = _q.AsSpan(0, length);
        var k = _k.AsSpan(0, length);
        if (_normalize)
        {
            ContrastiveMath.Normalize(queries, dimension, q, _qNorms.AsSpan(0, n));
            ContrastiveMath.Normalize(keys, dimension, k, _kNorms.AsSpan(0, n));
        }
        else
        {
            queries.CopyTo(q);
            keys.CopyTo(k);
        }
        var s = _logits.AsSpan(0, n * n);
        var g = _grad.AsSpan(0, n * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) s[i * n + j] = ContrastiveMath.Dot(q.Slice(i * dimension, dimension), k.Slice(j * dimension, dimension)) * _inverseTemperature;
        g.Clear();
        T scale = (Reduction == Reduction.Mean ? T.One / T.CreateTruncating(n) : T.One) * (_symmetric ? T.CreateTruncating(0.5) : T.One);
        T total = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T loss = CrossEntropy(s, n, i, rowWise: true, g, scale);
            if (_symmetric) loss += CrossEntropy(s, n, i, rowWise: false, g, scale);
            if (_symmetric) loss *= T.CreateTruncating(0.5);
            if (Reduction == Reduction.None) losses[i] = loss;
            total += loss;
        }
        // dQ = G K / τ, dK = Gᵀ Q / τ
        var dq = _normalize ? _dq.AsSpan(0, length) : queryGradient;
        var dk = _normalize ? _dk.AsSpan(0, length) : keyGradient;
        dq.Clear();
        dk.Clear();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T c = g[i * n + j] * _inverseTemperature;
                if (c == T.Zero) continue;
                for (int d = 0; d < dimension; d++)
                {
                    dq[i * dimension + d] += c * k[j * dimension + d];
                    dk[j * dimension + d] += c * q[i * dimension + d];
                }
            }
        }
        if (_normalize)
        {
            ContrastiveMath.NormalizeBackward(q, _qNorms.AsSpan(0, n), dq, dimension, queryGradient);
            ContrastiveMath.NormalizeBackward(k, _kNorms.AsSpan(0, n), dk, dimension, keyGradient);
        }
        return Reduction == Reduction.Mean ? total / T.CreateTruncating(n) : total;
    }

    // -log softmax of row i (or column i) at i; adds (softmax - onehot)·scale into g.
    private static T CrossEntropy(ReadOnlySpan<T> s, int n, int i, bool rowWise, Span<T> g, T scale)
    {
        T max = T.NegativeInfinity;
        for (int j = 0; j < n; j++) max = T.Max(max, rowWise ? s[i * n + j] : s[j * n + i]);
        T sum = T.Zero;
        for (int j = 0; j < n; j++) sum += T.Exp((rowWise ? s[i * n + j] : s[j * n + i]) - max);
        T logSum = max + T.Log(sum);
        for (int j = 0; j < n; j++)
        {
            int index = rowWise ? i * n + j : j * n + i;
            g[index] += (T.Exp(s[index] - logSum) - (j == i ? T.One : T.Zero)) * scale;
        }
        return logSum - s[i * n + i];
    }

    private static void Grow(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }
}

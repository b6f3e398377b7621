using System.Numerics;
using Descent.Numerics;

namespace Descent.Losses;

/// <summary>
/// Softmax cross-entropy on logits, PyTorch <c>CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)</c>,
/// for a row-major [batch × classes] logits span with class-index targets or class-probability targets.
/// </summary>
/// <remarks>
/// <para>With p = softmax(x) and log p = x - logsumexp(x), a row with target y, class weights w and smoothing ε has
/// ℓ = (1 - ε) w_y (-log p_y) + (ε / C) Σ_c w_c (-log p_c) and gradient A p - a, where a_c = (1 - ε) w_y δ_cy + (ε / C) w_c
/// and A = Σ_c a_c. <see cref="Reduction.Mean"/> divides both terms by Σ w_y over the non-ignored rows (their count when
/// there are no weights), as PyTorch does since the fix of pytorch#73205; ignored rows contribute nothing.</para>
/// <para>With probability targets t: ℓ = -Σ_c w_c t'_c log p_c, t' = (1 - ε) t + ε / C, and Mean divides by the batch size.</para>
/// <para>Without weights and smoothing, index targets go through the fused kernel <see cref="SoftmaxKernels.CrossEntropy{T}"/>:
/// one pass per row (max, exp, sum, scaled softmax minus one-hot), rows in parallel, per-row losses summed in a fixed
/// order, so the result is identical for any thread count. No allocation per call once the row buffer has grown to the
/// batch size. An instance is not safe to call from several threads at once.</para>
/// </remarks>
/// <example><code>
/// var loss = new SoftmaxCrossEntropy&lt;float&gt;();
/// float value = loss.Evaluate(logits, labels, classes: 10, dLogits);   // mean loss, dLogits = d value / d logits
/// </code></example>
public sealed class SoftmaxCrossEntropy<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]? _weight;
    private readonly T _smoothing;
    private T[] _rowLoss = [];

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <param name="classWeight">Optional weight per class (PyTorch <c>weight</c>; finite, ≥ 0; length = classes).</param>
    /// <param name="ignoreIndex">Target value whose rows contribute nothing (PyTorch <c>ignore_index</c>, default -100).</param>
    /// <param name="labelSmoothing">ε in [0, 1] (PyTorch <c>label_smoothing</c>, default 0).</param>
    public SoftmaxCrossEntropy(Reduction reduction = Reduction.Mean, ReadOnlySpan<T> classWeight = default, int ignoreIndex = -100, double labelSmoothing = 0)
    {
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 1].");
        Reduction = reduction;
        _weight = LossGuard.Weights(classWeight, nameof(classWeight));
        IgnoreIndex = ignoreIndex;
        _smoothing = T.CreateTruncating(labelSmoothing);
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>The target value that is ignored.</summary>
    public int IgnoreIndex { get; }

    /// <summary>
    /// Threads the fused kernel may use on large batches (default <see cref="Descent.Numerics.Parallelism.ProcessDefault"/>;
    /// at least 1). Results are bit-identical for every value.
    /// </summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = Descent.Numerics.Parallelism.Validate(value, nameof(MaxDegreeOfParallelism));
    }

    private int _maxDegreeOfParallelism = Descent.Numerics.Parallelism.ProcessDefault;

    /// <summary>Loss and gradient for class-index targets (Mean/Sum).</summary>
    public T Evaluate(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> gradient)
        => Evaluate(logits, targets, classes, gradient, default);

    /// <summary>
    /// Loss and gradient for class-index targets. <paramref name="logits"/> is [targets.Length × classes] row-major;
    /// <paramref name="gradient"/> has the same length; <paramref name="losses"/> (Reduction.None only) gets one loss per row.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target is outside [0, classes) and is not the ignore index.</exception>
    public T Evaluate(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> gradient, Span<T> losses)
    {
        int rows = targets.Length;
        LossGuard.Shape(logits.Length, rows, classes, nameof(logits));
        LossGuard.SameLength(logits.Length, gradient.Length, nameof(gradient), "same shape as logits");
        LossGuard.Losses(Reduction, rows, losses.Length, nameof(losses));
        if (_weight is not null) LossGuard.SameLength(classes, _weight.Length, "classWeight", "one weight per class");
        LossGuard.Classes(targets, classes, IgnoreIndex, nameof(targets));

        if (_weight is null && _smoothing == T.Zero)
        {
            int counted = 0;
            foreach (int t in targets) if (t != IgnoreIndex) counted++;
            T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(counted) : T.One;
            Span<T> rowLoss = Reduction == Reduction.None ? losses : RowBuffer(rows);
            SoftmaxKernels.CrossEntropy(logits, targets, classes, IgnoreIndex, scale, gradient, rowLoss, _maxDegreeOfParallelism);
            return Reductions.Sum<T>(rowLoss) * scale;
        }
        return General(logits, targets, classes, gradient, losses);
    }

    /// <summary>
    /// Loss and gradient for probability targets (PyTorch's <c>target</c> of the same shape as the input):
    /// <paramref name="targetProbabilities"/> is [batch × classes] like <paramref name="logits"/>.
    /// </summary>
    public T Evaluate(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, int classes, Span<T> gradient, Span<T> losses = default)
    {
        int rows = classes > 0 ? logits.Length / classes : 0;
        LossGuard.Shape(logits.Length, rows, classes, nameof(logits));
        LossGuard.SameLength(logits.Length, targetProbabilities.Length, nameof(targetProbabilities), "same shape as logits");
        LossGuard.SameLength(logits.Length, gradient.Length, nameof(gradient), "same shape as logits");
        LossGuard.Losses(Reduction, rows, losses.Length, nameof(losses));
        if (_weight is not null) LossGuard.SameLength(classes, _weight.Length, "classWeight", "one weight per class");
        T scale = Reduction == Reduction.Mean ? T.One / T.CreateTruncating(rows) : T.One;
        T uniform = _smoothing / T.CreateTruncating(classes);
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            var x = logits.Slice(r * classes, classes);
            var g = gradient.Slice(r * classes, classes);
            var t = targetProbabilities.Slice(r * classes, classes);
            SoftmaxKernels.LogSoftmax(x, classes, g);
            T rowLoss = T.Zero, sumA = T.Zero;
            for (int c = 0; c < classes; c++)
            {
                T a = ((T.One - _smoothing) * t[c] + uniform) * (_weight is null ? T.One : _weight[c]);
                rowLoss -= a * g[c];
                sumA += a;
            }
            for (int c = 0; c < classes; c++)
            {
                T a = ((T.One - _smoothing) * t[c] + uniform) * (_weight is null ? T.One : _weight[c]);
                g[c] = scale * (sumA * T.Exp(g[c]) - a);
            }
            if (Reduction == Reduction.None) losses[r] = rowLoss;
            total += rowLoss;
        }
        return total * scale;
    }

    private T General(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> gradient, Span<T> losses)
    {
        int rows = targets.Length;
        T weightSum = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] != IgnoreIndex) weightSum += _weight is null ? T.One : _weight[targets[r]];
        }
        T nllScale = T.One, smoothScale = T.One;
        if (Reduction == Reduction.Mean)
        {
            nllScale = T.One / weightSum;   // Σ w_y over non-ignored rows (their count without weights)
            smoothScale = nllScale;
        }
        T uniform = _smoothing / T.CreateTruncating(classes);
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            var g = gradient.Slice(r * classes, classes);
            int y = targets[r];
            if (y == IgnoreIndex)
            {
                g.Clear();
                if (Reduction == Reduction.None) losses[r] = T.Zero;
                continue;
            }
            SoftmaxKernels.LogSoftmax(logits.Slice(r * classes, classes), classes, g);
            T alpha = (T.One - _smoothing) * (_weight is null ? T.One : _weight[y]);
            T beta = uniform;
            T nll = -g[y];
            T smooth = T.Zero, weightTotal = T.Zero;
            for (int c = 0; c < classes; c++)
            {
                T w = _weight is null ? T.One : _weight[c];
                smooth -= w * g[c];
                weightTotal += w;
            }
            T rowLoss = alpha * nll + beta * smooth;
            T a = alpha * nllScale, b = beta * smoothScale;
            T sumA = a + b * weightTotal;
            for (int c = 0; c < classes; c++)
            {
                T w = _weight is null ? T.One : _weight[c];
                g[c] = sumA * T.Exp(g[c]) - b * w;
            }
            g[y] -= a;
            if (Reduction == Reduction.None) losses[r] = rowLoss;
            total += alpha * nll * nllScale + beta * smooth * smoothScale;
        }
        return total;
    }

    private Span<T> RowBuffer(int rows)
    {
        if (_rowLoss.Length < rows) _rowLoss = new T[rows];
        return _rowLoss.AsSpan(0, rows);
    }
}

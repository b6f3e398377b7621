using System.Numerics;

namespace Descent.Losses;

/// <summary>
/// Multi-label one-versus-all logistic loss, PyTorch <c>MultiLabelSoftMarginLoss(weight)</c>: for a row x with 0/1
/// targets y over C classes, ℓ = -(1/C) Σ_c w_c [y_c log σ(x_c) + (1 - y_c) log σ(-x_c)]; Mean averages the rows.
/// </summary>
public sealed class MultiLabelSoftMargin<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]? _weight;

    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">Mean (default), Sum or None (one loss per row).</param>
    /// <param name="classWeight">Optional weight per class (finite, ≥ 0).</param>
    public MultiLabelSoftMargin(Reduction reduction = Reduction.Mean, ReadOnlySpan<T> classWeight = default)
    {
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction.");
        Reduction = reduction;
        _weight = LossGuard.Weights(classWeight, nameof(classWeight));
    }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>Loss and gradient; <paramref name="input"/> and <paramref name="target"/> are [rows × classes].</summary>
    public T Evaluate(ReadOnlySpan<T> input, ReadOnlySpan<T> target, int classes, Span<T> gradient, Span<T> losses = default)
    {
        int rows = classes > 0 ? input.Length / classes : 0;
        LossGuard.Shape(input.Length, rows, classes, nameof(input));
        LossGuard.SameLength(input.Length, target.Length, nameof(target), "same shape as the input");
        LossGuard.SameLength(input.Length, gradient.Length, nameof(gradient), "same shape as the input");
        LossGuard.Losses(Reduction, rows, losses.Length, nameof(losses));
        if (_weight is not null) LossGuard.SameLength(classes, _weight.Length, "classWeight", "one weight per class");
        if (rows == 0) return Reduction == Reduction.Mean ? T.NaN : T.Zero;
        T perClass = T.One / T.CreateTruncating(classes);
        T scale = (Reduction == Reduction.Mean ? T.One / T.CreateTruncating(rows) : T.One) * perClass;
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            T row = T.Zero;
            for (int c = 0; c < classes; c++)
            {
                int i = r * classes + c;
                T x = input[i], y = target[i];
                T w = _weight is null ? T.One : _weight[c];
                // -[y log σ(x) + (1 - y) log σ(-x)] = y softplus(-x) + (1 - y) softplus(x)
                row += w * (y * Softplus(-x) + (T.One - y) * Softplus(x));
                gradient[i] = w * (Sigmoid(x) - y) * scale;
            }
            row *= perClass;
            if (Reduction == Reduction.None) losses[r] = row;
            total += row;
        }
        return Reduction == Reduction.Mean ? total / T.CreateTruncating(rows) : total;
    }

    private static T Softplus(T z) => T.Max(z, T.Zero) + T.LogP1(T.Exp(-T.Abs(z)));

    private static T Sigmoid(T z)
    {
        if (z >= T.Zero) return T.One / (T.One + T.Exp(-z));
        T e = T.Exp(z);
        return e / (T.One + e);
    }
}

using System.Numerics;

namespace Descent.Optimizers.Rules;

/// <summary>
/// SparseAdam's step (PyTorch <c>torch.optim.SparseAdam</c>, <c>F.sparse_adam</c>), in PyTorch's arithmetic:
/// m ← m + (1 - β₁)(g - m); v ← v + (1 - β₂)(g² - v); update = -(lr √(1 - β₂ᵗ)/(1 - β₁ᵗ)) · m / (√v + ε). Includes the learning
/// rate (no ScaleByLearningRate after it). With a <see cref="SparseGradient{T}"/> only the rows present run it (lazy Adam).
/// States <c>exp_avg</c>, <c>exp_avg_sq</c>.
/// </summary>
/// <remarks>Kingma and Ba 2015 (Adam) with the lazy update of PyTorch's SparseAdam; t counts the steps in which the parameter
/// had a gradient (PyTorch's per-parameter <c>state['step']</c>).</remarks>
public sealed class ScaleBySparseAdam<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public string Name => "scale_by_sparse_adam";

    /// <inheritdoc/>
    public void Initialize(ParameterState<T> state, in StepContext context)
    {
        state.AddBuffer("exp_avg", T.Zero);
        state.AddBuffer("exp_avg_sq", T.Zero);
    }

    /// <inheritdoc/>
    public void Apply(Span<T> update, ReadOnlySpan<T> parameter, ParameterState<T> state, in StepContext context)
    {
        var m = state.Buffer("exp_avg").AsSpan();
        var v = state.Buffer("exp_avg_sq").AsSpan();
        double beta1 = context[HyperparameterKey.Beta1], beta2 = context[HyperparameterKey.Beta2];
        T c1 = T.CreateTruncating(1 - beta1), c2 = T.CreateTruncating(1 - beta2);
        T eps = T.CreateTruncating(context[HyperparameterKey.Epsilon]);
        double step = context.Step;
        double stepSize = context.LearningRate * Math.Sqrt(1 - Math.Pow(beta2, step)) / (1 - Math.Pow(beta1, step));
        T negative = T.CreateTruncating(-stepSize);
        for (int i = 0; i < update.Length; i++)
        {
            T g = update[i];
            T mOld = m[i], vOld = v[i];
            T mUpdate = (g - mOld) * c1;
            T vUpdate = (g * g - vOld) * c2;
            m[i] = mOld + mUpdate;
            v[i] = vOld + vUpdate;
            update[i] = negative * ((mUpdate + mOld) / (T.Sqrt(vUpdate + vOld) + eps));
        }
    }
}

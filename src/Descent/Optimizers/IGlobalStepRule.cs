using System.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// An update rule with a cross-parameter phase (e.g. Prodigy's global step-size estimate, which needs sums over every
/// parameter before any parameter moves). <see cref="Optimizer{T}.Step"/> calls <see cref="BeginStep"/> once after the
/// hyperparameters are resolved and before anything is modified (it may throw to reject the step), then the per-parameter
/// chain, then <see cref="EndStep"/> exactly once on every path out of the call: after every parameter's chain ran when the
/// step was applied, or with <c>applied</c> false when it was skipped, was an accumulation micro-step, or threw.
/// </summary>
public interface IGlobalStepRule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Prepares a step; called on every <see cref="Optimizer{T}.Step"/> call (also skipped and accumulation calls), so it must not modify state.</summary>
    void BeginStep(Optimizer<T> optimizer);

    /// <summary>
    /// Ends the step begun by <see cref="BeginStep"/>. When <paramref name="applied"/> is true all parameters' chains have run
    /// (the step counters are not yet incremented); when false nothing was applied and the rule must only drop what
    /// <see cref="BeginStep"/> prepared.
    /// </summary>
    void EndStep(Optimizer<T> optimizer, bool applied);
}

using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// FTRL-Proximal with Keras' semantics (<c>keras.optimizers.Ftrl</c>): per-coordinate learning rates from the gradient
    /// accumulator, L1 (which makes weights exactly 0), L2 and L2-shrinkage regularization in closed form.
    /// Composed: Maximize, <see cref="ScaleByFtrl{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr, default 1e-3 (Keras); finite, &gt; 0.</param>
    /// <param name="learningRatePower">Keras <c>learning_rate_power</c>, default -0.5; finite, &lt;= 0.</param>
    /// <param name="initialAccumulatorValue">Keras <c>initial_accumulator_value</c>, default 0.1; finite, &gt;= 0 (&gt; 0 when learningRatePower &lt; 0).</param>
    /// <param name="l1">Keras <c>l1_regularization_strength</c>, default 0; finite, &gt;= 0.</param>
    /// <param name="l2">Keras <c>l2_regularization_strength</c>, default 0; finite, &gt;= 0.</param>
    /// <param name="l2Shrinkage">Keras <c>l2_shrinkage_regularization_strength</c> (on the gradient only), default 0; finite, &gt;= 0.</param>
    /// <param name="beta">Keras <c>beta</c> (adds β/(2 lr) to L2), default 0; finite, &gt;= 0.</param>
    /// <param name="maximize">ascend instead of descend, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule for lr.</param>
    /// <remarks>McMahan et al., KDD 2013, Algorithm 1; Keras 3 <c>Ftrl</c>.</remarks>
    public static Optimizer<T> Ftrl<T>(double learningRate = 1e-3, double learningRatePower = -0.5, double initialAccumulatorValue = 0.1,
        double l1 = 0, double l2 = 0, double l2Shrinkage = 0, double beta = 0, bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FtrlDefinition.LearningRate.Validate(learningRate, nameof(learningRate)); // FTRL divides by lr
        FtrlDefinition.LearningRatePower.Validate(learningRatePower, nameof(learningRatePower));
        FtrlDefinition.InitialAccumulatorValue.Validate(initialAccumulatorValue, nameof(initialAccumulatorValue));
        if (learningRatePower < 0 && initialAccumulatorValue == 0)
            throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue, "initialAccumulatorValue must be > 0 when learningRatePower < 0 (0^power is infinite).");
        FtrlDefinition.L1.Validate(l1, nameof(l1));
        FtrlDefinition.L2.Validate(l2, nameof(l2));
        FtrlDefinition.L2Shrinkage.Validate(l2Shrinkage, nameof(l2Shrinkage));
        FtrlDefinition.Beta.Validate(beta, nameof(beta));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleByFtrl<T>(learningRatePower, initialAccumulatorValue, l1, l2, l2Shrinkage, beta));
        return WithSchedule(new Optimizer<T>("ftrl", rules, d), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>ftrl</c>.</summary>
internal sealed class FtrlDefinition() : OptimizerDefinition("ftrl", "FTRL-Proximal (Keras semantics: L1/L2/shrinkage in closed form)",
    LearningRate, LearningRatePower, InitialAccumulatorValue, L1, L2, L2Shrinkage, Beta, OptionDefinition.Maximize.Names(null, null))
{
    // Keras' optimizer: no PyTorch or Optax counterpart, so no names there (the text names are Keras' shortened).
    internal static readonly OptionDefinition LearningRate = OptionDefinition.LearningRate(1e-3).Within(ValueRange.Positive).Names(null, null);
    internal static readonly OptionDefinition LearningRatePower = OptionDefinition.Number("learning_rate_power", -0.5, ValueRange.AtMost(0), null, null);
    internal static readonly OptionDefinition InitialAccumulatorValue = OptionDefinition.Number("initial_accumulator_value", 0.1, ValueRange.NonNegative, null, null);
    internal static readonly OptionDefinition L1 = OptionDefinition.Number("l1", 0, ValueRange.NonNegative, null, null);
    internal static readonly OptionDefinition L2 = OptionDefinition.Number("l2", 0, ValueRange.NonNegative, null, null);
    internal static readonly OptionDefinition L2Shrinkage = OptionDefinition.Number("l2_shrinkage", 0, ValueRange.NonNegative, null, null);
    internal static readonly OptionDefinition Beta = OptionDefinition.Number("beta", 0, ValueRange.NonNegative, null, null);

    public override int Position => 2040;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
        => Optim.Ftrl<T>(s.Number("lr"), s.Number("learning_rate_power"), s.Number("initial_accumulator_value"), s.Number("l1"), s.Number("l2"),
            s.Number("l2_shrinkage"), s.Number("beta"), s.Boolean("maximize"));

    public override IReadOnlyList<string> Variants => ["ftrl(lr=0.1, learning_rate_power=-0.7, initial_accumulator_value=0.5, l1=0.01, l2=0.1, l2_shrinkage=0.01, beta=0.5, maximize=true)"];
    public override string TrainingExample => "ftrl(lr=0.1)";
    public override bool ZeroGradientIsNoOp => false; // the closed form sets w from z: weights that did not start at 0 move (as Keras)
    public override ConvergenceCheck Quadratic => new("ftrl(lr=1)", 4000, 5e-3);
    public override ConvergenceCheck Rosenbrock => new("ftrl(lr=0.5)", 20000, 1e-2);
}

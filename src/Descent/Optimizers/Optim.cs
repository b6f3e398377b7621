using Descent.Optimizers.Rules;
using System.Numerics;
using Descent.Schedules;

namespace Descent.Optimizers;

/// <summary>
/// Factories of the named optimizers, each a chain of update rules (and, for the hot ones, a fused kernel equal to it).
/// Defaults are PyTorch 1.13's. Named <c>Optim</c> (as <c>torch.optim</c>) so it does not clash with the namespace.
/// Every hyperparameter can later be overridden per group (<see cref="ParameterGroup{T}.Set"/>) or made to follow a
/// schedule (<see cref="Optimizer{T}.Set"/>).
/// </summary>
public static partial class Optim
{
    /// <summary>
    /// A custom optimizer from rules, e.g. <c>Optim.Chain("clipped-sgd", new() { [HyperparameterKey.LearningRate] = 0.1 },
    /// new ClipByValue&lt;double&gt;(-1, 1), new ScaleByLearningRate&lt;double&gt;())</c>. Only the keys given exist for it.
    /// </summary>
    public static Optimizer<T> Chain<T>(string kind, Dictionary<HyperparameterKey, Hyperparameter> hyperparameters, params IUpdateRule<T>[] rules)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var d = new Hyperparameter?[Hyperparameters.Count];
        foreach (var (k, v) in hyperparameters)
        {
            if ((uint)k >= Hyperparameters.Count) throw new ArgumentOutOfRangeException(nameof(hyperparameters), $"Unknown key {k}.");
            d[(int)k] = v;
        }
        return new Optimizer<T>(kind, rules, d);
    }

    internal static Hyperparameter?[] Defaults(params (HyperparameterKey Key, double Value)[] values)
    {
        var d = new Hyperparameter?[Hyperparameters.Count];
        foreach (var (k, v) in values) d[(int)k] = v;
        return d;
    }

    /// <summary>The factories' <c>learningRateSchedule</c> argument: <see cref="Optimizer{T}.SetSchedule"/> when there is one.</summary>
    internal static Optimizer<T> WithSchedule<T>(Optimizer<T> optimizer, ISchedule? learningRateSchedule)
        where T : unmanaged, IFloatingPointIeee754<T>
        => learningRateSchedule is null ? optimizer : optimizer.SetSchedule(learningRateSchedule);

    internal static double Check(HyperparameterKey key, double value, string name) => Hyperparameters.Validate(key, value, name);

    /// <summary>
    /// The Adam family's keys: validates lr, betas, eps and weight decay (in that order, naming the factory's parameters) and
    /// returns them as defaults (other keys unset).
    /// </summary>
    internal static Hyperparameter?[] AdamDefaults(double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        CheckBetas(beta1, beta2);
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        return Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2),
            (HyperparameterKey.Epsilon, epsilon), (HyperparameterKey.WeightDecay, weightDecay));
    }

    /// <summary>
    /// The Adam family with coupled (L2) weight decay shared by NAdam, RAdam and Adamax:
    /// [Maximize], AddDecayedWeights, <paramref name="scale"/>, ScaleByLearningRate. Validates every argument before building.
    /// </summary>
    internal static Optimizer<T> L2AdamFamily<T>(string kind, IUpdateRule<T> scale, double learningRate, double beta1, double beta2,
        double epsilon, double weightDecay, bool maximize, ISchedule? learningRateSchedule,
        params (HyperparameterKey Key, double Value, string Name)[] extra)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = AdamDefaults(learningRate, beta1, beta2, epsilon, weightDecay);
        foreach (var (key, value, name) in extra) d[(int)key] = Check(key, value, name);
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new AddDecayedWeights<T>());
        rules.Add(scale);
        rules.Add(new ScaleByLearningRate<T>());
        return WithSchedule(new Optimizer<T>(kind, rules, d), learningRateSchedule);
    }

    internal static void CheckBetas(double beta1, double beta2)
    {
        Check(HyperparameterKey.Beta1, beta1, nameof(beta1));
        Check(HyperparameterKey.Beta2, beta2, nameof(beta2));
    }
}

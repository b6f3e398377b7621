using System.Numerics;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Optimizers;

public static partial class Optim
{
    /// <summary>
    /// Muon for matrices (momentum, then Newton–Schulz orthogonalization) with AdamW for everything else, in one optimizer.
    /// A parameter registered with a shape of two or more dimensions gets Muon; vectors and scalars get AdamW with
    /// <paramref name="adamLearningRate"/>. Mark a group to use AdamW for all its buffers (embeddings, the output layer, as the
    /// authors advise) with <c>group.Set(HyperparameterKey.UseMuon, 0)</c>. Composed: [Maximize], <see cref="ScaleByMuon{T}"/>.
    /// </summary>
    /// <param name="learningRate">lr of the Muon part, default 0.02 (reference); finite, &gt;= 0.</param>
    /// <param name="momentum">momentum of the Muon part, default 0.95; in [0, 1).</param>
    /// <param name="nesterov">nesterov, default true.</param>
    /// <param name="newtonSchulzSteps">ns_steps, default 5; in [1, 100].</param>
    /// <param name="weightDecay">weight_decay (decoupled, p *= 1 - lr wd, for both parts), default 0; finite, &gt;= 0.</param>
    /// <param name="adamLearningRate">adam_lr: lr of the AdamW part, default 3e-4 (reference); finite, &gt;= 0.</param>
    /// <param name="beta1">betas[0] of the AdamW part, default 0.9; in [0, 1).</param>
    /// <param name="beta2">betas[1] of the AdamW part, default 0.95 (reference); in [0, 1).</param>
    /// <param name="epsilon">eps of the AdamW part, default 1e-10 (reference); finite, &gt;= 0.</param>
    /// <param name="maximize">maximize, default false.</param>
    /// <param name="learningRateSchedule">optional factor schedule, applied to lr and adam_lr.</param>
    /// <remarks>Jordan et al., "Muon: An optimizer for hidden layers in neural networks" (2024); defaults of the reference
    /// <c>MuonWithAuxAdam</c>.</remarks>
    public static Optimizer<T> Muon<T>(double learningRate = 0.02, double momentum = 0.95, bool nesterov = true, int newtonSchulzSteps = 5,
        double weightDecay = 0, double adamLearningRate = 3e-4, double beta1 = 0.9, double beta2 = 0.95, double epsilon = 1e-10,
        bool maximize = false, ISchedule? learningRateSchedule = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(HyperparameterKey.LearningRate, learningRate, nameof(learningRate));
        MuonDefinition.Momentum.Validate(momentum, nameof(momentum));
        MuonDefinition.NewtonSchulzSteps.Validate(newtonSchulzSteps, nameof(newtonSchulzSteps));
        Check(HyperparameterKey.WeightDecay, weightDecay, nameof(weightDecay));
        Check(HyperparameterKey.AdamLearningRate, adamLearningRate, nameof(adamLearningRate));
        CheckBetas(beta1, beta2);
        Check(HyperparameterKey.Epsilon, epsilon, nameof(epsilon));
        var d = Defaults((HyperparameterKey.LearningRate, learningRate), (HyperparameterKey.Momentum, momentum),
            (HyperparameterKey.WeightDecay, weightDecay), (HyperparameterKey.UseMuon, 1), (HyperparameterKey.AdamLearningRate, adamLearningRate),
            (HyperparameterKey.Beta1, beta1), (HyperparameterKey.Beta2, beta2), (HyperparameterKey.Epsilon, epsilon));
        var rules = new List<IUpdateRule<T>>();
        if (maximize) rules.Add(new Maximize<T>());
        rules.Add(new ScaleByMuon<T>(nesterov, newtonSchulzSteps));
        return WithSchedule(new Optimizer<T>("muon", rules, d, validate: v =>
        {
            double m = v[HyperparameterKey.Momentum];
            if (!(m < 1)) throw new ArgumentOutOfRangeException("momentum", m, $"momentum must be in [0, 1) for Muon; got {m}.");
        }), learningRateSchedule);
    }
}

/// <summary>Catalog entry <c>muon</c>.</summary>
internal sealed class MuonDefinition() : OptimizerDefinition("muon", "Muon (Newton-Schulz orthogonalized momentum) for matrices, AdamW for the rest",
    OptionDefinition.LearningRate(0.02), Momentum, OptionDefinition.Boolean("nesterov", true, "nesterov", "nesterov"), NewtonSchulzSteps,
    OptionDefinition.WeightDecay(), OptionDefinition.ForKey(HyperparameterKey.AdamLearningRate, 3e-4, null, null),
    OptionDefinition.Betas(0.9, 0.95).Names(null, "adam_b1, adam_b2"), OptionDefinition.Epsilon(1e-10).Names(null, null), OptionDefinition.Maximize.Names(null, null))
{
    /// <summary><c>momentum</c>: a key, but Muon's momentum must forget: [0, 1).</summary>
    internal static readonly OptionDefinition Momentum = OptionDefinition.ForKey(HyperparameterKey.Momentum, 0.95, "momentum", "beta").Within(ValueRange.Decay);
    internal static readonly OptionDefinition NewtonSchulzSteps = OptionDefinition.Number("ns_steps", 5, new ValueRange(1, 100, true, true, WholeNumbers: true), "ns_steps", "ns_steps");

    public override int Position => 1700;

    public override Optimizer<T> Create<T>(OptimizerSpec s)
    {
        int steps = (int)NewtonSchulzSteps.Validate(s.Number("ns_steps"), "ns_steps");
        return Optim.Muon<T>(s.Number("lr"), s.Number("momentum"), s.Boolean("nesterov"), steps,
            s.Number("weight_decay"), s.Number("adam_lr"), s.Pair("betas").First, s.Pair("betas").Second, s.Number("eps"), s.Boolean("maximize"));
    }

    public override IReadOnlyList<string> Variants => ["muon(nesterov=false, ns_steps=3, weight_decay=0.01, maximize=true)"];
    public override string TrainingExample => "muon(lr=0.02, adam_lr=1e-3)";
    public override ConvergenceCheck Quadratic => new("muon(lr=0.01)", 1000, 2e-2);
    public override ConvergenceCheck Rosenbrock => new("muon(lr=0.01, adam_lr=0.01)", 5000, 1e-2);
}

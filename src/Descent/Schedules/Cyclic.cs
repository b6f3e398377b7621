namespace Descent.Schedules;

/// <summary>The amplitude policy of <see cref="Cyclic"/>.</summary>
public enum CyclicMode
{
    /// <summary>Constant amplitude.</summary>
    Triangular,
    /// <summary>Amplitude halved every cycle.</summary>
    Triangular2,
    /// <summary>Amplitude scaled by <c>gamma^t</c>.</summary>
    ExpRange,
}

/// <summary>
/// Cyclical learning rates (Smith 2017; PyTorch <c>CyclicLR</c>): an <b>absolute</b> schedule between <paramref name="BaseLearningRate"/>
/// and <paramref name="MaxLearningRate"/>, rising for <paramref name="StepsUp"/> and falling for <paramref name="StepsDown"/> steps
/// (null: same as up), with momentum cycling inversely between <paramref name="MaxMomentum"/> and <paramref name="BaseMomentum"/>.
/// Text <c>cyclic(base=0.001, max=0.01, up=2000, down=2000, mode=triangular, gamma=1, momentum=true, base_momentum=0.8, max_momentum=0.9)</c>.
/// </summary>
public sealed record Cyclic(double BaseLearningRate, double MaxLearningRate, long StepsUp = 2000, long? StepsDown = null,
    CyclicMode Mode = CyclicMode.Triangular, double Gamma = 1, bool CycleMomentum = true, double BaseMomentum = 0.8, double MaxMomentum = 0.9) : Schedule
{
    /// <summary>Lower learning rate of the cycle (&gt;= 0; PyTorch <c>base_lr</c>, text <c>base</c>).</summary>
    public double BaseLearningRate { get; } = Check.NonNegative(BaseLearningRate, nameof(BaseLearningRate));
    /// <summary>Upper learning rate of the cycle (&gt;= 0; PyTorch <c>max_lr</c>, text <c>max</c>).</summary>
    public double MaxLearningRate { get; } = Check.NonNegative(MaxLearningRate, nameof(MaxLearningRate));
    /// <summary>Steps of the rising half-cycle (default 2000, &gt; 0; PyTorch <c>step_size_up</c>, text <c>up</c>).</summary>
    public long StepsUp { get; } = Check.PositiveSteps(StepsUp, nameof(StepsUp));
    /// <summary>Steps of the falling half-cycle (&gt; 0; null: same as <see cref="StepsUp"/>; PyTorch <c>step_size_down</c>, text <c>down</c>).</summary>
    public long? StepsDown { get; } = StepsDown is { } d ? Check.PositiveSteps(d, nameof(StepsDown)) : null;
    /// <summary>Amplitude decay per step of the <c>exp_range</c> mode (default 1, &gt; 0; PyTorch <c>gamma</c>).</summary>
    public double Gamma { get; } = Check.Positive(Gamma, nameof(Gamma));
    /// <summary>Momentum at the learning-rate peak (default 0.8, in [0, 1]; PyTorch <c>base_momentum</c>).</summary>
    public double BaseMomentum { get; } = Check.InRange(BaseMomentum, 0, 1, nameof(BaseMomentum));
    /// <summary>Momentum at the learning-rate trough (default 0.9, in [0, 1]; PyTorch <c>max_momentum</c>).</summary>
    public double MaxMomentum { get; } = Check.InRange(MaxMomentum, 0, 1, nameof(MaxMomentum));

    /// <inheritdoc />
    public override bool IsAbsolute => true;
    /// <inheritdoc />
    public override bool DrivesMomentum => CycleMomentum;

    private (double Scale, double Amplitude) Position(long step)
    {
        CheckStep(step);
        double up = StepsUp, total = up + (StepsDown ?? StepsUp);
        double ratio = up / total;
        double cycle = Math.Floor(1 + step / total);
        double x = 1 + step / total - cycle;
        double scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
        double amplitude = Mode switch
        {
            CyclicMode.Triangular => 1,
            CyclicMode.Triangular2 => 1 / Math.Pow(2, cycle - 1),
            _ => Math.Pow(Gamma, step),
        };
        return (scale, amplitude);
    }

    /// <inheritdoc />
    public override double At(long step)
    {
        var (scale, amplitude) = Position(step);
        return BaseLearningRate + (MaxLearningRate - BaseLearningRate) * scale * amplitude;
    }

    /// <inheritdoc />
    public override double? MomentumAt(long step)
    {
        if (!CycleMomentum) return null;
        var (scale, amplitude) = Position(step);
        return MaxMomentum - (MaxMomentum - BaseMomentum) * scale * amplitude;
    }

    /// <inheritdoc />
    public override string ToString()
        => $"cyclic(base={F(BaseLearningRate)}, max={F(MaxLearningRate)}, up={StepsUp}, down={StepsDown ?? StepsUp}, mode={ModeName}, gamma={F(Gamma)}, momentum={B(CycleMomentum)}, base_momentum={F(BaseMomentum)}, max_momentum={F(MaxMomentum)})";

    internal string ModeName => Mode switch { CyclicMode.Triangular => "triangular", CyclicMode.Triangular2 => "triangular2", _ => "exp_range" };
}

namespace Descent.Schedules;

/// <summary>Multi-step decay: <c>gamma^(number of milestones &lt;= t)</c> (PyTorch <c>MultiStepLR</c>; a repeated milestone decays twice, as in PyTorch). Text <c>multistep([30, 80], gamma=0.1)</c>.</summary>
public sealed record MultiStep(ValueList<long> Milestones, double Gamma = 0.1) : Schedule
{
    /// <summary>The milestones, non-decreasing and &gt;= 0.</summary>
    public ValueList<long> Milestones { get; } = Validate(Milestones);
    /// <summary>Factor applied at each milestone (default 0.1, &gt;= 0; PyTorch <c>gamma</c>).</summary>
    public double Gamma { get; } = Check.NonNegative(Gamma, nameof(Gamma));

    private static ValueList<long> Validate(ValueList<long> m)
    {
        Check.NotNull(m, nameof(Milestones));
        for (int i = 0; i < m.Count; i++)
        {
            if (m[i] < 0 || (i > 0 && m[i] < m[i - 1]))
                throw new ArgumentException("Milestones must be >= 0 and non-decreasing.", nameof(Milestones));
        }
        return m;
    }

    /// <inheritdoc />
    public override double At(long step)
    {
        CheckStep(step);
        int passed = 0;
        while (passed < Milestones.Count && Milestones[passed] <= step) passed++;
        return Math.Pow(Gamma, passed);
    }
    /// <inheritdoc />
    public override string ToString() => $"multistep([{string.Join(", ", Milestones)}], gamma={F(Gamma)})";
}

using Descent.Schedules;

namespace Descent.Optimizers;

/// <summary>
/// The momentum part of a schedule that drives momentum (1cycle, cyclic): <see cref="Schedule.MomentumAt"/> where it gives one,
/// else <paramref name="constant"/> (the optimizer's own momentum or beta1). Attached by <see cref="Optimizer{T}.SetSchedule"/>.
/// </summary>
internal sealed class MomentumOfSchedule(Schedule schedule, double constant) : ISchedule
{
    public double At(long step) => schedule.MomentumAt(step) ?? constant;

    public override string ToString() => $"momentum of {schedule}";
}

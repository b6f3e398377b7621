namespace Descent.Schedules;

/// <summary>Whether a smaller or a larger metric is better.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,
    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}

/// <summary>How an improvement is measured against the best metric.</summary>
public enum ThresholdMode
{
    /// <summary>By <c>threshold |best|</c>.</summary>
    Relative,
    /// <summary>By <c>threshold</c>.</summary>
    Absolute,
}

/// <summary>
/// Options of <see cref="ReduceOnPlateau"/> (PyTorch <c>ReduceLROnPlateau</c>; names: mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps).
/// </summary>
/// <param name="Mode">Min (default) or max.</param>
/// <param name="Factor">Multiplier applied on a plateau; in (0, 1); default 0.1.</param>
/// <param name="Patience">Bad reports tolerated before reducing; &gt;= 0; default 10.</param>
/// <param name="Threshold">Minimum improvement; &gt;= 0; default 1e-4.</param>
/// <param name="ThresholdMode">Relative (default) or absolute.</param>
/// <param name="Cooldown">Reports to wait after a reduction before counting bad reports again; &gt;= 0; default 0.</param>
/// <param name="MinFactor">Lower bound of the factor; PyTorch's <c>min_lr</c> divided by the base rate; default 0.</param>
/// <param name="Epsilon">A reduction smaller than this (in factor units) is skipped; PyTorch's <c>eps / base_lr</c>; default 1e-8.</param>
/// <param name="PyTorchRelative">
/// PyTorch's relative test compares with <c>best (1 - threshold)</c> (min) or <c>best (1 + threshold)</c> (max), which for a negative best
/// makes the bar <i>easier</i> than the best itself. By default this library uses <c>best - threshold |best|</c> and <c>best + threshold |best|</c>,
/// correct for either sign; set true to reproduce PyTorch exactly.
/// </param>
public sealed record PlateauOptions(PlateauMode Mode = PlateauMode.Min, double Factor = 0.1, int Patience = 10, double Threshold = 1e-4,
    ThresholdMode ThresholdMode = ThresholdMode.Relative, int Cooldown = 0, double MinFactor = 0, double Epsilon = 1e-8, bool PyTorchRelative = false)
{
    /// <summary>Multiplier applied on a plateau; in (0, 1); default 0.1.</summary>
    public double Factor { get; } = Factor is > 0 and < 1 ? Factor : throw new ArgumentOutOfRangeException(nameof(Factor), Factor, "Factor must be in (0, 1).");
    /// <summary>Bad reports tolerated before reducing; &gt;= 0; default 10.</summary>
    public int Patience { get; } = Patience >= 0 ? Patience : throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "Patience must be >= 0.");
    /// <summary>Minimum improvement; &gt;= 0; default 1e-4.</summary>
    public double Threshold { get; } = Check.NonNegative(Threshold, nameof(Threshold));
    /// <summary>Reports to wait after a reduction before counting bad reports again; &gt;= 0; default 0.</summary>
    public int Cooldown { get; } = Cooldown >= 0 ? Cooldown : throw new ArgumentOutOfRangeException(nameof(Cooldown), Cooldown, "Cooldown must be >= 0.");
    /// <summary>Lower bound of the factor; PyTorch's <c>min_lr</c> divided by the base rate; default 0.</summary>
    public double MinFactor { get; } = Check.NonNegative(MinFactor, nameof(MinFactor));
    /// <summary>A reduction smaller than this (in factor units) is skipped; PyTorch's <c>eps / base_lr</c>; default 1e-8.</summary>
    public double Epsilon { get; } = Check.NonNegative(Epsilon, nameof(Epsilon));
}

/// <summary>
/// The checkpointable state of <see cref="ReduceOnPlateau"/>: the best metric so far (±infinity before the first report),
/// the count of consecutive bad reports (PyTorch <c>num_bad_epochs</c>), the cooldown counter, the current factor, and the number of reports.
/// </summary>
public readonly record struct PlateauState(double Best, int BadReports, int CooldownCounter, double Factor, long Reports);

/// <summary>
/// Reduce-on-plateau: a controller whose factor drops by <see cref="PlateauOptions.Factor"/> when the reported metric stops improving.
/// Unlike the other schedules it has state, made explicit in <see cref="State"/> / <see cref="Restore"/> for checkpoints; <see cref="At"/>
/// returns the current factor whatever the step, so the controller can be one segment of a composed schedule (e.g.
/// <c>warmup(500) &gt;&gt; plateau(patience=5)</c>); feed it with <see cref="Report"/> or <see cref="ScheduleControl.ReportMetric"/>.
/// Text <c>plateau(mode=min, factor=0.1, patience=10, threshold=0.0001, threshold_mode=rel, cooldown=0, min=0, eps=1e-08)</c>.
/// </summary>
/// <remarks>
/// A NaN metric is never an improvement: it counts as a bad report (as in PyTorch), and never becomes the best.
/// Equality compares the options and the current state.
/// </remarks>
public sealed record ReduceOnPlateau : Schedule
{
    private PlateauState _state;

    /// <summary>A fresh controller (factor 1, no best yet).</summary>
    public ReduceOnPlateau(PlateauOptions options)
    {
        Options = Check.NotNull(options, nameof(options));
        _state = Initial(options);
    }

    /// <summary>The options.</summary>
    public PlateauOptions Options { get; }

    /// <summary>The state, to save in a checkpoint.</summary>
    public PlateauState State => _state;

    /// <summary>The current factor.</summary>
    public double Factor => _state.Factor;

    private static PlateauState Initial(PlateauOptions o) => new(o.Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity, 0, 0, 1, 0);

    /// <summary>Restores a saved state (validated; an invalid state changes nothing).</summary>
    public void Restore(PlateauState state)
    {
        if (double.IsNaN(state.Best)) throw new ArgumentException("Best must not be NaN.", nameof(state));
        if (state.BadReports < 0 || state.CooldownCounter < 0 || state.Reports < 0) throw new ArgumentException("Counters must be >= 0.", nameof(state));
        if (!double.IsFinite(state.Factor) || state.Factor < 0) throw new ArgumentException("Factor must be finite and >= 0.", nameof(state));
        _state = state;
    }

    /// <summary>Forgets everything (factor back to 1).</summary>
    public void Reset() => _state = Initial(Options);

    /// <summary>Whether <paramref name="metric"/> improves on <paramref name="best"/> under the options.</summary>
    public bool IsImprovement(double metric, double best)
    {
        if (double.IsNaN(metric)) return false;
        var o = Options;
        if (double.IsInfinity(best)) return o.Mode == PlateauMode.Min ? metric < best : metric > best;
        double margin = o.ThresholdMode == ThresholdMode.Absolute ? o.Threshold
            : o.PyTorchRelative ? best * o.Threshold // min: best (1 - th); max: best (1 + th)
            : Math.Abs(best) * o.Threshold;
        return o.Mode == PlateauMode.Min ? metric < best - margin : metric > best + margin;
    }

    /// <summary>Reports the metric measured after a step (or an epoch); returns true when the factor was reduced.</summary>
    public bool Report(double metric)
    {
        var o = Options;
        var s = _state;
        double best = s.Best;
        int bad = s.BadReports, cooldown = s.CooldownCounter;
        double factor = s.Factor;
        if (IsImprovement(metric, best)) { best = metric; bad = 0; }
        else bad++;
        if (cooldown > 0) { cooldown--; bad = 0; }
        bool reduced = false;
        if (bad > o.Patience)
        {
            double next = Math.Max(factor * o.Factor, o.MinFactor);
            if (factor - next > o.Epsilon) { factor = next; reduced = true; }
            cooldown = o.Cooldown;
            bad = 0;
        }
        _state = new PlateauState(best, bad, cooldown, factor, s.Reports + 1);
        return reduced;
    }

    /// <summary>The current factor (the step is only validated: the controller's value depends on the reports, not the step).</summary>
    public override double At(long step) { CheckStep(step); return _state.Factor; }

    /// <inheritdoc />
    public override string ToString()
    {
        var o = Options;
        return $"plateau(mode={(o.Mode == PlateauMode.Min ? "min" : "max")}, factor={F(o.Factor)}, patience={o.Patience}, threshold={F(o.Threshold)}, threshold_mode={(o.ThresholdMode == ThresholdMode.Relative ? "rel" : "abs")}, cooldown={o.Cooldown}, min={F(o.MinFactor)}, eps={F(o.Epsilon)}{(o.PyTorchRelative ? ", pytorch_rel=true" : "")})";
    }
}

/// <summary>Helpers for the stateful parts (plateau controllers) inside composed schedules.</summary>
public static class ScheduleControl
{
    /// <summary>All <see cref="ReduceOnPlateau"/> controllers inside <paramref name="schedule"/>.</summary>
    public static IEnumerable<ReduceOnPlateau> Controllers(this ISchedule schedule)
    {
        if (schedule is ReduceOnPlateau p) { yield return p; yield break; }
        if (schedule is Schedule s)
            foreach (var child in s.Children)
                foreach (var c in Controllers(child)) yield return c;
    }

    /// <summary>Reports <paramref name="metric"/> to every controller in <paramref name="schedule"/>; returns how many there were.</summary>
    public static int ReportMetric(this ISchedule schedule, double metric)
    {
        int n = 0;
        foreach (var c in schedule.Controllers()) { c.Report(metric); n++; }
        return n;
    }
}

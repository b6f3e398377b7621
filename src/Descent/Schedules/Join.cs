namespace Descent.Schedules;

/// <summary>
/// Runs <paramref name="Segments"/> one after another, segment <c>i</c> starting at <c>Boundaries[i-1]</c> with its own step count at 0
/// (Optax <c>join_schedules</c>; PyTorch <c>SequentialLR</c>, which restarts each child with <c>step(0)</c> at its milestone).
/// Text <c>a &gt;&gt; b &gt;&gt; c</c> (each boundary at the previous segments' lengths) or <c>join([a, b], at=[100])</c>.
/// </summary>
/// <remarks>A <see cref="Warmup"/> segment ramps to the value where the next segment begins, so <c>warmup(n) &gt;&gt; x</c> is continuous.
/// All non-warmup segments must agree on factor or absolute.</remarks>
public sealed record Join(ValueList<ISchedule> Segments, ValueList<long> Boundaries) : Schedule
{
    /// <summary>The schedules run one after another (at least one).</summary>
    public ValueList<ISchedule> Segments { get; } = ValidateSegments(Segments);
    /// <summary>The steps at which each segment after the first starts (one fewer than the segments, strictly increasing, &gt; 0).</summary>
    public ValueList<long> Boundaries { get; } = ValidateBoundaries(Boundaries, Segments);

    private static ValueList<ISchedule> ValidateSegments(ValueList<ISchedule> s)
    {
        Check.NotNull(s, nameof(Segments));
        if (s.Count == 0) throw new ArgumentException("A join needs at least one segment.", nameof(Segments));
        bool? absolute = null;
        foreach (var seg in s)
        {
            Check.NotNull(seg, nameof(Segments));
            if (seg is Warmup) continue;
            bool a = IsAbsoluteSchedule(seg);
            if (absolute is { } prior && prior != a)
                throw new ArgumentException("Cannot join a factor schedule with an absolute one (e.g. onecycle or cyclic): their values mean different things.", nameof(Segments));
            absolute = a;
        }
        return s;
    }

    private static ValueList<long> ValidateBoundaries(ValueList<long> b, ValueList<ISchedule> s)
    {
        Check.NotNull(b, nameof(Boundaries));
        if (b.Count != s.Count - 1) throw new ArgumentException($"A join of {s.Count} segments needs {s.Count - 1} boundaries, got {b.Count}.", nameof(Boundaries));
        for (int i = 0; i < b.Count; i++)
            if (b[i] <= 0 || (i > 0 && b[i] <= b[i - 1])) throw new ArgumentException("Boundaries must be > 0 and increasing.", nameof(Boundaries));
        return b;
    }

    /// <summary>Joins segments end to end at their <see cref="Schedule.Length"/>s (every segment but the last needs one).</summary>
    public static Join Sequence(params ISchedule[] segments)
    {
        var boundaries = new List<long>();
        long at = 0;
        for (int i = 0; i < segments.Length - 1; i++)
        {
            long length = LengthOf(segments[i]) ?? throw new ArgumentException($"Segment {i + 1} ({TextOf(segments[i])}) has no length, so nothing can follow it; use join([...], at=[...]).", nameof(segments));
            at = checked(at + length);
            boundaries.Add(at);
        }
        return new Join(segments, boundaries.ToArray());
    }

    /// <inheritdoc />
    public override bool IsAbsolute => Segments.Any(s => s is not Warmup && IsAbsoluteSchedule(s));
    /// <inheritdoc />
    public override bool DrivesMomentum => Segments.Any(s => s is Schedule { DrivesMomentum: true });
    /// <inheritdoc />
    public override long? Length => LengthOf(Segments[^1]) is { } last ? (Boundaries.Count > 0 ? Boundaries[^1] : 0) + last : null;
    /// <inheritdoc />
    public override IEnumerable<ISchedule> Children => Segments;
    /// <inheritdoc />
    public override Schedule WithTotal(long totalSteps)
    {
        long start = Boundaries.Count > 0 ? Boundaries[^1] : 0;
        if (Segments[^1] is not Schedule last) return this;
        var bound = last.WithTotal(Math.Max(1, totalSteps - start));
        return ReferenceEquals(bound, last) ? this : new Join(Segments.Take(Segments.Count - 1).Append(bound).ToArray(), Boundaries);
    }

    private int Find(long step, out long local)
    {
        CheckStep(step);
        int i = 0;
        while (i < Boundaries.Count && Boundaries[i] <= step) i++;
        local = i == 0 ? step : step - Boundaries[i - 1];
        return i;
    }

    /// <inheritdoc />
    public override double At(long step)
    {
        int i = Find(step, out long local);
        var segment = Segments[i];
        double v = segment.At(local);
        if (segment is Warmup && i + 1 < Segments.Count) v *= Segments[i + 1].At(0);
        return v;
    }

    /// <inheritdoc />
    public override double? MomentumAt(long step)
    {
        int i = Find(step, out long local);
        return Segments[i] is Schedule s ? s.MomentumAt(local) : null;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        bool chained = true;
        long at = 0;
        for (int i = 0; i < Boundaries.Count && chained; i++)
        {
            if (LengthOf(Segments[i]) is not { } length) { chained = false; break; }
            at += length;
            chained = at == Boundaries[i];
        }
        if (chained && Segments.Count > 1 && !Segments.Any(s => s is Join))
            return string.Join(" >> ", Segments.Select(TextOf));
        return $"join([{string.Join(", ", Segments.Select(TextOf))}], at=[{string.Join(", ", Boundaries)}])";
    }
}

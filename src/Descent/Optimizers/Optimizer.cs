using System.Numerics;
using Descent.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// A first-order optimizer: a chain of <see cref="IUpdateRule{T}"/> applied to groups of registered parameters, with an
/// optional fused kernel that computes the same chain in one pass. <see cref="Step"/> reads each parameter's gradient
/// buffer and updates the parameter in place. The training loop is the caller's: full-batch, mini-batch and
/// single-sample (stochastic) gradient descent differ only in which gradient the caller writes before each step.
/// Build one with the factories in <see cref="Optim"/> or the text form in <see cref="OptimizerCatalog"/>.
/// </summary>
public sealed class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IUpdateRule<T>[] _rules;
    private readonly Hyperparameter?[] _defaults;
    private readonly IFusedStep<T>? _fused;
    private readonly Action<ParameterGroupValues>? _validate;
    private readonly List<ParameterGroup<T>> _groups = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private T[] _update = [];
    private T[] _gradient = [];
    private double _maxGradientNorm = double.PositiveInfinity;
    private int _accumulationSteps = 1;
    private FusedBatch? _batch;
    private const string AccumulatorName = "accumulated_gradient";

    /// <summary>Creates an optimizer from its rules. <paramref name="defaults"/> has one entry per key the rules use (null: unused).</summary>
    /// <param name="kind">The optimizer's catalog name (e.g. <c>adamw</c>); saved state is only loaded into the same kind.</param>
    /// <param name="rules">The chain, applied in order to the update (initially the gradient).</param>
    /// <param name="defaults">Default hyperparameters, indexed by <see cref="HyperparameterKey"/>; validated here.</param>
    /// <param name="fused">Optional fused kernel equal to the chain.</param>
    /// <param name="validate">Optional cross-check of one group's resolved values (e.g. Nesterov needs momentum); throws ArgumentException.</param>
    public Optimizer(string kind, IReadOnlyList<IUpdateRule<T>> rules, IReadOnlyList<Hyperparameter?> defaults,
        IFusedStep<T>? fused = null, Action<ParameterGroupValues>? validate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(rules);
        if (defaults.Count != Hyperparameters.Count) throw new ArgumentException($"Expected {Hyperparameters.Count} defaults.", nameof(defaults));
        Kind = kind;
        _rules = rules.ToArray();
        _defaults = defaults.ToArray();
        _fused = fused;
        _validate = validate;
        for (int k = 0; k < _defaults.Length; k++)
        {
            if (_defaults[k] is { Schedule: null } h) Hyperparameters.Validate((HyperparameterKey)k, h.Value, ParameterNameOf((HyperparameterKey)k));
        }
        var probe = new double[Hyperparameters.Count];
        Resolve(probe, null, 0);
    }

    /// <summary>The optimizer's catalog name.</summary>
    public string Kind { get; }

    /// <summary>The chain of rules.</summary>
    public IReadOnlyList<IUpdateRule<T>> Rules => _rules;

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup<T>> Groups => _groups;

    /// <summary>Applied steps (the schedules' step index of the next step). Skipped steps and accumulation micro-steps do not count.</summary>
    public long StepCount { get; private set; }

    /// <summary>The number of scalar parameters registered, over all groups (a <see cref="long"/>: may exceed 2^31 in total).</summary>
    public long TotalParameterCount
    {
        get
        {
            long total = 0;
            foreach (var g in _groups) foreach (var p in g.Parameters) total += p.Length;
            return total;
        }
    }

    /// <summary>Steps skipped by <see cref="NonFinitePolicy.SkipStep"/>.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Gradients accumulated since the last applied step (0 unless <see cref="GradientAccumulationSteps"/> &gt; 1).</summary>
    public long MicroStep { get; private set; }

    /// <summary>What to do with NaN or infinite gradients (default <see cref="NonFinitePolicy.Propagate"/>, as PyTorch).</summary>
    public NonFinitePolicy NonFinitePolicy { get; set; } = NonFinitePolicy.Propagate;

    /// <summary>Use the fused kernel when there is one (default true). The composed chain is the reference; both give the same bits.</summary>
    public bool UseFusedKernels { get; set; } = true;

    /// <summary>Whether this optimizer has a fused kernel.</summary>
    public bool HasFusedKernel => _fused is not null;

    /// <summary>
    /// Clip by global norm: before the chain, gradients are scaled by max_norm / (norm + 1e-6) when their joint L2 norm
    /// exceeds it (PyTorch <c>clip_grad_norm_</c>, Optax <c>clip_by_global_norm</c>). Default +inf (off). The user's
    /// gradient buffers are not modified.
    /// </summary>
    public double MaxGradientNorm
    {
        get => _maxGradientNorm;
        set
        {
            if (double.IsNaN(value) || value <= 0) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), value, "MaxGradientNorm must be in (0, +inf]; +inf disables clipping.");
            _maxGradientNorm = value;
        }
    }

    /// <summary>
    /// Gradient accumulation (Optax <c>MultiSteps</c>): each call to <see cref="Step"/> adds the gradients to an accumulator;
    /// every k-th call applies one step with their mean. Default 1 (off). The accumulator is state buffer <c>accumulated_gradient</c>.
    /// </summary>
    public int GradientAccumulationSteps
    {
        get => _accumulationSteps;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), value, "GradientAccumulationSteps must be >= 1.");
            if (MicroStep != 0) throw new InvalidOperationException("Cannot change GradientAccumulationSteps in the middle of an accumulation.");
            _accumulationSteps = value;
            if (value > 1)
            {
                foreach (var g in _groups)
                    foreach (var s in g.States)
                        if (s.TryGetBuffer(AccumulatorName) is null) s.AddBuffer(AccumulatorName, T.Zero);
            }
        }
    }

    private StatePrecision _statePrecision = StatePrecision.Float32;

    /// <summary>
    /// The precision of the moment buffers of groups added from now on (<c>state=</c> in the text form; default
    /// <see cref="StatePrecision.Float32"/>). Compact precisions need float parameters and an optimizer with a compact kernel
    /// (<see cref="SupportsCompactState"/>); tensors below <see cref="BlockwiseQuantization.MinimumLength"/> elements keep float state.
    /// Groups can differ: <see cref="AddGroup(StatePrecision, Parameter{T}[])"/>.
    /// </summary>
    public StatePrecision StatePrecision
    {
        get => _statePrecision;
        set
        {
            CheckPrecision(value);
            _statePrecision = value;
        }
    }

    /// <summary>
    /// bfloat16 state only: round stochastically from this seed's counter-based stream (reproducible, independent of the
    /// thread count) instead of to nearest even. Default null (nearest even). Applies to groups added from now on.
    /// </summary>
    public ulong? StochasticRoundingSeed { get; set; }

    /// <summary>Whether this optimizer can keep compact (bfloat16 or int8) state: float parameters and a compact fused kernel.</summary>
    public bool SupportsCompactState => typeof(T) == typeof(float) && _fused is ICompactStateStep { CompactBuffers.Count: > 0 };

    /// <summary>Bytes of optimizer state held: float buffers at the parameter type's size, compact buffers as stored.</summary>
    public long StateByteCount
    {
        get
        {
            long total = 0;
            foreach (var g in _groups)
                foreach (var s in g.States)
                {
                    foreach (var b in s.Buffers) total += (long)b.Value.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
                    foreach (var c in s.CompactBuffers) total += c.ByteCount;
                }
            return total;
        }
    }

    private void CheckPrecision(StatePrecision precision)
    {
        if (!Enum.IsDefined(precision)) throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown state precision.");
        if (precision == StatePrecision.Float32) return;
        if (typeof(T) != typeof(float))
            throw new ArgumentException($"state={precision.TextName()} needs float parameters; this optimizer is {typeof(T).Name}.", nameof(precision));
        if (!SupportsCompactState)
            throw new ArgumentException($"{Kind} has no compact-state kernel in this configuration; state={precision.TextName()} is available for adam and adamw (without amsgrad), sgd with momentum and lion.", nameof(precision));
    }

    /// <summary>The optimizer-wide value of <paramref name="key"/> (groups may override it).</summary>
    public Hyperparameter GetDefault(HyperparameterKey key)
        => _defaults[(int)key] ?? throw new ArgumentException($"{Kind} has no hyperparameter '{Hyperparameters.TextName(key)}'.", nameof(key));

    /// <summary>Sets the optimizer-wide <paramref name="key"/>: a constant, or a schedule (any hyperparameter can follow one).</summary>
    public Optimizer<T> Set(HyperparameterKey key, Hyperparameter value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckSettable(key, value);
        var old = _defaults[(int)key];
        _defaults[(int)key] = value;
        try
        {
            var probe = new double[Hyperparameters.Count];
            Resolve(probe, null, StepCount);
        }
        catch
        {
            _defaults[(int)key] = old;
            throw;
        }
        return this;
    }

    /// <summary>
    /// Makes <paramref name="key"/> (default the learning rate) follow <paramref name="schedule"/> with the schedule's own meaning:
    /// <list type="bullet">
    /// <item>an absolute schedule (<see cref="Descent.Schedules.Schedule.IsAbsolute"/>: <c>onecycle(max=0.1)</c>,
    /// <c>cyclic(base=1e-3, max=1e-2)</c>, and combinators containing one) gives the value itself, as PyTorch's
    /// <c>OneCycleLR</c> and <c>CyclicLR</c> do: the optimizer's own value of the key is ignored;</item>
    /// <item>any other schedule (cosine, step, warmup, a foreign <see cref="ISchedule"/>) is a factor of the key's current value:
    /// value(t) = base · At(t), as PyTorch's <c>LambdaLR</c> and Optax's <c>scale_by_schedule</c>;</item>
    /// <item>a learning-rate schedule that drives momentum (<see cref="Descent.Schedules.Schedule.DrivesMomentum"/>: 1cycle and
    /// cyclic with <c>cycle_momentum</c>) also drives the optimizer's momentum, as PyTorch does: beta1 when the optimizer has one,
    /// else SGD's momentum when it is above 0 (otherwise nothing); steps where the schedule gives no momentum keep the constant.</item>
    /// </list>
    /// The value at step t is the one the step whose 0-based index is t uses (<see cref="StepCount"/>), so attaching before the
    /// first step makes step 0 use <c>At(0)</c>. Validated like <see cref="Set"/>; on error nothing changes.
    /// </summary>
    /// <exception cref="ArgumentException">The optimizer has no such key.</exception>
    /// <exception cref="InvalidOperationException">A factor schedule is attached to a key that already follows an absolute schedule (no base value to scale).</exception>
    public Optimizer<T> SetSchedule(Descent.Schedules.ISchedule schedule, HyperparameterKey key = HyperparameterKey.LearningRate)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var current = GetDefault(key);
        Hyperparameter value;
        if (Descent.Schedules.Schedule.IsAbsoluteSchedule(schedule))
        {
            value = Hyperparameter.Scheduled(schedule);
        }
        else
        {
            if (current.Schedule is not null && !current.IsFactor)
            {
                throw new InvalidOperationException(
                    $"{Hyperparameters.TextName(key)} follows the absolute schedule {current.Schedule}; set a constant before attaching the factor schedule {schedule}.");
            }
            value = Hyperparameter.Scaled(current.Value, schedule);
        }
        HyperparameterKey? momentum = key == HyperparameterKey.LearningRate && schedule is Descent.Schedules.Schedule { DrivesMomentum: true } ? MomentumKey() : null;
        var previous = _defaults[(int)key];
        Set(key, value);
        if (momentum is { } m)
        {
            try
            {
                Set(m, Hyperparameter.Scheduled(new MomentumOfSchedule((Descent.Schedules.Schedule)schedule, GetDefault(m).At(StepCount))));
            }
            catch
            {
                _defaults[(int)key] = previous;
                throw;
            }
        }
        return this;
    }

    // The key a momentum-driving schedule drives: beta1 if the optimizer has one, else SGD momentum when it is on.
    private HyperparameterKey? MomentumKey()
    {
        if (_defaults[(int)HyperparameterKey.Beta1] is not null) return HyperparameterKey.Beta1;
        if (_defaults[(int)HyperparameterKey.Momentum] is { } m && m.At(StepCount) > 0) return HyperparameterKey.Momentum;
        return null;
    }

    /// <summary>The hyperparameter keys this optimizer uses.</summary>
    public IEnumerable<HyperparameterKey> Keys
    {
        get
        {
            for (int k = 0; k < _defaults.Length; k++)
                if (_defaults[k] is not null) yield return (HyperparameterKey)k;
        }
    }

    /// <summary>Adds a group of parameters (names unique in the optimizer) and creates their state in <see cref="StatePrecision"/>.</summary>
    public ParameterGroup<T> AddGroup(params Parameter<T>[] parameters) => AddGroup(_statePrecision, parameters);

    /// <summary>Adds a group of parameters whose moment buffers are kept in <paramref name="precision"/> (PyTorch-style per-group option).</summary>
    public ParameterGroup<T> AddGroup(StatePrecision precision, params Parameter<T>[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckPrecision(precision);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (_names.Contains(p.Name) || !seen.Add(p.Name)) throw new ArgumentException($"A parameter named '{p.Name}' is already registered.", nameof(parameters));
        }
        var group = new ParameterGroup<T>(this, (Parameter<T>[])parameters.Clone());
        Resolve(group.Resolved, group, StepCount);
        var context = new StepContext(0, group.Resolved, group.Get(HyperparameterKey.LearningRate).FactorAt(StepCount));
        foreach (var s in group.States)
        {
            foreach (var r in _rules) r.Initialize(s, context);
            if (_accumulationSteps > 1) s.AddBuffer(AccumulatorName, T.Zero);
        }
        group.StatePrecision = precision;
        if (precision != StatePrecision.Float32)
        {
            var layout = ((ICompactStateStep)_fused!).CompactBuffers;
            foreach (var s in group.States)
                if (s.Length >= BlockwiseQuantization.MinimumLength)
                    foreach (var (name, signed) in layout) s.Compress(name, precision, signed, StochasticRoundingSeed);
        }
        ParameterState<T>.LayOutByName(group.States);
        _names.UnionWith(seen);
        _groups.Add(group);
        _batch = null;
        int max = group.Parameters.Count == 0 ? 0 : group.Parameters.Max(p => p.Length);
        if (max > _update.Length)
        {
            _update = new T[max];
            _gradient = new T[max];
        }
        return group;
    }

    /// <summary>
    /// One optimization step from the gradients in the registered buffers. Hyperparameters are resolved and checked,
    /// and gradients checked against <see cref="NonFinitePolicy"/>, before anything is modified. Allocates nothing.
    /// </summary>
    public void Step()
    {
        foreach (var g in _groups) Resolve(g.Resolved, g, StepCount);
        foreach (var rule in _rules) if (rule is IGlobalStepRule<T> global) global.BeginStep(this); // opt-new2: cross-parameter rules (Prodigy)
        bool zeroNonFinite = false;
        if (NonFinitePolicy != NonFinitePolicy.Propagate && !AllGradientsFinite())
        {
            switch (NonFinitePolicy)
            {
                case NonFinitePolicy.Throw:
                    throw new ArithmeticException($"A gradient contains NaN or infinity ({Kind} step {StepCount}); nothing was modified.");
                case NonFinitePolicy.SkipStep:
                    SkippedSteps++;
                    return;
                default:
                    zeroNonFinite = true;
                    break;
            }
        }
        bool accumulate = _accumulationSteps > 1;
        if (accumulate)
        {
            foreach (var g in _groups)
            {
                for (int i = 0; i < g.Parameters.Count; i++)
                {
                    var acc = g.States[i].Buffer(AccumulatorName).AsSpan();
                    var grad = g.Parameters[i].Gradient.Span;
                    for (int j = 0; j < acc.Length; j++)
                    {
                        T x = grad[j];
                        if (zeroNonFinite && !T.IsFinite(x)) x = T.Zero;
                        acc[j] = acc[j] + x;
                    }
                }
            }
            if (++MicroStep < _accumulationSteps) return;
            MicroStep = 0;
        }
        T clipScale = T.One;
        if (!double.IsPositiveInfinity(_maxGradientNorm))
        {
            double norm = GlobalNorm(zeroNonFinite, accumulate);
            if (norm > _maxGradientNorm) clipScale = T.CreateTruncating(_maxGradientNorm / (norm + 1e-6));
        }
        T accumulationScale = T.One / T.CreateTruncating((double)_accumulationSteps);
        bool prepare = zeroNonFinite || accumulate || clipScale != T.One;
        if (!prepare && _fused is not null && UseFusedKernels && Parallelism.MaxThreads > 1)
        {
            StepFusedBatched(_fused);
            StepCount++;
            return;
        }
        foreach (var g in _groups)
        {
            double factor = g.Get(HyperparameterKey.LearningRate).FactorAt(StepCount);
            for (int i = 0; i < g.Parameters.Count; i++)
            {
                var p = g.Parameters[i];
                var s = g.States[i];
                ReadOnlyMemory<T> gradient = p.Gradient;
                if (prepare)
                {
                    var buffer = _gradient.AsMemory(0, p.Length);
                    var b = buffer.Span;
                    if (accumulate)
                    {
                        var acc = s.Buffer(AccumulatorName).AsSpan();
                        for (int j = 0; j < b.Length; j++) b[j] = acc[j] * accumulationScale;
                        acc.Clear();
                    }
                    else
                    {
                        gradient.Span.CopyTo(b);
                        if (zeroNonFinite)
                            for (int j = 0; j < b.Length; j++) if (!T.IsFinite(b[j])) b[j] = T.Zero;
                    }
                    if (clipScale != T.One)
                        for (int j = 0; j < b.Length; j++) b[j] = b[j] * clipScale;
                    gradient = buffer;
                }
                var context = new StepContext(s.Step + 1, g.Resolved, factor);
                if (_fused is not null && UseFusedKernels)
                {
                    // A small tensor followed by another in the same group: let the kernel prefetch the next one.
                    bool announce = !prepare && p.Length < FusedLoop.ParallelThreshold && i + 1 < g.Parameters.Count;
                    if (announce) AnnounceNext(g, i + 1);
                    _fused.Apply(p, s, gradient, context);
                    if (announce) FusedLoop.ClearNext();
                }
                else
                {
                    ApplyComposed(p, s, gradient.Span, context);
                }
                s.Step++;
            }
        }
        foreach (var rule in _rules) if (rule is IGlobalStepRule<T> global) global.EndStep(this); // opt-new2: cross-parameter rules (Prodigy)
        StepCount++;
    }

    // Multi-tensor path: tensors too small to be split across threads are packed into batches of about
    // FusedLoop.ChunkFor(total) elements, and the batches run as one job on the worker pool (one dispatch per step rather
    // than one serial call per tensor). Each tensor is still updated by the same fused kernel call, so the bits are
    // those of the serial loop whatever the thread count.
    private void StepFusedBatched(IFusedStep<T> fused)
    {
        var batch = _batch ??= new FusedBatch(this);
        for (int gi = 0; gi < _groups.Count; gi++) batch.Factors[gi] = _groups[gi].Get(HyperparameterKey.LearningRate).FactorAt(StepCount);
        batch.Fused = fused;
        try
        {
            foreach (var (gi, i) in batch.Large) batch.ApplyOne(gi, i);
            if (batch.Starts.Length > 1) WorkerPool.Shared.Run(batch, batch.Starts.Length - 1, Parallelism.MaxThreads);
        }
        finally
        {
            batch.Fused = null;
        }
    }

    private sealed class FusedBatch : ChunkJob
    {
        private readonly Optimizer<T> _owner;
        private readonly (int Group, int Index)[] _small;
        public readonly (int Group, int Index)[] Large;
        /// <summary>Batch b covers _small[Starts[b]..Starts[b + 1]).</summary>
        public readonly int[] Starts;
        public readonly double[] Factors;
        public IFusedStep<T>? Fused;

        public FusedBatch(Optimizer<T> owner)
        {
            _owner = owner;
            var small = new List<(int, int)>();
            var large = new List<(int, int)>();
            var starts = new List<int> { 0 };
            long smallTotal = 0;
            foreach (var g in owner._groups)
                foreach (var p in g.Parameters)
                    if (p.Length < FusedLoop.ParallelThreshold) smallTotal += p.Length;
            // Batches of about FusedLoop.ChunkFor elements: long runs of consecutive tensors per worker, about 16 per core.
            int target = FusedLoop.ChunkFor((int)Math.Min(smallTotal, int.MaxValue), Environment.ProcessorCount);
            long filled = 0;
            for (int gi = 0; gi < owner._groups.Count; gi++)
            {
                var g = owner._groups[gi];
                for (int i = 0; i < g.Parameters.Count; i++)
                {
                    int n = g.Parameters[i].Length;
                    if (n >= FusedLoop.ParallelThreshold)
                    {
                        large.Add((gi, i));
                        continue;
                    }
                    small.Add((gi, i));
                    filled += n;
                    if (filled >= target)
                    {
                        starts.Add(small.Count);
                        filled = 0;
                    }
                }
            }
            if (starts[^1] != small.Count) starts.Add(small.Count);
            _small = small.ToArray();
            Large = large.ToArray();
            Starts = starts.ToArray();
            Factors = new double[owner._groups.Count];
        }

        public void ApplyOne(int gi, int i)
        {
            var g = _owner._groups[gi];
            var p = g.Parameters[i];
            var s = g.States[i];
            Fused!.Apply(p, s, p.Gradient, new StepContext(s.Step + 1, g.Resolved, Factors[gi]));
            s.Step++;
        }

        public override void RunChunk(int index)
        {
            int end = Starts[index + 1];
            try
            {
                for (int k = Starts[index]; k < end; k++)
                {
                    if (k + 1 < end) Announce(_small[k + 1].Group, _small[k + 1].Index);
                    else FusedLoop.ClearNext();
                    ApplyOne(_small[k].Group, _small[k].Index);
                }
            }
            finally
            {
                FusedLoop.ClearNext();
            }
        }

        private void Announce(int gi, int i) => AnnounceNext(_owner._groups[gi], i);
    }

    // The parameter, gradient and (up to three) state buffers of parameter i of g, for FusedLoop to prefetch while the
    // tensor before it is stepped (runs of small tensors; see FusedLoop.AnnounceNext).
    private static void AnnounceNext(ParameterGroup<T> g, int i)
    {
        var p = g.Parameters[i];
        var buffers = g.States[i].Buffers;
        ReadOnlySpan<T> Buffer(int b) => b < buffers.Count ? buffers[b].Value : default;
        FusedLoop.AnnounceNext<T>(p.Length, p.Value.Span, p.Gradient.Span, Buffer(0), Buffer(1), Buffer(2));
    }

    private void ApplyComposed(Parameter<T> p, ParameterState<T> s, ReadOnlySpan<T> gradient, in StepContext context)
    {
        var update = _update.AsSpan(0, p.Length);
        gradient.CopyTo(update);
        var value = p.Value.Span;
        // Compact state: the reference decodes it into float buffers, runs the chain, and encodes it back.
        bool compact = s.CompactBuffers.Count > 0;
        if (compact) s.Expand();
        try
        {
            foreach (var rule in _rules) rule.Apply(update, value, s, context);
        }
        finally
        {
            if (compact) s.Contract(context.Step);
        }
        for (int j = 0; j < value.Length; j++) value[j] = value[j] + update[j];
    }

    private bool AllGradientsFinite()
    {
        foreach (var g in _groups)
            for (int i = 0; i < g.States.Length; i++)
                foreach (T x in g.Parameters[i].Gradient.Span)
                    if (!T.IsFinite(x)) return false;
        return true;
    }

    private double GlobalNorm(bool zeroNonFinite, bool accumulated)
    {
        double sum = 0;
        foreach (var g in _groups)
        {
            for (int i = 0; i < g.Parameters.Count; i++)
            {
                ReadOnlySpan<T> x = accumulated ? g.States[i].Buffer(AccumulatorName) : g.Parameters[i].Gradient.Span;
                double scale = accumulated ? 1.0 / _accumulationSteps : 1.0;
                double part = 0;
                foreach (T v in x)
                {
                    double d = double.CreateTruncating(v) * scale;
                    if (zeroNonFinite && !double.IsFinite(d)) continue;
                    part += d * d;
                }
                sum += part;
            }
        }
        return Math.Sqrt(sum);
    }

    internal void CheckSettable(HyperparameterKey key, Hyperparameter value)
    {
        if ((uint)key >= Hyperparameters.Count || _defaults[(int)key] is null)
        {
            throw new ArgumentException($"{Kind} has no hyperparameter '{((uint)key < Hyperparameters.Count ? Hyperparameters.TextName(key) : key.ToString())}'.", nameof(key));
        }
        if (value.Schedule is null) Hyperparameters.Validate(key, value.Value, ParameterNameOf(key));
    }

    private void Resolve(double[] into, ParameterGroup<T>? group, long step)
    {
        for (int k = 0; k < into.Length; k++)
        {
            var h = _defaults[k] is null ? null : group?.Override((HyperparameterKey)k) ?? _defaults[k];
            double v = h is null ? double.NaN : h.At(step);
            if (h is not null) Hyperparameters.Validate((HyperparameterKey)k, v, ParameterNameOf((HyperparameterKey)k));
            into[k] = v;
        }
        _validate?.Invoke(new ParameterGroupValues(into));
    }

    private static string ParameterNameOf(HyperparameterKey key) => Hyperparameters.Info(key).ParameterName;

    // ---- State: enumerate, save and load (for a generic serializer) ----

    /// <summary>Every state buffer, live (writing to it changes the optimizer): (parameter name, buffer name, values).</summary>
    public IEnumerable<StateBuffer<T>> StateBuffers
    {
        get
        {
            foreach (var g in _groups)
                foreach (var s in g.States)
                    foreach (var b in s.Buffers)
                        yield return new StateBuffer<T>(s.ParameterName, b.Key, b.Value);
        }
    }

    /// <summary>Every parameter's state (step, buffers, scalars), in group and registration order.</summary>
    public IEnumerable<ParameterState<T>> ParameterStates => _groups.SelectMany(g => g.States);

    /// <summary>A deep copy of the whole state.</summary>
    public OptimizerSnapshot<T> SaveState() => new(
        Kind, StepCount, SkippedSteps, MicroStep,
        ParameterStates.Select(s => new ParameterSnapshot<T>(
            s.ParameterName, s.Step,
            s.Buffers.Select(b => new KeyValuePair<string, T[]>(b.Key, (T[])b.Value.Clone())).ToArray(),
            s.Scalars.Select(x => new KeyValuePair<string, double>(x.Name, x.Value)).ToArray())
        {
            CompactBuffers = s.CompactBuffers.Select(CompactBufferSnapshot.Of).ToArray(),
        }).ToArray());

    /// <summary>
    /// Loads <paramref name="snapshot"/>: the kind, parameter names, buffer names and lengths and scalar names must all match
    /// this optimizer exactly; otherwise an <see cref="ArgumentException"/> says what differs and nothing is changed.
    /// </summary>
    public void LoadState(OptimizerSnapshot<T> snapshot) => LoadState(snapshot, convertStatePrecision: false);

    /// <summary>
    /// Loads <paramref name="snapshot"/> as <see cref="LoadState(OptimizerSnapshot{T})"/>; with <paramref name="convertStatePrecision"/>
    /// a buffer saved in another precision (float32, bfloat16, int8) is converted to this optimizer's (decoded, then
    /// encoded); without it a precision mismatch is an error and nothing changes.
    /// </summary>
    public void LoadState(OptimizerSnapshot<T> snapshot, bool convertStatePrecision)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Kind != Kind) throw new ArgumentException($"State of a '{snapshot.Kind}' optimizer cannot be loaded into '{Kind}'.", nameof(snapshot));
        if (snapshot.StepCount < 0 || snapshot.SkippedSteps < 0 || snapshot.MicroStep < 0 || snapshot.MicroStep >= _accumulationSteps)
            throw new ArgumentException("Step counts out of range.", nameof(snapshot));
        var states = ParameterStates.ToArray();
        if (states.Length != snapshot.Parameters.Count)
            throw new ArgumentException($"The snapshot has {snapshot.Parameters.Count} parameters; this optimizer has {states.Length}.", nameof(snapshot));
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            var p = snapshot.Parameters[i];
            if (p.Name != s.ParameterName) throw new ArgumentException($"Parameter {i} is '{p.Name}' in the snapshot but '{s.ParameterName}' here.", nameof(snapshot));
            if (p.Step < 0) throw new ArgumentException($"Negative step for '{p.Name}'.", nameof(snapshot));
            CompactStateTransfer.Check(p, s, convertStatePrecision);
            if (convertStatePrecision) goto scalars;
            if (p.Buffers.Count != s.Buffers.Count) throw new ArgumentException($"'{p.Name}' has {p.Buffers.Count} state buffers in the snapshot, {s.Buffers.Count} here.", nameof(snapshot));
            for (int b = 0; b < p.Buffers.Count; b++)
            {
                if (p.Buffers[b].Key != s.Buffers[b].Key) throw new ArgumentException($"'{p.Name}' buffer {b} is '{p.Buffers[b].Key}' in the snapshot, '{s.Buffers[b].Key}' here.", nameof(snapshot));
                if (p.Buffers[b].Value is null || p.Buffers[b].Value.Length != s.Buffers[b].Value.Length) throw new ArgumentException($"'{p.Name}.{p.Buffers[b].Key}' has length {p.Buffers[b].Value?.Length} in the snapshot, {s.Buffers[b].Value.Length} here.", nameof(snapshot)); // opt-new1: buffers may be shorter than the parameter (Adafactor factors)
            }
        scalars:
            if (p.Scalars.Count != s.Scalars.Count) throw new ArgumentException($"'{p.Name}' has {p.Scalars.Count} state scalars in the snapshot, {s.Scalars.Count} here.", nameof(snapshot));
            for (int b = 0; b < p.Scalars.Count; b++)
                if (p.Scalars[b].Key != s.Scalars[b].Name) throw new ArgumentException($"'{p.Name}' scalar {b} is '{p.Scalars[b].Key}' in the snapshot, '{s.Scalars[b].Name}' here.", nameof(snapshot));
        }
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            var p = snapshot.Parameters[i];
            s.Step = p.Step;
            CompactStateTransfer.Copy(p, s);
            for (int b = 0; b < p.Scalars.Count; b++) s.Scalars[b].Value = p.Scalars[b].Value;
        }
        StepCount = snapshot.StepCount;
        SkippedSteps = snapshot.SkippedSteps;
        MicroStep = snapshot.MicroStep;
    }
}

/// <summary>One group's hyperparameters resolved for a step (for cross-checks such as "Nesterov needs momentum").</summary>
public readonly struct ParameterGroupValues
{
    private readonly double[] _values;
    internal ParameterGroupValues(double[] values) => _values = values;

    /// <summary>The value of <paramref name="key"/> (NaN if unused).</summary>
    public double this[HyperparameterKey key] => _values[(int)key];
}

/// <summary>A live state buffer: which parameter, which buffer (PyTorch's state key), and its values.</summary>
public readonly record struct StateBuffer<T>(string ParameterName, string BufferName, Memory<T> Values);

/// <summary>A deep copy of one parameter's state.</summary>
public sealed record ParameterSnapshot<T>(string Name, long Step, IReadOnlyList<KeyValuePair<string, T[]>> Buffers, IReadOnlyList<KeyValuePair<string, double>> Scalars)
{
    /// <summary>The buffers held in a compact precision (bfloat16, int8), stored as is.</summary>
    public IReadOnlyList<CompactBufferSnapshot> CompactBuffers { get; init; } = [];
}

/// <summary>A deep copy of an optimizer's state: kind, step counters and every parameter's state.</summary>
public sealed record OptimizerSnapshot<T>(string Kind, long StepCount, long SkippedSteps, long MicroStep, IReadOnlyList<ParameterSnapshot<T>> Parameters);

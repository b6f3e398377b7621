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
/// <remarks>
/// One class in three files by responsibility: this one (registration, hyperparameters and schedules, the step), 
/// <c>Optimizer.Fused.cs</c> (the batched multi-tensor fused path and prefetch) and <c>Optimizer.State.cs</c> (state
/// enumeration, save and load). Gradient preprocessing (non-finite policy, accumulation, global-norm clipping) is the stage
/// <see cref="GradientPreprocessing{T}"/> in front of the chain.
/// </remarks>
public sealed partial class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IUpdateRule<T>[] _rules;
    private readonly Hyperparameter?[] _defaults;
    private readonly IFusedStep<T>? _fused;
    private readonly Action<ParameterGroupValues>? _validate;
    private readonly List<ParameterGroup<T>> _groups = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly GradientPreprocessing<T> _preprocessing = new();
    private T[] _update = [];
    private int _maxDegreeOfParallelism = Parallelism.ProcessDefault;

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
    public long SkippedSteps => _preprocessing.SkippedSteps;

    /// <summary>Gradients accumulated since the last applied step (0 unless <see cref="GradientAccumulationSteps"/> &gt; 1).</summary>
    public long MicroStep => _preprocessing.MicroStep;

    /// <summary>What to do with NaN or infinite gradients (default <see cref="NonFinitePolicy.Propagate"/>, as PyTorch).</summary>
    public NonFinitePolicy NonFinitePolicy
    {
        get => _preprocessing.NonFinitePolicy;
        set => _preprocessing.NonFinitePolicy = value;
    }

    /// <summary>Use the fused kernel when there is one (default true). The composed chain is the reference; both give the same bits.</summary>
    public bool UseFusedKernels { get; set; } = true;

    /// <summary>
    /// Threads a step may use (default <see cref="Parallelism.ProcessDefault"/>; at least 1): large tensors are split across
    /// them and runs of small ones batched onto them. Results are bit-identical for every value.
    /// </summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = Parallelism.Validate(value, nameof(MaxDegreeOfParallelism));
    }

    /// <summary>Whether this optimizer has a fused kernel.</summary>
    public bool HasFusedKernel => _fused is not null;

    /// <summary>
    /// Clip by global norm: before the chain, gradients are scaled by max_norm / (norm + 1e-6) when their joint L2 norm
    /// exceeds it (PyTorch <c>clip_grad_norm_</c>, Optax <c>clip_by_global_norm</c>). Default +inf (off). The user's
    /// gradient buffers are not modified.
    /// </summary>
    public double MaxGradientNorm
    {
        get => _preprocessing.MaxGradientNorm;
        set => _preprocessing.MaxGradientNorm = value;
    }

    /// <summary>
    /// Gradient accumulation (Optax <c>MultiSteps</c>): each call to <see cref="Step"/> adds the gradients to an accumulator;
    /// every k-th call applies one step with their mean. Default 1 (off). The accumulator is state buffer <c>accumulated_gradient</c>.
    /// </summary>
    public int GradientAccumulationSteps
    {
        get => _preprocessing.AccumulationSteps;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), value, "GradientAccumulationSteps must be >= 1.");
            if (MicroStep != 0) throw new InvalidOperationException("Cannot change GradientAccumulationSteps in the middle of an accumulation.");
            _preprocessing.AccumulationSteps = value;
            if (value > 1)
            {
                foreach (var g in _groups)
                    foreach (var s in g.States)
                        if (s.TryGetBuffer(GradientPreprocessing<T>.AccumulatorName) is null) s.AddBuffer(GradientPreprocessing<T>.AccumulatorName, T.Zero);
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
    /// <item>any other schedule (cosine, step, warmup, a foreign <see cref="Descent.Schedules.ISchedule"/>) is a factor of the key's current value:
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
            if (GradientAccumulationSteps > 1) s.AddBuffer(GradientPreprocessing<T>.AccumulatorName, T.Zero);
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
        if (max > _update.Length) _update = new T[max];
        _preprocessing.Reserve(max);
        return group;
    }

    /// <summary>
    /// One optimization step from the gradients in the registered buffers. Hyperparameters are resolved and checked,
    /// and gradients checked against <see cref="NonFinitePolicy"/>, before anything is modified. Allocates nothing.
    /// </summary>
    /// <remarks>
    /// The path of a step: resolve every group's hyperparameters; begin the cross-parameter rules
    /// (<see cref="IGlobalStepRule{T}.BeginStep"/>); let the preprocessing stage decide (throw, skip, accumulate, or apply with
    /// zeroed, averaged or clipped gradients); apply the chain or the fused kernel to every tensor (batched onto the worker
    /// pool when nothing needs preparing); and leave through one exit that always ends the cross-parameter rules
    /// (<see cref="IGlobalStepRule{T}.EndStep"/>, told whether the step was applied) before counting the step.
    /// </remarks>
    public void Step()
    {
        foreach (var g in _groups) Resolve(g.Resolved, g, StepCount);
        foreach (var rule in _rules) if (rule is IGlobalStepRule<T> global) global.BeginStep(this);
        bool applied = false;
        try
        {
            var plan = _preprocessing.Plan(_groups, Kind, StepCount);
            if (plan.Applies)
            {
                if (!plan.Prepares && _fused is not null && UseFusedKernels && _maxDegreeOfParallelism > 1 && !AnySparse()) StepFusedBatched(_fused);
                else StepEachTensor(plan);
                applied = true;
            }
        }
        finally
        {
            foreach (var rule in _rules) if (rule is IGlobalStepRule<T> global) global.EndStep(this, applied);
        }
        if (applied) StepCount++;
    }

    // One tensor after another: the fused kernel (prefetching the next small tensor) or the composed chain.
    private void StepEachTensor(in PreparedStep<T> plan)
    {
        foreach (var g in _groups)
        {
            double factor = g.Get(HyperparameterKey.LearningRate).FactorAt(StepCount);
            for (int i = 0; i < g.Parameters.Count; i++)
            {
                var p = g.Parameters[i];
                var s = g.States[i];
                if (p.SparseGradient is { } sparse)
                {
                    // lazy step on the rows present (SparseGradient); clipping, accumulation and the non-finite policy apply to dense gradients
                    StepSparse(p, s, sparse, new StepContext(s.Step + 1, g.Resolved, factor, _maxDegreeOfParallelism));
                    s.Step++;
                    continue;
                }
                ReadOnlyMemory<T> gradient = _preprocessing.GradientFor(p, s, plan);
                var context = new StepContext(s.Step + 1, g.Resolved, factor, _maxDegreeOfParallelism);
                if (_fused is not null && UseFusedKernels)
                {
                    // A small tensor followed by another in the same group: let the kernel prefetch the next one.
                    bool announce = !plan.Prepares && p.Length < FusedLoop.ParallelThreshold && i + 1 < g.Parameters.Count;
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
}

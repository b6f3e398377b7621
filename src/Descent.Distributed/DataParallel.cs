using System.Numerics;
using Descent.Lab.Models;
using Descent.Lab.Training;
using Descent.Optimizers;
using Descent.Optimizers.Rules;
using Descent.Serialization;

namespace Descent.Distributed;

/// <summary>How the ranks' gradients are summed.</summary>
public enum GradientReduction
{
    /// <summary>
    /// MPI's own <c>MPI_Allreduce</c> (or <c>MPI_Reduce_scatter</c> under ZeRO) of each rank's summed gradient over one flat buffer
    /// (torch DDP, Horovod). The order of the float additions depends on the number of ranks and on MPI's algorithm, so runs on
    /// different numbers of ranks agree to rounding, not to the bit.
    /// </summary>
    Mpi,

    /// <summary>
    /// Fixed chunks of <see cref="DataParallelOptions.ChunkSize"/> consecutive batch positions; each chunk's summed gradient is
    /// computed by one rank, all chunk gradients are gathered (<c>MPI_Allgather</c>) and every rank adds them in chunk order.
    /// Nothing depends on the number of ranks, so a run on N ranks is bit-identical to one process with the same global batch and
    /// chunk size. It moves (chunks per rank) × (parameters) floats per rank and step instead of the parameters.
    /// </summary>
    Deterministic,
}

/// <summary>Options of <see cref="DataParallel"/>.</summary>
public sealed record DataParallelOptions
{
    /// <summary>How gradients are summed (default <see cref="GradientReduction.Mpi"/>).</summary>
    public GradientReduction Reduction { get; init; } = GradientReduction.Mpi;

    /// <summary>ZeRO stage: 0 (every rank holds the whole optimizer state) or 1 (state sharded across ranks). Default 0.</summary>
    public int ZeroStage { get; init; }

    /// <summary>Positions per chunk of the deterministic reduction (≥ 1; default 16). Part of the result: runs compare bit for bit only at the same value.</summary>
    public int ChunkSize { get; init; } = 16;

    /// <summary>
    /// Benchmarks only (default false): a barrier before the gradient's collectives and before ZeRO's parameter allgather, timed
    /// as <see cref="DataParallel.WaitSeconds"/>, so that the communication time is the transfer alone and not the wait for the
    /// slowest rank's compute. It adds a collective per step, so training leaves it off; results are unchanged either way.
    /// </summary>
    public bool TimeWaitApart { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming a bad option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Reduction)) throw new ArgumentOutOfRangeException(nameof(Reduction), Reduction, "Unknown reduction.");
        if (ZeroStage is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(ZeroStage), ZeroStage, $"ZeRO stage must be 0 or 1; got {ZeroStage}.");
        if (ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, $"The chunk size must be >= 1; got {ChunkSize}.");
    }
}

/// <summary>
/// Data-parallel training over an <see cref="ICommunicator"/>, as torch DDP and Horovod do it: parameters broadcast from rank 0
/// at the start, each rank computes the summed gradient of its share of the global batch (<see cref="DistributedSampler"/>),
/// the shares are summed across ranks over one flat buffer and scaled once by 1 / global batch, and every rank applies the same
/// step. With ZeRO stage 1 (Rajbhandari et al., 2020, "ZeRO: memory optimizations toward training trillion parameter models")
/// the optimizer state is sharded: gradients are reduce-scattered, each rank steps only its shard of the parameters with the
/// optimizer's own (fused) step, and the parameters are allgathered; the optimizer-state memory per rank is 1/N.
/// </summary>
/// <remarks>
/// Element-wise optimizers shard at any element; those whose rules look at whole tensors (Muon, LAMB, LARS, Adafactor, cautious
/// variants) shard by whole tensors (<see cref="ShardPlan"/>). Optimizers with cross-parameter steps (Prodigy) cannot be sharded.
/// Under ZeRO the non-finite policies that must agree across ranks (throw, skip) are refused; propagate and zero work.
/// Gradient clipping by global norm under ZeRO: see <see cref="ClipByGlobalNorm"/>.
/// </remarks>
public sealed class DataParallel : IDataParallel
{
    private static readonly HashSet<Type> ElementWiseRules =
    [
        typeof(AddDecayedWeights<>), typeof(ClipByValue<>), typeof(Maximize<>), typeof(ScaleByAdEMAMix<>), typeof(ScaleByAdaGrad<>),
        typeof(ScaleByAdadelta<>), typeof(ScaleByAdam<>), typeof(ScaleByAdamax<>), typeof(ScaleByAdopt<>), typeof(ScaleByLearningRate<>),
        typeof(ScaleByLion<>), typeof(ScaleByNAdam<>), typeof(ScaleByRAdam<>), typeof(ScaleByRms<>), typeof(ScaleByScheduleFree<>), typeof(Trace<>),
    ];

    private readonly ICommunicator _communicator;
    private readonly DataParallelOptions _options;
    private Mlp? _model;
    private ShardPlan? _plan;
    private long[] _counts = [];
    private float[] _shardGradient = [];
    private int[] _positions = [];
    private int[] _local = [];
    private float[] _chunks = [];
    private double[] _chunkLosses = [];
    private long _computeTicks, _communicationTicks, _stepTicks, _waitTicks;
    private bool _zeroNonFinite;

    /// <summary>Data parallelism over <paramref name="communicator"/> with <paramref name="options"/>.</summary>
    public DataParallel(ICommunicator communicator, DataParallelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        options ??= new DataParallelOptions();
        options.Validate();
        _communicator = communicator;
        _options = options;
    }

    /// <inheritdoc/>
    public int Rank => _communicator.Rank;

    /// <inheritdoc/>
    public int Size => _communicator.Size;

    /// <summary>The options.</summary>
    public DataParallelOptions Options => _options;

    /// <summary>
    /// Seconds spent since construction (or <see cref="ResetTimings"/>) computing gradients (the <see cref="GradientSource"/>),
    /// inside collectives (communication, including waiting for slower ranks unless <see cref="DataParallelOptions.TimeWaitApart"/>)
    /// and in the optimizer's step.
    /// </summary>
    public (double Compute, double Communication, double Step) Timings =>
        (_computeTicks / (double)System.Diagnostics.Stopwatch.Frequency, _communicationTicks / (double)System.Diagnostics.Stopwatch.Frequency,
         _stepTicks / (double)System.Diagnostics.Stopwatch.Frequency);

    /// <summary>Seconds spent in the barriers of <see cref="DataParallelOptions.TimeWaitApart"/> (waiting for the slowest rank); 0 without it.</summary>
    public double WaitSeconds => _waitTicks / (double)System.Diagnostics.Stopwatch.Frequency;

    /// <summary>Sets <see cref="Timings"/> and <see cref="WaitSeconds"/> to zero.</summary>
    public void ResetTimings() => _computeTicks = _communicationTicks = _stepTicks = _waitTicks = 0;

    // With TimeWaitApart: wait for every rank at a barrier, timed apart; returns the time after it.
    private long WaitForAll(long now)
    {
        if (!_options.TimeWaitApart) return now;
        _communicator.Barrier();
        long after = Now;
        _waitTicks += after - now;
        return after;
    }

    private static long Now => System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>The ZeRO shard plan (null without ZeRO, or before <see cref="CreateOptimizer"/>).</summary>
    public ShardPlan? Plan => _plan;

    /// <summary>
    /// Clip by global norm under ZeRO (PyTorch <c>clip_grad_norm_</c>): each rank's optimizer sees only its shard, so the norm of
    /// the whole reduced gradient is formed across ranks and every shard is scaled by max_norm / (norm + 1e-6) when the norm
    /// exceeds max_norm, as <see cref="Optimizer{T}.MaxGradientNorm"/> does in one process. +inf (default): off.
    /// With <see cref="GradientReduction.Mpi"/> the shards' squared norms are summed by <c>MPI_Allreduce</c> (agrees with one
    /// process to rounding). With <see cref="GradientReduction.Deterministic"/> every rank already holds every chunk's gradient,
    /// so it adds them for the whole model and forms the norm with the optimizer's own arithmetic (tensor by tensor, in order):
    /// the clipped run is bit-identical to one process whose optimizer clips, on any number of ranks, at the cost of summing
    /// all chunks rather than this rank's shard. An optimizer created with a finite <see cref="Optimizer{T}.MaxGradientNorm"/>
    /// hands it over to this property under ZeRO (<see cref="CreateOptimizer"/>). Without ZeRO the optimizer clips itself
    /// (every rank holds the whole reduced gradient).
    /// </summary>
    public double ClipByGlobalNorm { get; set; } = double.PositiveInfinity;

    /// <summary>Whether every rule of <paramref name="optimizer"/> is element-wise (its shard can split a tensor anywhere).</summary>
    public static bool IsElementWise<T>(Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer.Rules.All(r => r.GetType().IsGenericType && ElementWiseRules.Contains(r.GetType().GetGenericTypeDefinition()));
    }

    /// <summary>
    /// Bytes of optimizer state this process holds (every state buffer, including a gradient accumulator, and compact
    /// bfloat16 or int8 buffers as stored): <see cref="Optimizer{T}.StateByteCount"/>.
    /// </summary>
    public static long StateBytes<T>(Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer.StateByteCount;
    }

    /// <inheritdoc/>
    public Optimizer<float> CreateOptimizer(Func<Optimizer<float>> create, Mlp model)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _communicator.Bcast<float>(model.Values); // every rank starts from rank 0's parameters
        var optimizer = create();
        if (_options.ZeroStage == 0)
        {
            optimizer.AddGroup(model.Parameters.Select(p => new Descent.Optimizers.Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
            return optimizer;
        }
        if (optimizer.Rules.Any(r => r is IGlobalStepRule<float>))
            throw new NotSupportedException($"ZeRO-1 cannot shard {optimizer.Kind}: its step uses sums over all parameters.");
        if (optimizer.NonFinitePolicy is NonFinitePolicy.Throw or NonFinitePolicy.SkipStep)
            throw new NotSupportedException($"ZeRO-1 does not support the non-finite policy {optimizer.NonFinitePolicy} (each rank sees only its shard); use propagate or zero.");
        if (!double.IsPositiveInfinity(optimizer.MaxGradientNorm))
        {
            // Its optimizer would see only this rank's shard: the clip moves here, where the norm of the whole gradient is formed.
            if (!double.IsPositiveInfinity(ClipByGlobalNorm) && ClipByGlobalNorm != optimizer.MaxGradientNorm)
                throw new ArgumentException($"The optimizer clips at {optimizer.MaxGradientNorm} and ClipByGlobalNorm is {ClipByGlobalNorm}; set one of them.");
            ClipByGlobalNorm = optimizer.MaxGradientNorm;
            optimizer.MaxGradientNorm = double.PositiveInfinity;
        }
        _zeroNonFinite = optimizer.NonFinitePolicy == NonFinitePolicy.ZeroNonFinite;
        var tensors = model.Parameters.Select(p => new TensorSlot(p.Name, p.Shape, p.Offset, p.Length)).ToArray();
        _plan = new ShardPlan(tensors, Size, IsElementWise(optimizer));
        _counts = _plan.Counts();
        long lo = _plan.Start(Rank);
        _shardGradient = new float[_counts[Rank]];
        var pieces = new List<Descent.Optimizers.Parameter<float>>();
        foreach (var (t, from, length) in _plan.Pieces(Rank))
        {
            var p = model.Parameters[t];
            int start = checked((int)(p.Offset + from)), n = checked((int)length);
            int[] shape = n == p.Length ? p.Shape : [n];
            pieces.Add(new Descent.Optimizers.Parameter<float>(p.Name, model.Values.AsMemory(start, n), _shardGradient.AsMemory(checked((int)(start - lo)), n), shape));
        }
        optimizer.AddGroup(pieces.ToArray());
        return optimizer;
    }

    /// <inheritdoc/>
    public double ComputeGradient(ReadOnlySpan<int> batch, GradientSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var model = _model ?? throw new InvalidOperationException("Call CreateOptimizer first.");
        int length = batch.Length;
        if (length == 0) throw new ArgumentException("The global batch is empty.", nameof(batch));
        int granularity = _options.Reduction == GradientReduction.Deterministic ? _options.ChunkSize : 1;
        int most = DistributedSampler.MaxLocal(length, Size, granularity);
        if (_positions.Length < most) (_positions, _local) = (new int[most], new int[most]);
        int count = DistributedSampler.LocalPositions(length, Rank, Size, granularity, _positions);
        for (int i = 0; i < count; i++) _local[i] = batch[_positions[i]];
        float scale = 1f / length;
        if (_options.Reduction == GradientReduction.Mpi)
        {
            long t0 = Now;
            double loss = source(_local.AsSpan(0, count));
            long t1 = Now;
            _computeTicks += t1 - t0;
            t1 = WaitForAll(t1);
            Span<double> sum = [loss];
            _communicator.Allreduce(sum);
            if (_plan is null) _communicator.Allreduce<float>(model.Gradients);
            else _communicator.ReduceScatter<float>(model.Gradients, _shardGradient, _counts);
            long t2 = Now;
            _communicationTicks += t2 - t1;
            // The scaling by 1 / global batch is local arithmetic: timed with the optimizer's step, not as communication.
            Scale(_plan is null ? model.Gradients : _shardGradient, scale);
            long t3 = Now;
            _stepTicks += t3 - t2;
            ClipShard(double.NaN);
            _communicationTicks += Now - t3;
            return sum[0] / length;
        }
        return Deterministic(batch, source, length, scale, model);
    }

    private double Deterministic(ReadOnlySpan<int> batch, GradientSource source, int length, float scale, Mlp model)
    {
        int c = _options.ChunkSize, n = Size;
        int chunks = (length + c - 1) / c;
        int slots = (chunks + n - 1) / n; // chunks per rank (rank r holds chunks r, r + N, …)
        int p = model.Values.Length;
        long needed = (long)n * slots * p;
        if (needed > Array.MaxLength) throw new NotSupportedException($"The deterministic reduction needs {needed} floats per rank here; use a larger chunk size or --reduction mpi.");
        if (_chunks.Length < needed) _chunks = new float[needed];
        if (_chunkLosses.Length < n * slots) _chunkLosses = new double[n * slots];
        var chunkData = _chunks.AsSpan(0, (int)needed);
        var losses = _chunkLosses.AsSpan(0, n * slots);
        for (int s = 0; s < slots; s++)
        {
            int chunk = s * n + Rank;
            var slot = chunkData.Slice((Rank * slots + s) * p, p);
            if (chunk >= chunks)
            {
                slot.Clear();
                losses[Rank * slots + s] = 0;
                continue;
            }
            int start = chunk * c, end = Math.Min(length, start + c);
            long t0 = Now;
            losses[Rank * slots + s] = source(batch[start..end]);
            _computeTicks += Now - t0;
            model.Gradients.AsSpan().CopyTo(slot);
        }
        long t1 = WaitForAll(Now);
        _communicator.Allgather(chunkData);
        _communicator.Allgather(losses);
        _communicationTicks += Now - t1;
        // Sum the chunks in chunk order (chunk k is slot k / N of rank k mod N), then scale once.
        long lo = _plan?.Start(Rank) ?? 0;
        Span<float> target = _plan is null ? model.Gradients : _shardGradient;
        int offset = (int)lo;
        double loss = 0;
        for (int k = 0; k < chunks; k++)
        {
            var chunk = chunkData.Slice(((k % n) * slots + k / n) * p + offset, target.Length);
            if (k == 0) chunk.CopyTo(target);
            else for (int i = 0; i < target.Length; i++) target[i] += chunk[i];
            loss += losses[(k % n) * slots + k / n];
        }
        Scale(target, scale);
        if (_plan is not null && !double.IsPositiveInfinity(ClipByGlobalNorm))
        {
            // The whole reduced gradient, summed in the same chunk order as the shard (so its shard part is the same floats).
            var whole = model.Gradients.AsSpan();
            for (int k = 0; k < chunks; k++)
            {
                var chunk = chunkData.Slice(((k % n) * slots + k / n) * p, p);
                if (k == 0) chunk.CopyTo(whole);
                else for (int i = 0; i < p; i++) whole[i] += chunk[i];
            }
            Scale(whole, scale);
            ClipShard(WholeNorm(model));
        }
        return loss / length;
    }

    // The optimizer's own global norm (GradientPreprocessing): per tensor a sum of squares in element order, the tensors' sums
    // added in registration order.
    private double WholeNorm(Mlp model)
    {
        double sum = 0;
        foreach (var parameter in model.Parameters)
        {
            double part = 0;
            foreach (float v in model.Gradients.AsSpan(parameter.Offset, parameter.Length))
            {
                double d = v;
                if (_zeroNonFinite && !double.IsFinite(d)) continue;
                part += d * d;
            }
            sum += part;
        }
        return Math.Sqrt(sum);
    }

    // Scales this rank's shard when the global norm exceeds ClipByGlobalNorm; NaN: form the norm by allreducing the shards' parts.
    private void ClipShard(double norm)
    {
        if (_plan is null || double.IsPositiveInfinity(ClipByGlobalNorm)) return;
        if (double.IsNaN(norm))
        {
            double part = 0;
            foreach (float g in _shardGradient)
            {
                double d = g;
                if (_zeroNonFinite && !double.IsFinite(d)) continue;
                part += d * d;
            }
            Span<double> sum = [part];
            _communicator.Allreduce(sum);
            norm = Math.Sqrt(sum[0]);
        }
        if (norm > ClipByGlobalNorm) Scale(_shardGradient, (float)(ClipByGlobalNorm / (norm + 1e-6)));
    }

    private static void Scale(Span<float> values, float factor)
    {
        for (int i = 0; i < values.Length; i++) values[i] *= factor;
    }

    /// <inheritdoc/>
    public void Step(Optimizer<float> optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        long t0 = Now;
        optimizer.Step();
        long t1 = Now;
        _stepTicks += t1 - t0;
        if (_plan is not null)
        {
            t1 = WaitForAll(t1);
            _communicator.Allgather<float>(_model!.Values, _counts);
            _communicationTicks += Now - t1;
        }
    }

    /// <inheritdoc/>
    public void SaveOptimizer(Checkpoint checkpoint, string prefix, Optimizer<float> optimizer)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (_plan is null)
        {
            if (Rank == 0) OptimizerCheckpoint.Save(checkpoint, prefix, optimizer);
            return;
        }
        // Each rank's shard state as checkpoint bytes, gathered; rank 0 joins the pieces into the state of the whole model.
        var own = new Checkpoint();
        OptimizerCheckpoint.Save(own, "shard", optimizer);
        using var stream = new MemoryStream();
        CheckpointFile.Write(stream, own);
        var lengths = new long[Size];
        lengths[Rank] = stream.Length;
        _communicator.Allgather<long>(lengths);
        var all = new byte[lengths.Sum()];
        stream.ToArray().CopyTo(all, lengths.Take(Rank).Sum());
        _communicator.Allgather<byte>(all, lengths);
        if (Rank != 0) return;
        var shards = new OptimizerSnapshot<float>[Size];
        long at = 0;
        for (int r = 0; r < Size; r++)
        {
            var c = CheckpointFile.Read(new MemoryStream(all, (int)at, (int)lengths[r]));
            at += lengths[r];
            shards[r] = ReadSnapshot(c, "shard");
        }
        OptimizerCheckpoint.Save(checkpoint, prefix, Join(shards));
    }

    private static OptimizerSnapshot<float> ReadSnapshot(Checkpoint c, string prefix)
    {
        var names = Lines(c.GetString($"{prefix}/parameters"));
        var parameters = names.Select(name =>
        {
            string key = $"{prefix}/{name}";
            var buffers = Lines(c.GetString($"{key}/buffers")).Select(b => new KeyValuePair<string, float[]>(b, c.GetArray<float>($"{key}/{b}").ToArray())).ToArray();
            var scalars = Lines(c.GetString($"{key}/scalars")).Select(s => new KeyValuePair<string, double>(s, c.GetDouble($"{key}/scalar/{s}"))).ToArray();
            return new ParameterSnapshot<float>(name, c.GetInt64($"{key}/step"), buffers, scalars);
        }).ToArray();
        return new OptimizerSnapshot<float>(c.GetString($"{prefix}/kind"), c.GetInt64($"{prefix}/step_count"), c.GetInt64($"{prefix}/skipped_steps"),
            c.GetInt64($"{prefix}/micro_step"), parameters);
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.Split('\n');

    // The state of the whole model from the shards' states: the pieces of a tensor are consecutive in rank order; buffers of
    // element-wise optimizers are concatenated, per-tensor pieces are whole; step and scalars are the first piece's.
    private OptimizerSnapshot<float> Join(OptimizerSnapshot<float>[] shards)
    {
        var parameters = new List<ParameterSnapshot<float>>();
        foreach (var tensor in _plan!.Tensors)
        {
            var pieces = shards.SelectMany(s => s.Parameters.Where(p => p.Name == tensor.Name)).ToArray();
            if (pieces.Length == 0) throw new InvalidOperationException($"No rank holds the state of '{tensor.Name}'.");
            var first = pieces[0];
            var buffers = first.Buffers.Select((b, i) => new KeyValuePair<string, float[]>(b.Key,
                pieces.Length == 1 ? b.Value : pieces.SelectMany(p => p.Buffers[i].Value).ToArray())).ToArray();
            parameters.Add(new ParameterSnapshot<float>(tensor.Name, first.Step, buffers, first.Scalars));
        }
        var root = shards[0];
        return new OptimizerSnapshot<float>(root.Kind, root.StepCount, root.SkippedSteps, root.MicroStep, parameters);
    }

    /// <inheritdoc/>
    public void LoadOptimizer(Checkpoint checkpoint, string prefix, Optimizer<float> optimizer)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (_plan is null)
        {
            OptimizerCheckpoint.Load(checkpoint, prefix, optimizer);
            return;
        }
        string kind = checkpoint.GetString($"{prefix}/kind");
        if (kind != optimizer.Kind) throw new CheckpointException($"The checkpoint holds the state of a '{kind}' optimizer; this run uses '{optimizer.Kind}'");
        var whole = ReadSnapshot(checkpoint, prefix);
        var byName = whole.Parameters.ToDictionary(p => p.Name);
        var mine = new List<ParameterSnapshot<float>>();
        foreach (var (t, from, length) in _plan.Pieces(Rank))
        {
            var tensor = _plan.Tensors[t];
            if (!byName.TryGetValue(tensor.Name, out var saved)) throw new CheckpointException($"The checkpoint has no optimizer state for '{tensor.Name}'");
            bool whole1 = length == tensor.Length;
            var buffers = saved.Buffers.Select(b =>
            {
                if (whole1) return b;
                if (b.Value.Length != tensor.Length) throw new CheckpointException($"State buffer '{b.Key}' of '{tensor.Name}' has {b.Value.Length} elements, not the tensor's {tensor.Length}: it cannot be sharded");
                return new KeyValuePair<string, float[]>(b.Key, b.Value.AsSpan((int)from, (int)length).ToArray());
            }).ToArray();
            mine.Add(new ParameterSnapshot<float>(tensor.Name, saved.Step, buffers, saved.Scalars));
        }
        try
        {
            optimizer.LoadState(new OptimizerSnapshot<float>(kind, whole.StepCount, whole.SkippedSteps, whole.MicroStep, mine));
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException($"The checkpoint's optimizer state does not fit this run: {ex.Message.Split(" (Parameter")[0]}");
        }
    }
}

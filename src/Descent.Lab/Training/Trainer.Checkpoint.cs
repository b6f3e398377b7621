using Descent.Lab.Data;
using Descent.Optimizers;
using Descent.Serialization;

namespace Descent.Lab.Training;

// The checkpoint schema of Trainer: what a training checkpoint holds (train/, loop/, sampler/, model/, optimizer/, schedule/),
// how it is written atomically, read back and validated before anything changes.
public sealed partial class Trainer
{
    private string? Save(double elapsed = double.NaN)
    {
        if (_options.OutputDirectory is null) return null;
        string path = Path.Combine(_options.OutputDirectory, CheckpointFileName);
        var c = CreateCheckpoint(double.IsNaN(elapsed) ? _elapsedBefore : _elapsedBefore + elapsed); // collective under data parallelism
        if (IsWriter)
        {
            try
            {
                CheckpointFile.Save(path, c, _options.CheckpointWriteDelay);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                string kept = File.Exists(path) ? $"the previous checkpoint {path} is unchanged" : "no checkpoint was written before";
                throw new IOException($"cannot save the checkpoint in {_options.OutputDirectory}: {Reason(ex)}; {kept}", ex);
            }
        }
        return path;
    }

    /// <summary>The whole training state as a checkpoint (see the class remarks).</summary>
    public Checkpoint CreateCheckpoint(double elapsedSeconds = 0)
    {
        var c = new Checkpoint();
        c.Set("train/format", Format);
        c.Set("train/problem", _problem.Name);
        c.Set("train/layers", _problem.LayerSizes.ToArray());
        c.Set("train/train_count", (long)_problem.Train.Count);
        c.Set("train/optimizer", OptimizerText);
        c.Set("train/schedule", _options.Schedule ?? "");
        c.Set("train/epochs", (long)_options.Epochs);
        c.Set("train/batch", (long)_options.BatchSize);
        c.Set("train/mode", _options.Mode.ToString());
        c.Set("train/accumulation", (long)_options.AccumulationSteps);
        c.Set("train/sampler_tail", _options.SamplerTail.ToString());
        c.Set("train/seed", unchecked((long)_options.Seed));
        c.Set("train/nonfinite", _options.NonFinitePolicy.ToString());
        c.Set("loop/epoch", (long)Epoch);
        c.Set("loop/batch", (long)Batch);
        c.Set("loop/loss_sum", _lossSum);
        c.Set("loop/loss_count", _lossCount);
        c.Set("loop/seconds", elapsedSeconds);
        var s = Sampler.ExportState();
        c.Set("sampler/seed", unchecked((long)s.Seed));
        c.Set("sampler/epoch", s.Epoch);
        c.Set("sampler/position", (long)s.Position);
        c.Set("sampler/permutation", s.Permutation);
        c.Set("model/names", string.Join('\n', Model.Parameters.Select(p => p.Name)));
        foreach (var p in Model.Parameters) c.Set($"model/{p.Name}", p.Value.Span);
        if (_parallel is null) OptimizerCheckpoint.Save(c, "optimizer", Optimizer);
        else _parallel.SaveOptimizer(c, "optimizer", Optimizer);
        if (Schedule is not null) ScheduleCheckpoint.Save(c, "schedule", Schedule, Optimizer.StepCount);
        return c;
    }

    /// <summary>Reads the training options saved in <paramref name="checkpoint"/> (to rebuild a trainer for it).</summary>
    public static (string Problem, int[] LayerSizes, TrainingOptions Options) ReadConfiguration(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (!checkpoint.Contains("train/format") || checkpoint.GetString("train/format") != Format)
            throw new CheckpointException($"Not a training checkpoint of this version (expected '{Format}')");
        var options = new TrainingOptions
        {
            Optimizer = checkpoint.GetString("train/optimizer"),
            Schedule = checkpoint.GetString("train/schedule") is { Length: > 0 } s ? s : null,
            Epochs = checked((int)checkpoint.GetInt64("train/epochs")),
            BatchSize = checked((int)checkpoint.GetInt64("train/batch")),
            Mode = Enum.Parse<BatchMode>(checkpoint.GetString("train/mode")),
            AccumulationSteps = checked((int)checkpoint.GetInt64("train/accumulation")),
            SamplerTail = checkpoint.Contains("train/sampler_tail") ? Enum.Parse<SamplerTail>(checkpoint.GetString("train/sampler_tail")) : SamplerTail.None,
            Seed = unchecked((ulong)checkpoint.GetInt64("train/seed")),
            NonFinitePolicy = Enum.Parse<NonFinitePolicy>(checkpoint.GetString("train/nonfinite")),
        };
        return (checkpoint.GetString("train/problem"), checkpoint.GetArray<int>("train/layers").ToArray(), options);
    }

    /// <summary>
    /// Restores a state saved by <see cref="CreateCheckpoint"/>. Everything is validated first (format, problem, layer sizes,
    /// optimizer text and kind, batching, seed, parameter names and shapes, every state buffer, plateau controllers, sampler);
    /// a checkpoint that does not fit throws <see cref="CheckpointException"/> and leaves this trainer untouched.
    /// </summary>
    public void LoadCheckpoint(Checkpoint checkpoint)
    {
        var (problem, layers, saved) = ReadConfiguration(checkpoint);
        void Same<TV>(string what, TV a, TV b)
        {
            if (!EqualityComparer<TV>.Default.Equals(a, b)) throw new CheckpointException($"The checkpoint's {what} is {a}; this run's is {b}");
        }
        Same("problem", problem, _problem.Name);
        Same("layer sizes", string.Join('-', layers), string.Join('-', _problem.LayerSizes));
        Same("training set size", checkpoint.GetInt64("train/train_count"), (long)_problem.Train.Count);
        Same("optimizer", saved.Optimizer, OptimizerText);
        Same("schedule", saved.Schedule ?? "", _options.Schedule ?? "");
        Same("batch size", saved.BatchSize, _options.BatchSize);
        Same("batch mode", saved.Mode, _options.Mode);
        Same("accumulation", saved.AccumulationSteps, _options.AccumulationSteps);
        Same("sampler tail", saved.SamplerTail, _options.SamplerTail);
        Same("seed", saved.Seed, _options.Seed);
        var names = checkpoint.GetString("model/names").Split('\n');
        Same("parameter list", string.Join(", ", names), string.Join(", ", Model.Parameters.Select(p => p.Name)));
        foreach (var p in Model.Parameters) checkpoint.RequireArray<float>($"model/{p.Name}", p.Length);
        long epoch = checkpoint.GetInt64("loop/epoch"), batch = checkpoint.GetInt64("loop/batch");
        if (epoch < 0 || epoch > int.MaxValue || batch < 0 || batch >= Sampler.BatchesPerEpoch)
            throw new CheckpointException($"The checkpoint's position (epoch {epoch}, batch {batch}) is out of range");
        var samplerState = new BatchSamplerState(unchecked((ulong)checkpoint.GetInt64("sampler/seed")), checkpoint.GetInt64("sampler/epoch"),
            checked((int)checkpoint.GetInt64("sampler/position")), checkpoint.GetArray<int>("sampler/permutation").ToArray());
        var probe = new BatchSampler(Sampler.Count, Sampler.Mode, Sampler.BatchSize, Sampler.Seed, tail: Sampler.Tail, replicas: Sampler.Replicas);
        try
        {
            probe.ImportState(samplerState);
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException($"The checkpoint's data order does not fit: {ex.Message.Split(" (Parameter")[0]}");
        }
        if (Schedule is not null) Same("schedule step", checkpoint.GetInt64("schedule/step"), checkpoint.GetInt64("optimizer/step_count"));
        var before = Optimizer.SaveState();
        if (_parallel is null) OptimizerCheckpoint.Load(checkpoint, "optimizer", Optimizer);
        else _parallel.LoadOptimizer(checkpoint, "optimizer", Optimizer);
        try
        {
            if (Schedule is not null)
            {
                ScheduleCheckpoint.Load(checkpoint, "schedule", Schedule);
            }
        }
        catch
        {
            Optimizer.LoadState(before);
            throw;
        }
        Sampler.ImportState(samplerState);
        foreach (var p in Model.Parameters) checkpoint.CopyArrayTo<float>($"model/{p.Name}", p.Value.Span);
        Epoch = (int)epoch;
        Batch = (int)batch;
        _lossSum = checkpoint.GetDouble("loop/loss_sum");
        _lossCount = checkpoint.GetInt64("loop/loss_count");
        _elapsedBefore = checkpoint.GetDouble("loop/seconds");
    }
}

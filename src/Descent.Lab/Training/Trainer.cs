using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Losses;
using Descent.Optimizers;
using Descent.Schedules;
using Descent.Serialization;

namespace Descent.Lab.Training;

/// <summary>
/// The training loop of the lab: an <see cref="Mlp"/> trained with softmax cross-entropy by any optimizer of the
/// <see cref="OptimizerCatalog"/> and any schedule of <see cref="ScheduleText"/>, in full-batch, mini-batch or single-sample
/// mode with optional gradient accumulation. After each epoch it evaluates the test set, appends a line to
/// <c>metrics.csv</c> and <c>metrics.jsonl</c>, and saves <c>checkpoint.ckpt</c> atomically; <see cref="LoadCheckpoint"/>
/// restores everything (parameters, optimizer state, schedule position and plateau state, epoch, batch and data order) so that
/// a resumed run is bit for bit the run that was not interrupted.
/// </summary>
/// <remarks>
/// The only randomness after initialisation is the data order, a pure function of (seed, epoch) kept in the
/// <see cref="BatchSampler"/>, whose state (including the current permutation and position) is the checkpoint's RNG state.
/// The loop stops on a NaN or infinite loss without saving, so the last checkpoint is the last good state.
/// </remarks>
public sealed partial class Trainer
{
    /// <summary>File name of the checkpoint inside the output directory.</summary>
    public const string CheckpointFileName = "checkpoint.ckpt";
    private const string Format = "descent-train-v1";

    private readonly TrainingProblem _problem;
    private readonly TrainingOptions _options;
    private readonly SoftmaxCrossEntropy<float> _loss = new();
    private readonly SoftmaxCrossEntropy<float> _sumLoss = new(Reduction.Sum);
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly float[] _logitGradient;
    private readonly int[] _predictions;
    private readonly List<EpochMetrics> _history = [];
    private double _lossSum;
    private long _lossCount;
    private double _elapsedBefore;
    private readonly IDataParallel? _parallel;
    private readonly GradientSource? _gradientSource;

    /// <summary>Builds the model, optimizer, schedule and sampler for <paramref name="problem"/>.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="options">The options; the batch size is the global batch when <paramref name="parallel"/> is given.</param>
    /// <param name="parallel">Data-parallel training across processes (null: this process alone, the loop as always).</param>
    /// <exception cref="ArgumentException">Bad options (including a bad optimizer or schedule text, as <see cref="Text.TextFormatException"/>).</exception>
    public Trainer(TrainingProblem problem, TrainingOptions options, IDataParallel? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _problem = problem;
        _options = options;
        var train = problem.Train;
        if (options.Mode == BatchMode.MiniBatch && options.BatchSize > train.Count)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"batch {options.BatchSize} exceeds the {train.Count} training samples.");
        var spec = OptimizerCatalog.Parse(options.Optimizer);
        OptimizerText = spec.ToString();
        Sampler = new BatchSampler(train.Count, options.Mode, options.BatchSize, SeededRandom.Hash(options.Seed, 0xDA7A, 1),
            tail: options.SamplerTail, replicas: parallel?.Size ?? 1);
        int maxBatch = Math.Max(Sampler.BatchSize, Math.Min(1024, problem.Test.Count));
        Model = new Mlp(problem.LayerSizes, maxBatch, options.Seed) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        _loss.MaxDegreeOfParallelism = options.MaxDegreeOfParallelism;
        _sumLoss.MaxDegreeOfParallelism = options.MaxDegreeOfParallelism;
        Optimizer<float> Configured()
        {
            var optimizer = spec.Create<float>();
            optimizer.NonFinitePolicy = options.NonFinitePolicy;
            optimizer.GradientAccumulationSteps = options.AccumulationSteps;
            optimizer.MaxDegreeOfParallelism = options.MaxDegreeOfParallelism;
            return optimizer;
        }
        _parallel = parallel;
        if (parallel is null)
        {
            Optimizer = Configured();
            Optimizer.AddGroup(Model.Parameters.Select(p => new Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
        }
        else
        {
            Optimizer = parallel.CreateOptimizer(Configured, Model);
            _gradientSource = SumGradient;
        }
        IsScheduleFree = Optimizer.Rules.Any(r => r is Descent.Optimizers.Rules.ScaleByScheduleFree<float>);
        TotalSteps = (long)options.Epochs * Sampler.BatchesPerEpoch / options.AccumulationSteps;
        if (!string.IsNullOrWhiteSpace(options.Schedule))
        {
            Schedule = ScheduleText.Parse(options.Schedule, Math.Max(1, TotalSteps));
            CheckScheduleFits(options.Schedule, ScheduleText.Parse(options.Schedule), Schedule, TotalSteps, Sampler.BatchesPerEpoch, options);
            Optimizer.SetSchedule(Schedule); // absolute or factor, and momentum for 1cycle/cyclic: the library decides
        }
        int classes = problem.LayerSizes[^1];
        _features = new float[maxBatch * Model.InputSize];
        _labels = new int[maxBatch];
        _logitGradient = new float[maxBatch * classes];
        _predictions = new int[maxBatch];
    }

    /// <summary>
    /// A schedule that does not fit the run is an error before the first step: a part bound to the run's length that gets no
    /// room (<c>warmup(100) &gt;&gt; onecycle(max=1e-3)</c> on a 63-step run would give 1cycle one step), or a schedule that cannot
    /// give a rate for the run's last step (<c>onecycle(total=100)</c> on a 126-step run).
    /// </summary>
    private static void CheckScheduleFits(string text, Schedule unbound, Schedule bound, long totalSteps, int batchesPerEpoch, TrainingOptions options)
    {
        string run = $"this run has {totalSteps} optimizer steps ({options.Epochs} {(options.Epochs == 1 ? "epoch" : "epochs")} x {batchesPerEpoch} batches"
            + (options.AccumulationSteps > 1 ? $" / {options.AccumulationSteps} accumulated" : "") + ")";
        if (totalSteps == 0) return;
        if (unbound.Length != bound.Length && bound.Length is { } length && length != totalSteps)
        {
            throw new ArgumentException($"schedule '{text}' does not fit: {run}, but its fixed-length parts take {length - 1} or more, "
                + "leaving no room for the part bound to the run's length; shorten them or train longer");
        }
        try
        {
            bound.At(totalSteps - 1);
            bound.MomentumAt(totalSteps - 1);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException($"schedule '{text}' does not fit: {run}, but it covers only {bound.Length?.ToString(CultureInfo.InvariantCulture) ?? "fewer"} "
                + "steps; give it the run's length (or leave total out to bind it), or change --epochs", ex);
        }
    }

    /// <summary>The model.</summary>
    public Mlp Model { get; }

    /// <summary>The optimizer (its single group holds the model's parameters in registration order; under ZeRO, this rank's shard).</summary>
    public Optimizer<float> Optimizer { get; }

    /// <summary>The schedule, or null (constant learning rate).</summary>
    public Schedule? Schedule { get; }

    /// <summary>The data-order sampler.</summary>
    public BatchSampler Sampler { get; }

    /// <summary>
    /// Whether the optimizer is schedule-free (<c>schedule_free_adamw</c>, <c>schedule_free_sgd</c>). Such an optimizer trains at
    /// the point y but is evaluated at the average x: <see cref="Run"/> switches it to evaluation before every end-of-epoch
    /// evaluation and checkpoint and back to training before the next batch, so reported test metrics, checkpoints written at
    /// epoch ends, the final parameters and <see cref="TrainingResult"/>'s hash are all of x (a checkpoint written when a run is
    /// cancelled mid-epoch holds y with the optimizer in training mode; the mode is saved with the optimizer state).
    /// </summary>
    public bool IsScheduleFree { get; }

    /// <summary>The optimizer's canonical text.</summary>
    public string OptimizerText { get; }

    /// <summary>Optimizer steps of the whole run (epochs × batches ÷ accumulation), the length open schedules are bound to.</summary>
    public long TotalSteps { get; }

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>Batches done in the current epoch.</summary>
    public int Batch { get; private set; }

    /// <summary>The data-parallel seam, or null (one process).</summary>
    public IDataParallel? Parallel => _parallel;

    /// <summary>Whether this process writes metrics and checkpoints (always, except on ranks other than 0).</summary>
    public bool IsWriter => _parallel is null || _parallel.Rank == 0;

    /// <summary>Metrics of the epochs run by this object (and restored ones are not repeated).</summary>
    public IReadOnlyList<EpochMetrics> History => _history;

    /// <summary>The learning rate the next step uses (after the last step of the run: the last step's).</summary>
    public double LearningRate => Optimizer.Groups[0].Get(HyperparameterKey.LearningRate)
        .At(Schedule is null ? Optimizer.StepCount : Math.Min(Optimizer.StepCount, Math.Max(0, TotalSteps - 1)));

    /// <summary>
    /// Trains up to <see cref="TrainingOptions.Epochs"/> epochs from the current position. Cancelling <paramref name="cancellation"/>
    /// saves a checkpoint of the exact position (when there is an output directory) and returns <see cref="TrainingStatus.Cancelled"/>.
    /// </summary>
    public TrainingResult Run(CancellationToken cancellation = default, Action<TrainingProgress>? progress = null)
    {
        var total = Stopwatch.StartNew();
        string? dir = _options.OutputDirectory;
        if (dir is not null && IsWriter) Directory.CreateDirectory(dir);
        int classes = Model.OutputSize;
        int perEpoch = Sampler.BatchesPerEpoch;
        int stopAt = Math.Min(_options.Epochs, _options.StopAfterEpochs ?? int.MaxValue);
        var (testLoss, testAccuracy) = _history.Count > 0 ? (_history[^1].TestLoss, _history[^1].TestAccuracy) : (double.NaN, double.NaN);
        while (Epoch < stopAt)
        {
            var epochWatch = Stopwatch.StartNew();
            if (IsScheduleFree && !Optimizer.IsTraining()) Optimizer.SwitchToTraining();
            while (Batch < perEpoch)
            {
                if (cancellation.IsCancellationRequested)
                {
                    string? path = Save();
                    return Result(TrainingStatus.Cancelled, $"Interrupted at epoch {Epoch + 1}, batch {Batch}" + (path is null ? "." : $"; checkpoint saved to {path}."), testLoss, testAccuracy, total, path);
                }
                double loss = TrainBatch(classes);
                if (!double.IsFinite(loss))
                {
                    string last = dir is not null && File.Exists(Path.Combine(dir, CheckpointFileName)) ? $" The last good checkpoint is {Path.Combine(dir, CheckpointFileName)}." : "";
                    return Result(TrainingStatus.Diverged, $"Training stopped: the loss is {loss.ToString(CultureInfo.InvariantCulture)} at epoch {Epoch + 1}, batch {Batch + 1} (step {Optimizer.StepCount}, lr {LearningRate.ToString("G4", CultureInfo.InvariantCulture)}).{last}", testLoss, testAccuracy, total, null);
                }
                Batch++;
                _lossSum += loss;
                _lossCount++;
                progress?.Invoke(new TrainingProgress(Epoch + 1, _options.Epochs, Batch, perEpoch, Optimizer.StepCount, loss, LearningRate,
                    TimeSpan.FromSeconds(_elapsedBefore) + total.Elapsed));
            }
            double trainSeconds = epochWatch.Elapsed.TotalSeconds;
            var evalWatch = Stopwatch.StartNew();
            if (IsScheduleFree) Optimizer.SwitchToEvaluation();
            (testLoss, testAccuracy) = Evaluate(_problem.Test);
            Schedule?.ReportMetric(testLoss);
            Epoch++;
            var metrics = new EpochMetrics(Epoch, Optimizer.StepCount, _lossSum / Math.Max(1, _lossCount), testLoss, testAccuracy, LearningRate, trainSeconds, evalWatch.Elapsed.TotalSeconds);
            _history.Add(metrics);
            Batch = 0;
            _lossSum = 0;
            _lossCount = 0;
            if (dir is not null && IsWriter)
            {
                try
                {
                    TrainingMetricsWriter.Append(dir, metrics);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    string checkpointPath = Path.Combine(dir, CheckpointFileName);
                    string kept = File.Exists(checkpointPath) ? $"the previous checkpoint {checkpointPath} is unchanged" : "no checkpoint was written";
                    throw new IOException($"cannot write the metrics in {dir}: {Reason(ex)}; {kept}", ex);
                }
            }
            Save(total.Elapsed.TotalSeconds);
        }
        string? checkpoint = dir is null ? null : Path.Combine(dir, CheckpointFileName);
        if (Epoch < _options.Epochs)
            return Result(TrainingStatus.Stopped, $"Stopped after epoch {Epoch} of {_options.Epochs}" + (checkpoint is null ? "." : $"; resume with --resume {dir}."), testLoss, testAccuracy, total, checkpoint);
        if (IsScheduleFree && Optimizer.IsTraining()) Optimizer.SwitchToEvaluation();
        if (_history.Count == 0 || _history[^1].Epoch != Epoch) (testLoss, testAccuracy) = Evaluate(_problem.Test);
        return Result(TrainingStatus.Completed, $"Trained {Epoch} {(Epoch == 1 ? "epoch" : "epochs")}.", testLoss, testAccuracy, total, checkpoint);
    }

    // The operating system's reason without the path .NET appends (" : '/path'").
    private static string Reason(Exception ex)
    {
        string message = ex.Message.Split('\n')[0].TrimEnd();
        int at = message.IndexOf(" : '", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }

    private TrainingResult Result(TrainingStatus status, string message, double testLoss, double testAccuracy, Stopwatch total, string? checkpoint)
        => new(status, message, Epoch, _history.ToArray(), testLoss, testAccuracy, _elapsedBefore + total.Elapsed.TotalSeconds, ParameterHash(), checkpoint);

    private double TrainBatch(int classes)
    {
        if (_parallel is not null)
        {
            double mean = _parallel.ComputeGradient(Sampler.NextBatch(), _gradientSource!);
            if (double.IsFinite(mean)) _parallel.Step(Optimizer);
            return mean;
        }
        var train = _problem.Train;
        ReadOnlySpan<int> indices = Sampler.NextBatch();
        int n = indices.Length;
        ReadOnlySpan<float> logits;
        ReadOnlySpan<int> labels;
        if (_options.Mode == BatchMode.FullBatch)
        {
            logits = Model.Forward(train.Features, 0, n);
            labels = train.Labels;
        }
        else
        {
            train.Gather(indices, _features.AsSpan(0, n * Model.InputSize), _labels.AsSpan(0, n));
            logits = Model.Forward(_features, 0, n);
            labels = _labels.AsSpan(0, n);
        }
        var gradient = _logitGradient.AsSpan(0, n * classes);
        double loss = _loss.Evaluate(logits, labels, classes, gradient);
        if (!double.IsFinite(loss)) return loss;
        Model.Backward(gradient);
        Optimizer.Step();
        return loss;
    }

    // The data-parallel gradient source: summed loss and gradient of any subset of the training set.
    private double SumGradient(ReadOnlySpan<int> indices)
    {
        int n = indices.Length;
        if (n == 0)
        {
            Array.Clear(Model.Gradients);
            return 0;
        }
        int classes = Model.OutputSize;
        _problem.Train.Gather(indices, _features.AsSpan(0, n * Model.InputSize), _labels.AsSpan(0, n));
        var logits = Model.Forward(_features, 0, n);
        var gradient = _logitGradient.AsSpan(0, n * classes);
        double loss = _sumLoss.Evaluate(logits, _labels.AsSpan(0, n), classes, gradient);
        Model.Backward(gradient);
        return loss;
    }

    /// <summary>Mean cross-entropy and accuracy of the model on <paramref name="data"/>.</summary>
    public (double Loss, double Accuracy) Evaluate(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int classes = Model.OutputSize;
        double sum = 0;
        long correct = 0;
        for (int start = 0; start < data.Count; start += Model.MaxBatchSize)
        {
            int n = Math.Min(Model.MaxBatchSize, data.Count - start);
            var logits = Model.Forward(data.Features, start * Model.InputSize, n);
            var labels = data.Labels.AsSpan(start, n);
            sum += _sumLoss.Evaluate(logits, labels, classes, _logitGradient.AsSpan(0, n * classes));
            Mlp.ArgMax(logits, classes, _predictions);
            for (int i = 0; i < n; i++) if (_predictions[i] == labels[i]) correct++;
        }
        return (sum / data.Count, (double)correct / data.Count);
    }

    /// <summary>SHA-256 (lower-case hex) of the parameters' float bytes in registration order (W1, b1, W2, b2, …).</summary>
    public string ParameterHash() => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(Model.Values.AsSpan())));
}

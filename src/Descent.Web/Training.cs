using System.Globalization;
using System.Text.Json;
using Descent.Lab.Reports;
using Descent.Lab.Training;

namespace Descent.Web;

/// <summary>The settings of a training started from the page (the same meaning as <c>descent train</c>'s options).</summary>
public sealed record TrainingRequest
{
    /// <summary>Problem: mnist-mlp, mnist-softmax or synthetic-mlp.</summary>
    public string Problem { get; init; } = "mnist-mlp";
    /// <summary>Optimizer text.</summary>
    public string Optimizer { get; init; } = "adamw(lr=3e-3, weight_decay=0.01)";
    /// <summary>Schedule text, or null for a constant rate.</summary>
    public string? Schedule { get; init; }
    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Hidden units of the MLP.</summary>
    public int Hidden { get; init; } = 64;
    /// <summary>Use only the first N training samples (null: all).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Seed of the initialisation and the data order.</summary>
    public ulong Seed { get; init; }
}

/// <summary>One training run in progress or finished: the lab's <see cref="Trainer"/> on a background task, its streamed points, its stop switch.</summary>
public sealed class TrainingSession
{
    private readonly object _gate = new();
    private readonly List<EpochMetrics> _epochs = [];
    private readonly List<ProgressPoint> _points = [];
    private readonly CancellationTokenSource _stop = new();

    internal TrainingSession(string name, string directory, TrainingRequest request, Trainer trainer)
    {
        Name = name;
        Directory = directory;
        Request = request;
        Trainer = trainer;
    }

    /// <summary>The run's name (its folder under the runs folder).</summary>
    public string Name { get; }
    /// <summary>The run's folder.</summary>
    public string Directory { get; }
    /// <summary>The settings.</summary>
    public TrainingRequest Request { get; }
    internal Trainer Trainer { get; }
    /// <summary>running, completed, stopped (by the user), diverged or failed.</summary>
    public string Status { get; private set; } = "running";
    /// <summary>The trainer's closing message once finished.</summary>
    public string? Message { get; private set; }
    /// <summary>The task running the trainer.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;
    /// <summary>Whether the run has finished (for any reason).</summary>
    public bool IsFinished => Status != "running";

    /// <summary>Asks the trainer to stop after the current batch (it saves a checkpoint of the exact position).</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Copies the epochs from <paramref name="epochFrom"/> and progress points from <paramref name="pointFrom"/> on, and the status.</summary>
    public (EpochMetrics[] Epochs, ProgressPoint[] Points, string Status, string? Message) Snapshot(int epochFrom, int pointFrom)
    {
        lock (_gate)
        {
            return (_epochs.Skip(epochFrom).ToArray(), _points.Skip(pointFrom).ToArray(), Status, Message);
        }
    }

    internal void Start(Action<TrainingSession> finished)
    {
        Completion = Task.Run(() =>
        {
            long last = 0;
            try
            {
                var result = Trainer.Run(_stop.Token, p =>
                {
                    long now = Environment.TickCount64;
                    if (p.Batch != p.BatchesPerEpoch && now - last < 50) return;
                    last = now;
                    lock (_gate) _points.Add(new ProgressPoint(p.Step, p.Epoch, p.Batch, p.BatchesPerEpoch, p.Loss, p.LearningRate, p.Elapsed.TotalSeconds));
                    SyncEpochs();
                });
                SyncEpochs();
                string status = result.Status switch
                {
                    TrainingStatus.Completed => "completed",
                    TrainingStatus.Cancelled => "stopped",
                    TrainingStatus.Diverged => "diverged",
                    _ => "stopped",
                };
                Finish(status, result.Message, result.TestAccuracy, result.Seconds);
            }
            catch (Exception e)
            {
                Finish("failed", e.Message, double.NaN, double.NaN);
            }
            finally
            {
                finished(this);
            }
        });
    }

    private void SyncEpochs()
    {
        var history = Trainer.History;
        lock (_gate)
            while (_epochs.Count < history.Count) _epochs.Add(history[_epochs.Count]);
    }

    private void Finish(string status, string message, double testAccuracy, double seconds)
    {
        try
        {
            WriteRunFiles(status, message, testAccuracy, seconds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            message += $" (report not written: {e.Message})";
        }
        lock (_gate)
        {
            Message = message;
            Status = status;
        }
    }

    private void WriteRunFiles(string status, string message, double testAccuracy, double seconds)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var settings = new Dictionary<string, object?>
        {
            ["problem"] = Request.Problem,
            ["optimizer"] = Trainer.OptimizerText,
            ["schedule"] = Trainer.Schedule?.ToString(),
            ["epochs"] = Request.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = Request.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["hidden"] = Request.Hidden.ToString(CultureInfo.InvariantCulture),
            ["train_limit"] = Request.TrainLimit?.ToString(CultureInfo.InvariantCulture),
            ["seed"] = Request.Seed.ToString(CultureInfo.InvariantCulture),
            ["status"] = status,
            ["message"] = message,
            ["started_by"] = "descent serve",
        };
        File.WriteAllText(Path.Combine(Directory, "run.json"), JsonSerializer.Serialize(settings, new JsonSerializerOptions { WriteIndented = true }));
        var history = Trainer.History;
        var report = new HtmlReport($"Training run {Name}");
        report.Paragraph($"{Request.Problem}, optimizer {Trainer.OptimizerText}, schedule {Trainer.Schedule?.ToString() ?? "constant"}, " +
                         $"{Request.Epochs} epochs planned, batch {Request.BatchSize}, seed {Request.Seed}. Status: {status}. {message}");
        if (history.Count > 0)
        {
            double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
            report.Plot(Plots.Line("Loss per epoch", "epoch", "cross-entropy loss (nats)",
                [new Series("train", epochs, history.Select(h => h.TrainLoss).ToArray()), new Series("test", epochs, history.Select(h => h.TestLoss).ToArray())]), "loss per epoch");
            report.Plot(Plots.Line("Test accuracy per epoch", "epoch", "test accuracy (fraction)",
                [new Series("test accuracy", epochs, history.Select(h => h.TestAccuracy).ToArray())]), "test accuracy per epoch");
            report.Table(["epoch", "step", "train loss", "test loss", "test accuracy", "lr", "train s"],
                history.Select(h => (IReadOnlyList<string>)[h.Epoch.ToString(CultureInfo.InvariantCulture), h.Step.ToString(CultureInfo.InvariantCulture),
                    G(h.TrainLoss), G(h.TestLoss), G(h.TestAccuracy), G(h.LearningRate), h.TrainSeconds.ToString("F2", CultureInfo.InvariantCulture)]));
        }
        report.Paragraph(string.Create(CultureInfo.InvariantCulture, $"Final test accuracy {testAccuracy:P2}; {seconds:F1} s in all."));
        File.WriteAllText(Path.Combine(Directory, "report.html"), report.ToHtml());
    }

    private static string G(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
}

/// <summary>A streamed training point: optimizer step, epoch, batch, mini-batch loss, learning rate, seconds since the start.</summary>
public sealed record ProgressPoint(long Step, int Epoch, int Batch, int BatchesPerEpoch, double Loss, double Lr, double Seconds);

/// <summary>Starts, tracks and stops trainings; at most <see cref="MaxConcurrent"/> run at once.</summary>
public sealed class TrainingService(RunsFolder runs, int maxConcurrent, string? dataDirectory)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TrainingSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>The most trainings that may run at the same time.</summary>
    public int MaxConcurrent { get; } = maxConcurrent;

    /// <summary>The sessions of this server's lifetime.</summary>
    public IReadOnlyList<TrainingSession> Sessions { get { lock (_gate) return [.. _sessions.Values]; } }

    /// <summary>The session named <paramref name="name"/> (404 when unknown).</summary>
    public TrainingSession Get(string name)
    {
        RunsFolder.IsValidName(name);
        lock (_gate)
            return _sessions.TryGetValue(name, out var s) ? s : throw new ApiException(404, $"no training '{(name.Length > 60 ? name[..60] : name)}' in this server");
    }

    /// <summary>Validates the settings, builds the trainer (text errors throw with the caret message) and starts it.</summary>
    public TrainingSession Start(TrainingRequest request, string? name)
    {
        name ??= "web-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        string dir = runs.PathOf(name);
        lock (_gate)
        {
            int running = _sessions.Values.Count(s => !s.IsFinished);
            if (running >= MaxConcurrent)
                throw new ApiException(409, $"a training is already running ({running} of at most {MaxConcurrent}); stop it first, or start descent serve with --max-trainings");
            if (_sessions.ContainsKey(name) || Directory.Exists(dir)) throw new ApiException(409, $"a run named '{name}' already exists");
        }
        TrainingProblem problem;
        try
        {
            problem = TrainingProblem.Create(request.Problem, request.Hidden, dataDirectory, request.TrainLimit);
        }
        catch (IOException e)
        {
            throw new ApiException(400, $"cannot load the data of {request.Problem}: {e.Message} (start descent serve with --data DIR)");
        }
        var trainer = new Trainer(problem, new TrainingOptions
        {
            Optimizer = request.Optimizer,
            Schedule = string.IsNullOrWhiteSpace(request.Schedule) ? null : request.Schedule,
            Epochs = request.Epochs,
            BatchSize = request.BatchSize,
            Seed = request.Seed,
            OutputDirectory = dir,
        });
        var session = new TrainingSession(name, dir, request, trainer);
        lock (_gate)
        {
            if (_sessions.Values.Count(s => !s.IsFinished) >= MaxConcurrent) throw new ApiException(409, "a training is already running; stop it first");
            if (!_sessions.TryAdd(name, session)) throw new ApiException(409, $"a run named '{name}' already exists");
        }
        session.Start(_ => { });
        return session;
    }

    /// <summary>Stops every running training and waits for them (server shutdown).</summary>
    public async Task StopAllAsync()
    {
        var all = Sessions;
        foreach (var s in all) s.Stop();
        await Task.WhenAll(all.Select(s => s.Completion)).ConfigureAwait(false);
    }
}

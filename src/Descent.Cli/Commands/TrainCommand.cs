using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Descent.Distributed;
using Descent.Lab.Data;
using Descent.Lab.Training;
using Descent.Numerics;
using Descent.Optimizers;
using Descent.Serialization;
using Descent.TensorBoard;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary><c>descent train</c>: trains an MLP (or softmax regression) with any optimizer and schedule; checkpoints every epoch; resumes bit for bit.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a model (" + string.Join(", ", TrainingProblem.Names) + ") with an optimizer and a schedule; checkpoint each epoch; --resume continues bit for bit.");
        var problem = new Option<string>("--problem") { Description = "Problem: " + string.Join(", ", TrainingProblem.Names) + ".", DefaultValueFactory = _ => "mnist-mlp" };
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer text, e.g. \"adamw(lr=3e-3, weight_decay=0.01)\".", DefaultValueFactory = _ => "adamw(lr=3e-3, weight_decay=0.01)" };
        var schedule = new Option<string?>("--schedule") { Description = "Schedule text, e.g. \"onecycle(max=3e-3)\" (default: constant)." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs in total (default 10; with --resume: the saved run's)." };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 128 };
        var mode = new Option<string>("--mode") { Description = "minibatch, full (full batch) or single (one sample per step).", DefaultValueFactory = _ => "minibatch" };
        var accumulate = new Option<int>("--accumulate") { Description = "Batches averaged per optimizer step (gradient accumulation).", DefaultValueFactory = _ => 1 };
        var seed = new Option<long>("--seed") { Description = "Seed of the initialisation and the data order.", DefaultValueFactory = _ => 0 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the MLP.", DefaultValueFactory = _ => 256 };
        var data = new Option<string?>("--data") { Description = "MNIST folder (default: DESCENT_DATA, else data/mnist-10k found from the current folder or next to the program)." };
        var limit = new Option<int?>("--train-limit") { Description = "Use only the first N training samples." };
        var output = new Option<string?>("--out") { Description = "Output folder (default runs/<timestamp>/)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this folder (the same command with --resume added works; settings that differ from the run's are refused)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Start a new run in an --out folder that already holds a run or other files (the run's checkpoint and metrics are replaced)." };
        var stopAfter = new Option<int?>("--stop-after") { Description = "Stop after this many epochs (checkpoint saved), as if interrupted." };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels (results do not depend on it)." };
        var nonFinite = new Option<string>("--nonfinite") { Description = "Optimizer policy for NaN/inf gradients: propagate, throw, skip, zero.", DefaultValueFactory = _ => "propagate" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object as the last line." };
        var reduction = new Option<string>("--reduction") { Description = "Data-parallel gradient sum: mpi (MPI_Allreduce) or deterministic (fixed chunks in fixed order: bit-identical on any number of ranks).", DefaultValueFactory = _ => "mpi" };
        var zero = new Option<int>("--zero") { Description = "ZeRO stage: 0, or 1 to shard the optimizer state across ranks.", DefaultValueFactory = _ => 0 };
        var samplerTail = new Option<string>("--sampler-tail") { Description = "Data-parallel epochs whose length is not a multiple of the ranks: none (every sample once; the same run on any number of ranks), pad or drop (to a multiple of the ranks, as torch DistributedSampler drop_last=False/True).", DefaultValueFactory = _ => "none" };
        var chunk = new Option<int>("--chunk") { Description = "Samples per chunk of the deterministic reduction.", DefaultValueFactory = _ => 16 };
        var scaleLr = new Option<string>("--scale-lr") { Description = "none, or linear: learning rate x (global batch / --base-batch), reached by a linear warmup over --warmup-epochs (Goyal et al., 2017).", DefaultValueFactory = _ => "none" };
        var baseBatch = new Option<int>("--base-batch") { Description = "The batch the optimizer's learning rate was tuned for (--scale-lr linear).", DefaultValueFactory = _ => 128 };
        var warmupEpochs = new Option<double>("--warmup-epochs") { Description = "Epochs of linear warmup to the scaled rate (--scale-lr linear; 0: none).", DefaultValueFactory = _ => 5 };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "Also write TensorBoard event files into this run directory (tensorboard --logdir DIR; rank 0 only)." };
        // Hidden testing aid for the crash-consistency harness: pause this long in the middle of every checkpoint write.
        var checkpointDelay = new Option<int>("--checkpoint-write-delay-ms") { Hidden = true, DefaultValueFactory = _ => 0 };
        foreach (Option o in new Option[] { problem, optimizer, schedule, epochs, batch, mode, accumulate, seed, hidden, data, limit, output, resume, stopAfter, threads, nonFinite, json, reduction, zero, chunk, samplerTail, scaleLr, baseBatch, warmupEpochs, tensorboard, checkpointDelay, overwrite })
            command.Options.Add(o);

        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var communicator = Distribution.Detect();
            return Distribution.Run(communicator, () => Train(parse, communicator));
        }));
        return command;

        int Train(ParseResult parse, ICommunicator communicator)
        {
            int maxThreads = Parallelism.ProcessDefault;
            if (parse.GetValue(threads) is { } t)
            {
                if (t < 1) throw new ArgumentException($"--threads must be >= 1 (got {t})");
                maxThreads = t;
            }
            else if (communicator.Size > 1 && int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int local) && local > 0)
            {
                maxThreads = Math.Max(1, Environment.ProcessorCount / local); // ranks on one host share its cores
            }
            var parallelOptions = new DataParallelOptions
            {
                Reduction = parse.GetValue(reduction) switch
                {
                    "mpi" => GradientReduction.Mpi,
                    "deterministic" => GradientReduction.Deterministic,
                    var other => throw new ArgumentException($"unknown --reduction '{other}' (mpi, deterministic)"),
                },
                ZeroStage = parse.GetValue(zero) is 0 or 1 ? parse.GetValue(zero) : throw new ArgumentException($"--zero must be 0 or 1 (got {parse.GetValue(zero)})"),
                ChunkSize = parse.GetValue(chunk) >= 1 ? parse.GetValue(chunk) : throw new ArgumentException($"--chunk must be >= 1 (got {parse.GetValue(chunk)})"),
            };
            bool distributed = communicator.Size > 1 || parallelOptions.Reduction != GradientReduction.Mpi || parallelOptions.ZeroStage != 0;
            var parallel = distributed ? new DataParallel(communicator, parallelOptions) : null;
            bool writer = communicator.Rank == 0;
            TimeSpan Delay() => parse.GetValue(checkpointDelay) is var ms and >= 0 and <= 60_000 ? TimeSpan.FromMilliseconds(ms)
                : throw new ArgumentException($"--checkpoint-write-delay-ms must be in [0, 60000] (got {parse.GetValue(checkpointDelay)})");
            bool asJson = parse.GetValue(json);
            Trainer trainer;
            TrainingProblem trainingProblem;
            string outDir;
            string? resumeDir = parse.GetValue(resume);
            if (resumeDir is not null)
            {
                string path = Path.Combine(resumeDir, Trainer.CheckpointFileName);
                var checkpoint = LoadOnRankZero(path, communicator);
                var (name, layers, saved) = Trainer.ReadConfiguration(checkpoint);
                // The same command with --resume added is accepted: a setting given again must equal the run's; only a different one is refused.
                void Same(Option option, string given, string theRun)
                {
                    if (parse.GetResult(option) is { Implicit: false } && given != theRun)
                        throw new ArgumentException($"{option.Name} {given} differs from the run in {resumeDir}, which has {option.Name} {theRun}; drop {option.Name} to continue that run, or start a new run with another --out");
                }
                var inv = CultureInfo.InvariantCulture;
                Same(problem, parse.GetValue(problem)!, name);
                Same(optimizer, OptimizerCatalog.Parse(parse.GetValue(optimizer)!).ToString(), saved.Optimizer);
                switch (parse.GetValue(scaleLr))
                {
                    case "none":
                        foreach (Option o in new Option[] { baseBatch, warmupEpochs })
                            if (parse.GetResult(o) is { Implicit: false }) throw new ArgumentException($"{o.Name} applies only with --scale-lr linear");
                        Same(schedule, parse.GetValue(schedule) ?? "", saved.Schedule ?? "");
                        break;
                    case "linear":
                        // The same scaling options again give the same scaled schedule text as the run's: accepted; other ones are refused.
                        long trainCount = checkpoint.GetInt64("train/train_count");
                        int global = saved.Mode switch { BatchMode.FullBatch => checked((int)trainCount), BatchMode.SingleSample => 1, _ => saved.BatchSize };
                        long perEpoch = Math.Max(1, (trainCount + global - 1) / global / Math.Max(1, saved.AccumulationSteps));
                        string scaled = LinearScaling(parse.GetValue(schedule), global, parse.GetValue(baseBatch), (long)Math.Round(parse.GetValue(warmupEpochs) * perEpoch));
                        if (scaled != (saved.Schedule ?? ""))
                            throw new ArgumentException($"--scale-lr linear with these settings gives the schedule {scaled}, which differs from the run in {resumeDir}, which has {saved.Schedule ?? "(none)"}; drop the scaling options to continue that run, or start a new run with another --out");
                        break;
                    case var other:
                        throw new ArgumentException($"unknown --scale-lr '{other}' (none, linear)");
                }
                Same(batch, parse.GetValue(batch).ToString(inv), saved.BatchSize.ToString(inv));
                Same(mode, ParseMode(parse.GetValue(mode)!).ToString(), saved.Mode.ToString());
                Same(accumulate, parse.GetValue(accumulate).ToString(inv), saved.AccumulationSteps.ToString(inv));
                Same(samplerTail, ParseTail(parse.GetValue(samplerTail)!).ToString(), saved.SamplerTail.ToString());
                Same(seed, parse.GetValue(seed).ToString(inv), saved.Seed.ToString(inv));
                Same(hidden, parse.GetValue(hidden).ToString(inv), (layers.Length > 2 ? layers[1] : 0).ToString(inv));
                Same(nonFinite, ParsePolicy(parse.GetValue(nonFinite)!).ToString(), saved.NonFinitePolicy.ToString());
                Same(limit, parse.GetValue(limit)?.ToString(inv) ?? "", checkpoint.GetInt64("train/train_count").ToString(inv));
                int total = parse.GetValue(epochs) ?? saved.Epochs;
                if (total != saved.Epochs && saved.Schedule is not null && !asJson && writer)
                    Console.Error.WriteLine($"descent: note: the schedule is now bound to {total} epochs (the saved run planned {saved.Epochs}).");
                outDir = parse.GetValue(output) ?? resumeDir;
                if (Path.GetFullPath(outDir).TrimEnd('/') != Path.GetFullPath(resumeDir).TrimEnd('/')) RefuseOccupied(outDir, parse.GetValue(overwrite));
                trainingProblem = TrainingProblem.Create(name, layers.Length > 2 ? layers[1] : 1, parse.GetValue(data),
                    checked((int)checkpoint.GetInt64("train/train_count")));
                trainer = new Trainer(trainingProblem, saved with
                {
                    Epochs = total, OutputDirectory = outDir, StopAfterEpochs = parse.GetValue(stopAfter), CheckpointWriteDelay = Delay(),
                    MaxDegreeOfParallelism = maxThreads,
                }, parallel);
                trainer.LoadCheckpoint(checkpoint);
            }
            else
            {
                int total = parse.GetValue(epochs) ?? 10;
                if (total < 0) throw new ArgumentException($"--epochs must be >= 0 (got {total})");
                if (parse.GetValue(seed) < 0) throw new ArgumentException($"--seed must be >= 0 (got {parse.GetValue(seed)})");
                var batchMode = ParseMode(parse.GetValue(mode)!);
                var policy = ParsePolicy(parse.GetValue(nonFinite)!);
                outDir = parse.GetValue(output) ?? Path.Combine("runs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                if (writer) RefuseOccupied(outDir, parse.GetValue(overwrite));
                trainingProblem = TrainingProblem.Create(parse.GetValue(problem)!, parse.GetValue(hidden), parse.GetValue(data), parse.GetValue(limit));
                string? scheduleText = parse.GetValue(schedule);
                switch (parse.GetValue(scaleLr))
                {
                    case "none":
                        break;
                    case "linear":
                        int global = batchMode switch { BatchMode.FullBatch => trainingProblem.Train.Count, BatchMode.SingleSample => 1, _ => parse.GetValue(batch) };
                        long perEpoch = Math.Max(1, (trainingProblem.Train.Count + (long)global - 1) / global / Math.Max(1, parse.GetValue(accumulate)));
                        scheduleText = LinearScaling(scheduleText, global, parse.GetValue(baseBatch), (long)Math.Round(parse.GetValue(warmupEpochs) * perEpoch));
                        break;
                    case var other:
                        throw new ArgumentException($"unknown --scale-lr '{other}' (none, linear)");
                }
                trainer = new Trainer(trainingProblem, new TrainingOptions
                {
                    Optimizer = parse.GetValue(optimizer)!,
                    Schedule = scheduleText,
                    Epochs = total,
                    BatchSize = parse.GetValue(batch),
                    Mode = batchMode,
                    AccumulationSteps = parse.GetValue(accumulate),
                    SamplerTail = ParseTail(parse.GetValue(samplerTail)!),
                    Seed = (ulong)parse.GetValue(seed),
                    NonFinitePolicy = policy,
                    OutputDirectory = outDir,
                    StopAfterEpochs = parse.GetValue(stopAfter),
                    CheckpointWriteDelay = Delay(),
                    MaxDegreeOfParallelism = maxThreads,
                }, parallel);
            }

            using var cts = new CancellationTokenSource();
            // Under mpirun, Ctrl+C ends every rank (mpirun forwards it); a per-rank cancellation would stop the ranks at different steps.
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
            if (communicator.Size == 1) Console.CancelKeyPress += onCancel;
            TrainingResult result;
            using var board = writer && parse.GetValue(tensorboard) is { } boardDir ? new TensorBoardWriter(boardDir) : null;
            var log = board is null ? null : new TensorBoardTrainingLog(board, trainer);
            try
            {
                result = asJson || !writer ? trainer.Run(cts.Token, log?.Observe()) : RunWithProgress(trainer, cts.Token, log);
                log?.OnFinished(result);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            Span<long> stateBytes = [DataParallel.StateBytes(trainer.Optimizer)];
            communicator.Allreduce(stateBytes, ReduceOperation.Max);
            if (!writer) return result.Status == TrainingStatus.Diverged ? ExitCodes.Failure : ExitCodes.Success;
            var trainSeconds = result.History.Select(h => h.TrainSeconds).ToArray();
            if (asJson)
            {
                var summary = new Dictionary<string, object?>
                {
                    ["status"] = result.Status.ToString().ToLowerInvariant(),
                    ["problem"] = trainingProblem.Name,
                    ["optimizer"] = trainer.OptimizerText,
                    ["schedule"] = trainer.Schedule?.ToString(),
                    ["epochs"] = result.EpochsCompleted,
                    ["steps"] = trainer.Optimizer.StepCount,
                    ["test_accuracy"] = result.TestAccuracy,
                    ["test_loss"] = result.TestLoss,
                    ["seconds"] = result.Seconds,
                    ["epoch_train_seconds"] = trainSeconds,
                    ["params_sha256"] = result.ParamsSha256,
                    ["ranks"] = communicator.Size,
                    ["reduction"] = parallelOptions.Reduction.ToString().ToLowerInvariant(),
                    ["zero"] = parallelOptions.ZeroStage,
                    ["optimizer_state_bytes_per_rank"] = stateBytes[0],
                    ["out"] = outDir,
                    ["message"] = result.Message,
                };
                Console.Out.WriteLine(CliJson.Serialize(summary));
            }
            else
            {
                Console.Out.WriteLine(result.Message);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"test accuracy {result.TestAccuracy:P2}, test loss {result.TestLoss:G6}, {result.Seconds:F1} s, params sha256 {result.ParamsSha256}, output {outDir}"));
            }
            if (result.Status == TrainingStatus.Diverged)
            {
                Console.Error.WriteLine($"descent: {result.Message}");
                return ExitCodes.Failure;
            }
            return result.Status == TrainingStatus.Cancelled ? ExitCodes.Interrupted : ExitCodes.Success;
        }
    }

    private static BatchMode ParseMode(string text) => text switch
    {
        "minibatch" or "mini-batch" => BatchMode.MiniBatch,
        "full" or "full-batch" => BatchMode.FullBatch,
        "single" or "single-sample" => BatchMode.SingleSample,
        var other => throw new ArgumentException($"unknown --mode '{other}' (minibatch, full, single)"),
    };

    private static NonFinitePolicy ParsePolicy(string text) => text switch
    {
        "propagate" => NonFinitePolicy.Propagate,
        "throw" => NonFinitePolicy.Throw,
        "skip" => NonFinitePolicy.SkipStep,
        "zero" => NonFinitePolicy.ZeroNonFinite,
        var other => throw new ArgumentException($"unknown --nonfinite '{other}' (propagate, throw, skip, zero)"),
    };

    private static SamplerTail ParseTail(string text) => text switch
    {
        "none" => SamplerTail.None,
        "pad" => SamplerTail.Pad,
        "drop" => SamplerTail.Drop,
        var other => throw new ArgumentException($"unknown --sampler-tail '{other}' (none, pad, drop)"),
    };

    /// <summary>The files a training run writes into its folder (replaced by --overwrite; nothing else there is touched).</summary>
    internal static readonly string[] RunFiles = [Trainer.CheckpointFileName, "metrics.csv", "metrics.jsonl"];

    /// <summary>
    /// A new run must not write over an existing run or into a folder holding anything else: refused unless --overwrite, which
    /// removes only the run's own files (checkpoint, metrics) and keeps everything else.
    /// </summary>
    private static void RefuseOccupied(string dir, bool overwrite)
    {
        if (!Directory.Exists(dir) || !Directory.EnumerateFileSystemEntries(dir).Any()) return;
        bool isRun = File.Exists(Path.Combine(dir, Trainer.CheckpointFileName));
        if (!overwrite)
        {
            throw new ArgumentException(isRun
                ? $"--out {dir} already holds a training run; continue it with --resume {dir}, or replace it with --overwrite"
                : $"--out {dir} is not empty; choose another folder, or pass --overwrite to write the run there anyway");
        }
        foreach (string file in RunFiles) File.Delete(Path.Combine(dir, file));
    }

    /// <summary>
    /// The linear scaling rule with gradual warmup (Goyal et al., 2017, "Accurate, large minibatch SGD", sections 2.1-2.2): with a
    /// global batch k times the batch the rate was tuned for, multiply the learning rate by k, reaching it by a linear ramp from
    /// the unscaled rate over the warmup steps; any schedule given is multiplied in. Written as schedule text, so the checkpoint
    /// keeps it and a resumed run follows it.
    /// </summary>
    internal static string LinearScaling(string? schedule, int globalBatch, int baseBatch, long warmupSteps)
    {
        if (baseBatch < 1) throw new ArgumentException($"--base-batch must be >= 1 (got {baseBatch})");
        if (warmupSteps < 0) throw new ArgumentException("--warmup-epochs must be >= 0");
        double k = (double)globalBatch / baseBatch;
        string inner = string.IsNullOrWhiteSpace(schedule) ? "constant()" : schedule;
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        string ramp = warmupSteps > 0 && k > 1 ? $"warmup(steps={warmupSteps}, start={F(1 / k)})" : "constant()";
        return $"scale(mul({ramp}, {inner}), factor={F(k)})";
    }

    /// <summary>Rank 0 reads the checkpoint and broadcasts its bytes, so the other ranks (on other hosts too) resume from the same state.</summary>
    private static Checkpoint LoadOnRankZero(string path, ICommunicator communicator)
    {
        if (communicator.Size == 1)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"no checkpoint {path} to resume");
            return CheckpointFile.Load(path);
        }
        byte[] bytes = [];
        Span<long> length = [-1];
        if (communicator.Rank == 0 && File.Exists(path))
        {
            bytes = File.ReadAllBytes(path);
            length[0] = bytes.Length;
        }
        communicator.Bcast(length);
        if (length[0] < 0) throw new FileNotFoundException($"no checkpoint {path} to resume (on rank 0)");
        if (communicator.Rank != 0) bytes = new byte[length[0]];
        communicator.Bcast<byte>(bytes);
        return CheckpointFile.Read(new MemoryStream(bytes));
    }


    private static TrainingResult RunWithProgress(Trainer trainer, CancellationToken token, TensorBoardTrainingLog? log)
    {
        if (Console.IsOutputRedirected)
        {
            int printed = 0;
            var r = trainer.Run(token, p =>
            {
                log?.OnProgress(p);
                log?.OnEpochs(trainer.History);
                while (printed < trainer.History.Count) PrintEpoch(trainer.History[printed++]);
            });
            while (printed < r.History.Count) PrintEpoch(r.History[printed++]);
            return r;
        }
        TrainingResult result = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int epoch = 0;
                long last = 0;
                result = trainer.Run(token, p =>
                {
                    log?.OnProgress(p);
                    log?.OnEpochs(trainer.History);
                    if (p.Epoch != epoch)
                    {
                        task?.StopTask();
                        epoch = p.Epoch;
                        var h = trainer.History.Count > 0 ? trainer.History[^1] : null;
                        string previous = h is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (last: test acc {h.TestAccuracy:P2})");
                        task = ctx.AddTask($"epoch {p.Epoch}/{p.Epochs}{previous}", maxValue: p.BatchesPerEpoch);
                    }
                    if (p.Batch == p.BatchesPerEpoch || Environment.TickCount64 - last > 100)
                    {
                        last = Environment.TickCount64;
                        task!.Value = p.Batch;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} lr {p.LearningRate:G3}");
                    }
                });
                task?.StopTask();
            });
        foreach (var h in result.History) PrintEpoch(h);
        return result;
    }

    private static void PrintEpoch(EpochMetrics h) => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {h.Epoch}: train loss {h.TrainLoss:F4}, test loss {h.TestLoss:F4}, test acc {h.TestAccuracy:P2}, lr {h.LearningRate:G4}, {h.TrainSeconds:F2} s"));
}

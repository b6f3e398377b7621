using System.CommandLine;
using System.Globalization;
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
        var o = new TrainOptions();
        foreach (Option option in o.All) command.Options.Add(option);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var communicator = Distribution.Detect();
            return Distribution.Run(communicator, () => Train(parse, o, communicator));
        }));
        return command;
    }

    /// <summary>The options of <c>descent train</c>.</summary>
    private sealed class TrainOptions
    {
        public Option<string> Problem { get; } = new("--problem") { Description = "Problem: " + string.Join(", ", TrainingProblem.Names) + ".", DefaultValueFactory = _ => "mnist-mlp" };
        public Option<string> Optimizer { get; } = new("--optimizer") { Description = "Optimizer text, e.g. \"adamw(lr=3e-3, weight_decay=0.01)\".", DefaultValueFactory = _ => "adamw(lr=3e-3, weight_decay=0.01)" };
        public Option<string?> Schedule { get; } = new("--schedule") { Description = "Schedule text, e.g. \"onecycle(max=3e-3)\" (default: constant)." };
        public Option<int?> Epochs { get; } = new("--epochs") { Description = "Epochs in total (default 10; with --resume: the saved run's)." };
        public Option<int> Batch { get; } = new("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 128 };
        public Option<string> Mode { get; } = new("--mode") { Description = "minibatch, full (full batch) or single (one sample per step).", DefaultValueFactory = _ => "minibatch" };
        public Option<int> Accumulate { get; } = new("--accumulate") { Description = "Batches averaged per optimizer step (gradient accumulation).", DefaultValueFactory = _ => 1 };
        public Option<long> Seed { get; } = new("--seed") { Description = "Seed of the initialisation and the data order.", DefaultValueFactory = _ => 0 };
        public Option<int> Hidden { get; } = new("--hidden") { Description = "Hidden units of the MLP.", DefaultValueFactory = _ => 256 };
        public Option<string?> Data { get; } = new("--data") { Description = "MNIST folder (default: DESCENT_DATA, else data/mnist-10k found from the current folder or next to the program)." };
        public Option<int?> Limit { get; } = new("--train-limit") { Description = "Use only the first N training samples." };
        public Option<string?> Output { get; } = new("--out") { Description = "Output folder (default runs/<timestamp>/)." };
        public Option<string?> Resume { get; } = new("--resume") { Description = "Continue the run saved in this folder (the same command with --resume added works; settings that differ from the run's are refused)." };
        public Option<bool> Overwrite { get; } = new("--overwrite") { Description = "Start a new run in an --out folder that already holds a run or other files (the run's checkpoint and metrics are replaced)." };
        public Option<int?> StopAfter { get; } = new("--stop-after") { Description = "Stop after this many epochs (checkpoint saved), as if interrupted." };
        public Option<int?> Threads { get; } = new("--threads") { Description = "Threads for the kernels (results do not depend on it)." };
        public Option<string> NonFinite { get; } = new("--nonfinite") { Description = "Optimizer policy for NaN/inf gradients: propagate, throw, skip, zero.", DefaultValueFactory = _ => "propagate" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON object as the last line." };
        public Option<string> Reduction { get; } = new("--reduction") { Description = "Data-parallel gradient sum: mpi (MPI_Allreduce) or deterministic (fixed chunks in fixed order: bit-identical on any number of ranks).", DefaultValueFactory = _ => "mpi" };
        public Option<int> Zero { get; } = new("--zero") { Description = "ZeRO stage: 0, or 1 to shard the optimizer state across ranks.", DefaultValueFactory = _ => 0 };
        public Option<int> Chunk { get; } = new("--chunk") { Description = "Samples per chunk of the deterministic reduction.", DefaultValueFactory = _ => 16 };
        public Option<string> SamplerTail { get; } = new("--sampler-tail") { Description = "Data-parallel epochs whose length is not a multiple of the ranks: none (every sample once; the same run on any number of ranks), pad or drop (to a multiple of the ranks, as torch DistributedSampler drop_last=False/True).", DefaultValueFactory = _ => "none" };
        public Option<string> ScaleLr { get; } = new("--scale-lr") { Description = "none, or linear: learning rate x (global batch / --base-batch), reached by a linear warmup over --warmup-epochs (Goyal et al., 2017).", DefaultValueFactory = _ => "none" };
        public Option<int> BaseBatch { get; } = new("--base-batch") { Description = "The batch the optimizer's learning rate was tuned for (--scale-lr linear).", DefaultValueFactory = _ => 128 };
        public Option<double> WarmupEpochs { get; } = new("--warmup-epochs") { Description = "Epochs of linear warmup to the scaled rate (--scale-lr linear; 0: none).", DefaultValueFactory = _ => 5 };
        public Option<string?> TensorBoard { get; } = new("--tensorboard") { Description = "Also write TensorBoard event files into this run directory (tensorboard --logdir DIR; rank 0 only)." };
        /// <summary>Hidden testing aid for the crash-consistency harness: pause this long in the middle of every checkpoint write.</summary>
        public Option<int> CheckpointDelay { get; } = new("--checkpoint-write-delay-ms") { Hidden = true, DefaultValueFactory = _ => 0 };

        /// <summary>Every option, in the order of the help text.</summary>
        public Option[] All => [Problem, Optimizer, Schedule, Epochs, Batch, Mode, Accumulate, Seed, Hidden, Data, Limit, Output, Resume, StopAfter, Threads, NonFinite, Json, Reduction, Zero, Chunk, SamplerTail, ScaleLr, BaseBatch, WarmupEpochs, TensorBoard, CheckpointDelay, Overwrite];
    }

    /// <summary>The trainer of a run, its problem and its output folder.</summary>
    private sealed record PreparedRun(Trainer Trainer, TrainingProblem Problem, string OutputDirectory);

    /// <summary>One rank's run: set up (new or resumed), train, report on rank 0.</summary>
    private static int Train(ParseResult parse, TrainOptions o, ICommunicator communicator)
    {
        int maxThreads = ThreadCount(parse, o, communicator);
        var parallelOptions = DataParallelOptionsOf(parse, o);
        bool distributed = communicator.Size > 1 || parallelOptions.Reduction != GradientReduction.Mpi || parallelOptions.ZeroStage != 0;
        var parallel = distributed ? new DataParallel(communicator, parallelOptions) : null;
        bool writer = communicator.Rank == 0;
        bool asJson = parse.GetValue(o.Json);
        var run = parse.GetValue(o.Resume) is { } resumeDir
            ? PrepareResumedRun(parse, o, communicator, resumeDir, writer && !asJson, maxThreads, parallel)
            : PrepareNewRun(parse, o, writer, maxThreads, parallel);
        // The TensorBoard writer is closed when the run ends, after the summary.
        using var board = writer && parse.GetValue(o.TensorBoard) is { } boardDir ? new TensorBoardWriter(boardDir) : null;
        var result = RunTrainer(run.Trainer, communicator, board, progress: !asJson && writer);
        long stateBytes = LargestStateBytes(run.Trainer, communicator);
        if (!writer) return result.Status == TrainingStatus.Diverged ? ExitCodes.Failure : ExitCodes.Success;
        if (asJson) WriteJsonSummary(run, result, communicator.Size, parallelOptions, stateBytes);
        else WriteTextSummary(result, run.OutputDirectory);
        return ExitCodeOf(result);
    }

    /// <summary>--threads, else under mpirun the host's cores shared among its ranks, else the process default.</summary>
    private static int ThreadCount(ParseResult parse, TrainOptions o, ICommunicator communicator)
    {
        if (parse.GetValue(o.Threads) is { } t)
        {
            if (t < 1) throw new ArgumentException($"--threads must be >= 1 (got {t})");
            return t;
        }
        if (communicator.Size > 1 && int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int local) && local > 0)
            return Math.Max(1, Environment.ProcessorCount / local); // ranks on one host share its cores
        return Parallelism.ProcessDefault;
    }

    /// <summary>--reduction, --zero and --chunk, validated.</summary>
    private static DataParallelOptions DataParallelOptionsOf(ParseResult parse, TrainOptions o) => new()
    {
        Reduction = parse.GetValue(o.Reduction) switch
        {
            "mpi" => GradientReduction.Mpi,
            "deterministic" => GradientReduction.Deterministic,
            var other => throw new ArgumentException($"unknown --reduction '{other}' (mpi, deterministic)"),
        },
        ZeroStage = parse.GetValue(o.Zero) is 0 or 1 ? parse.GetValue(o.Zero) : throw new ArgumentException($"--zero must be 0 or 1 (got {parse.GetValue(o.Zero)})"),
        ChunkSize = parse.GetValue(o.Chunk) >= 1 ? parse.GetValue(o.Chunk) : throw new ArgumentException($"--chunk must be >= 1 (got {parse.GetValue(o.Chunk)})"),
    };

    /// <summary>--checkpoint-write-delay-ms, validated.</summary>
    private static TimeSpan CheckpointDelay(ParseResult parse, TrainOptions o)
        => parse.GetValue(o.CheckpointDelay) is var ms and >= 0 and <= 60_000 ? TimeSpan.FromMilliseconds(ms)
            : throw new ArgumentException($"--checkpoint-write-delay-ms must be in [0, 60000] (got {parse.GetValue(o.CheckpointDelay)})");

    /// <summary>A new run from the command line's settings.</summary>
    private static PreparedRun PrepareNewRun(ParseResult parse, TrainOptions o, bool writer, int maxThreads, DataParallel? parallel)
    {
        int total = parse.GetValue(o.Epochs) ?? 10;
        if (total < 0) throw new ArgumentException($"--epochs must be >= 0 (got {total})");
        if (parse.GetValue(o.Seed) < 0) throw new ArgumentException($"--seed must be >= 0 (got {parse.GetValue(o.Seed)})");
        var batchMode = ParseMode(parse.GetValue(o.Mode)!);
        var policy = ParsePolicy(parse.GetValue(o.NonFinite)!);
        string outDir = parse.GetValue(o.Output) ?? Path.Combine("runs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        if (writer) RefuseOccupied(outDir, parse.GetValue(o.Overwrite));
        var trainingProblem = TrainingProblem.Create(parse.GetValue(o.Problem)!, parse.GetValue(o.Hidden), parse.GetValue(o.Data), parse.GetValue(o.Limit));
        string? scheduleText = parse.GetValue(o.ScaleLr) switch
        {
            "none" => parse.GetValue(o.Schedule),
            "linear" => LinearScaling(parse, o, trainingProblem.Train.Count, batchMode, parse.GetValue(o.Batch), parse.GetValue(o.Accumulate)),
            var other => throw new ArgumentException($"unknown --scale-lr '{other}' (none, linear)"),
        };
        var trainer = new Trainer(trainingProblem, new TrainingOptions
        {
            Optimizer = parse.GetValue(o.Optimizer)!,
            Schedule = scheduleText,
            Epochs = total,
            BatchSize = parse.GetValue(o.Batch),
            Mode = batchMode,
            AccumulationSteps = parse.GetValue(o.Accumulate),
            SamplerTail = ParseTail(parse.GetValue(o.SamplerTail)!),
            Seed = (ulong)parse.GetValue(o.Seed),
            NonFinitePolicy = policy,
            OutputDirectory = outDir,
            StopAfterEpochs = parse.GetValue(o.StopAfter),
            CheckpointWriteDelay = CheckpointDelay(parse, o),
            MaxDegreeOfParallelism = maxThreads,
        }, parallel);
        return new(trainer, trainingProblem, outDir);
    }

    /// <summary>The run saved in <paramref name="resumeDir"/>, continued; settings given again must equal the run's.</summary>
    private static PreparedRun PrepareResumedRun(ParseResult parse, TrainOptions o, ICommunicator communicator, string resumeDir, bool notes,
        int maxThreads, DataParallel? parallel)
    {
        var checkpoint = LoadOnRankZero(Path.Combine(resumeDir, Trainer.CheckpointFileName), communicator);
        var (name, layers, saved) = Trainer.ReadConfiguration(checkpoint);
        RefuseDifferentSettings(parse, o, resumeDir, checkpoint, name, layers, saved);
        int total = parse.GetValue(o.Epochs) ?? saved.Epochs;
        if (total != saved.Epochs && saved.Schedule is not null && notes)
            Console.Error.WriteLine($"descent: note: the schedule is now bound to {total} epochs (the saved run planned {saved.Epochs}).");
        string outDir = parse.GetValue(o.Output) ?? resumeDir;
        if (Path.GetFullPath(outDir).TrimEnd('/') != Path.GetFullPath(resumeDir).TrimEnd('/')) RefuseOccupied(outDir, parse.GetValue(o.Overwrite));
        var trainingProblem = TrainingProblem.Create(name, layers.Length > 2 ? layers[1] : 1, parse.GetValue(o.Data),
            checked((int)checkpoint.GetInt64("train/train_count")));
        var trainer = new Trainer(trainingProblem, saved with
        {
            Epochs = total, OutputDirectory = outDir, StopAfterEpochs = parse.GetValue(o.StopAfter), CheckpointWriteDelay = CheckpointDelay(parse, o),
            MaxDegreeOfParallelism = maxThreads,
        }, parallel);
        trainer.LoadCheckpoint(checkpoint);
        return new(trainer, trainingProblem, outDir);
    }

    /// <summary>
    /// The same command with --resume added is accepted: a setting given again must equal the run's; only a different one is
    /// refused (scaling options: the scaled schedule text they give must equal the run's).
    /// </summary>
    private static void RefuseDifferentSettings(ParseResult parse, TrainOptions o, string resumeDir, Checkpoint checkpoint, string problem,
        int[] layers, TrainingOptions saved)
    {
        var inv = CultureInfo.InvariantCulture;
        RequireSame(parse, o.Problem, parse.GetValue(o.Problem)!, problem, resumeDir);
        RequireSame(parse, o.Optimizer, OptimizerCatalog.Parse(parse.GetValue(o.Optimizer)!).ToString(), saved.Optimizer, resumeDir);
        switch (parse.GetValue(o.ScaleLr))
        {
            case "none":
                foreach (Option option in new Option[] { o.BaseBatch, o.WarmupEpochs })
                    if (parse.GetResult(option) is { Implicit: false }) throw new ArgumentException($"{option.Name} applies only with --scale-lr linear");
                RequireSame(parse, o.Schedule, parse.GetValue(o.Schedule) ?? "", saved.Schedule ?? "", resumeDir);
                break;
            case "linear":
                string scaled = LinearScaling(parse, o, checkpoint.GetInt64("train/train_count"), saved.Mode, saved.BatchSize, saved.AccumulationSteps);
                if (scaled != (saved.Schedule ?? ""))
                    throw new ArgumentException($"--scale-lr linear with these settings gives the schedule {scaled}, which differs from the run in {resumeDir}, which has {saved.Schedule ?? "(none)"}; drop the scaling options to continue that run, or start a new run with another --out");
                break;
            case var other:
                throw new ArgumentException($"unknown --scale-lr '{other}' (none, linear)");
        }
        RequireSame(parse, o.Batch, parse.GetValue(o.Batch).ToString(inv), saved.BatchSize.ToString(inv), resumeDir);
        RequireSame(parse, o.Mode, ParseMode(parse.GetValue(o.Mode)!).ToString(), saved.Mode.ToString(), resumeDir);
        RequireSame(parse, o.Accumulate, parse.GetValue(o.Accumulate).ToString(inv), saved.AccumulationSteps.ToString(inv), resumeDir);
        RequireSame(parse, o.SamplerTail, ParseTail(parse.GetValue(o.SamplerTail)!).ToString(), saved.SamplerTail.ToString(), resumeDir);
        RequireSame(parse, o.Seed, parse.GetValue(o.Seed).ToString(inv), saved.Seed.ToString(inv), resumeDir);
        RequireSame(parse, o.Hidden, parse.GetValue(o.Hidden).ToString(inv), (layers.Length > 2 ? layers[1] : 0).ToString(inv), resumeDir);
        RequireSame(parse, o.NonFinite, ParsePolicy(parse.GetValue(o.NonFinite)!).ToString(), saved.NonFinitePolicy.ToString(), resumeDir);
        RequireSame(parse, o.Limit, parse.GetValue(o.Limit)?.ToString(inv) ?? "", checkpoint.GetInt64("train/train_count").ToString(inv), resumeDir);
    }

    /// <summary>Refuses <paramref name="option"/> when it was given and its value differs from the resumed run's.</summary>
    private static void RequireSame(ParseResult parse, Option option, string given, string theRun, string resumeDir)
    {
        if (parse.GetResult(option) is { Implicit: false } && given != theRun)
            throw new ArgumentException($"{option.Name} {given} differs from the run in {resumeDir}, which has {option.Name} {theRun}; drop {option.Name} to continue that run, or start a new run with another --out");
    }

    /// <summary>
    /// --scale-lr linear: the schedule text for a run over <paramref name="trainCount"/> samples, with the global batch of
    /// <paramref name="mode"/> and warmup epochs counted in optimizer steps.
    /// </summary>
    private static string LinearScaling(ParseResult parse, TrainOptions o, long trainCount, BatchMode mode, int batchSize, int accumulationSteps)
    {
        int global = mode switch { BatchMode.FullBatch => checked((int)trainCount), BatchMode.SingleSample => 1, _ => batchSize };
        long perEpoch = Math.Max(1, (trainCount + global - 1) / global / Math.Max(1, accumulationSteps));
        return LinearScaling(parse.GetValue(o.Schedule), global, parse.GetValue(o.BaseBatch), (long)Math.Round(parse.GetValue(o.WarmupEpochs) * perEpoch));
    }

    /// <summary>Trains until done, stopped, diverged or cancelled (Ctrl+C); with <paramref name="progress"/>, shows the epochs as they end.</summary>
    private static TrainingResult RunTrainer(Trainer trainer, ICommunicator communicator, TensorBoardWriter? board, bool progress)
    {
        using var cts = new CancellationTokenSource();
        // Under mpirun, Ctrl+C ends every rank (mpirun forwards it); a per-rank cancellation would stop the ranks at different steps.
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        if (communicator.Size == 1) Console.CancelKeyPress += onCancel;
        var log = board is null ? null : new TensorBoardTrainingLog(board, trainer);
        try
        {
            var result = progress ? RunWithProgress(trainer, cts.Token, log) : trainer.Run(cts.Token, log?.Observe());
            log?.OnFinished(result);
            return result;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The largest optimizer state held by one rank (every rank takes part).</summary>
    private static long LargestStateBytes(Trainer trainer, ICommunicator communicator)
    {
        Span<long> stateBytes = [DataParallel.StateBytes(trainer.Optimizer)];
        communicator.Allreduce(stateBytes, ReduceOperation.Max);
        return stateBytes[0];
    }

    /// <summary>--json: one JSON object as the last line.</summary>
    private static void WriteJsonSummary(PreparedRun run, TrainingResult result, int ranks, DataParallelOptions parallelOptions, long stateBytes)
    {
        var summary = new Dictionary<string, object?>
        {
            ["status"] = result.Status.ToString().ToLowerInvariant(),
            ["problem"] = run.Problem.Name,
            ["optimizer"] = run.Trainer.OptimizerText,
            ["schedule"] = run.Trainer.Schedule?.ToString(),
            ["epochs"] = result.EpochsCompleted,
            ["steps"] = run.Trainer.Optimizer.StepCount,
            ["test_accuracy"] = result.TestAccuracy,
            ["test_loss"] = result.TestLoss,
            ["seconds"] = result.Seconds,
            ["epoch_train_seconds"] = result.History.Select(h => h.TrainSeconds).ToArray(),
            ["params_sha256"] = result.ParamsSha256,
            ["ranks"] = ranks,
            ["reduction"] = parallelOptions.Reduction.ToString().ToLowerInvariant(),
            ["zero"] = parallelOptions.ZeroStage,
            ["optimizer_state_bytes_per_rank"] = stateBytes,
            ["out"] = run.OutputDirectory,
            ["message"] = result.Message,
        };
        Console.Out.WriteLine(CliJson.Serialize(summary));
    }

    /// <summary>The result in words: the trainer's message and one line of figures.</summary>
    private static void WriteTextSummary(TrainingResult result, string outDir)
    {
        Console.Out.WriteLine(result.Message);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {result.TestAccuracy:P2}, test loss {result.TestLoss:G6}, {result.Seconds:F1} s, params sha256 {result.ParamsSha256}, output {outDir}"));
    }

    /// <summary>Failure (with the message on stderr) when diverged, Interrupted when cancelled, else Success.</summary>
    private static int ExitCodeOf(TrainingResult result)
    {
        if (result.Status == TrainingStatus.Diverged)
        {
            Console.Error.WriteLine($"descent: {result.Message}");
            return ExitCodes.Failure;
        }
        return result.Status == TrainingStatus.Cancelled ? ExitCodes.Interrupted : ExitCodes.Success;
    }

    private static BatchMode ParseMode(string text) => text switch
    {
        "minibatch" or "mini-batch" => BatchMode.MiniBatch,
        "full" or "full-batch" => BatchMode.FullBatch,
        "single" or "single-sample" => BatchMode.SingleSample,
        var other => throw new ArgumentException($"unknown --mode '{other}' (minibatch, full, single)"),
    };

    private static Descent.Lab.Data.SamplerTail ParseTail(string text) => text switch
    {
        "none" => Descent.Lab.Data.SamplerTail.None,
        "pad" => Descent.Lab.Data.SamplerTail.Pad,
        "drop" => Descent.Lab.Data.SamplerTail.Drop,
        var other => throw new ArgumentException($"unknown --sampler-tail '{other}' (none, pad, drop)"),
    };

    private static NonFinitePolicy ParsePolicy(string text) => text switch
    {
        "propagate" => NonFinitePolicy.Propagate,
        "throw" => NonFinitePolicy.Throw,
        "skip" => NonFinitePolicy.SkipStep,
        "zero" => NonFinitePolicy.ZeroNonFinite,
        var other => throw new ArgumentException($"unknown --nonfinite '{other}' (propagate, throw, skip, zero)"),
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

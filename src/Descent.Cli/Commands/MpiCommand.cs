using System.CommandLine;
using System.Text.Json;
using Descent.Distributed;

namespace Descent.Cli.Commands;

/// <summary><c>descent mpi check</c>: runs every collective across the ranks of an <c>mpirun</c> job and checks the results.</summary>
internal static class MpiCommand
{
    public static Command Create()
    {
        var command = new Command("mpi", "Open MPI: check that the collectives work across the ranks of an mpirun job.");
        var check = new Command("check", "Run Allreduce, ReduceScatter, Allgather, Bcast and Barrier across the ranks (start with mpirun -np N) and check every result.");
        var split = new Option<long?>("--split") { Description = "Also run every collective with at most this many elements per MPI call (checks the splitting of large counts)." };
        var failRank = new Option<int?>("--fail-rank") { Description = "Make this rank throw after the checks (checks that one failing rank ends the whole job, naming it)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object as the last line." };
        check.Options.Add(split);
        check.Options.Add(failRank);
        check.Options.Add(json);
        check.SetAction(parse => ExitCodes.Guard(() =>
        {
            var communicator = Distribution.Detect();
            return Distribution.Run(communicator, () =>
            {
                if (parse.GetValue(split) is < 1) throw new ArgumentException("--split must be >= 1");
                var results = CollectiveCheck.Run(communicator, parse.GetValue(split));
                if (parse.GetValue(failRank) is { } f && f == communicator.Rank)
                    throw new ApplicationException($"failure requested by --fail-rank {f}");
                communicator.Barrier();
                bool passed = results.All(r => r.Passed);
                if (communicator.Rank == 0)
                {
                    string library = communicator is MpiCommunicator m ? m.LibraryVersion.Split('\n')[0] : "none (one process)";
                    if (parse.GetValue(json))
                    {
                        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                        {
                            ["ranks"] = communicator.Size,
                            ["library"] = library,
                            ["passed"] = results.Count(r => r.Passed),
                            ["failed"] = results.Count(r => !r.Passed),
                            ["checks"] = results.Select(r => new Dictionary<string, object> { ["name"] = r.Name, ["passed"] = r.Passed, ["detail"] = r.Detail }).ToArray(),
                        }));
                    }
                    else
                    {
                        Console.Out.WriteLine($"{communicator.Size} ranks, MPI library: {library}");
                        foreach (var r in results) Console.Out.WriteLine($"{(r.Passed ? "ok  " : "FAIL")} {r.Name}{(r.Detail.Length > 0 ? $": {r.Detail}" : "")}");
                        Console.Out.WriteLine($"{results.Count(r => r.Passed)} passed, {results.Count(r => !r.Passed)} failed");
                    }
                }
                return passed ? ExitCodes.Success : ExitCodes.Failure;
            });
        }));
        command.Subcommands.Add(check);
        command.Subcommands.Add(Bench());
        command.Subcommands.Add(Model());
        command.Subcommands.Add(ClipCheck());
        return command;
    }

    // Hidden testing aid: global-norm clipping under ZeRO-1 (the clip is not an option of descent train). Trains the small MNIST
    // MLP data-parallel with deterministic reduction and an optimizer that clips at --max-norm, and prints params_sha256.
    private static Command ClipCheck()
    {
        var check = new Command("clip-check", "Testing aid: train a small MLP with global-norm clipping (deterministic reduction, optional ZeRO-1) and print params_sha256.") { Hidden = true };
        var optimizer = new Option<string>("--optimizer") { DefaultValueFactory = _ => "adamw(lr=3e-3, weight_decay=0.01)" };
        var maxNorm = new Option<double>("--max-norm") { DefaultValueFactory = _ => double.PositiveInfinity };
        var zero = new Option<int>("--zero") { DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data");
        foreach (Option o in new Option[] { optimizer, maxNorm, zero, data }) check.Options.Add(o);
        check.SetAction(parse => ExitCodes.Guard(() =>
        {
            var communicator = Distribution.Detect();
            return Distribution.Run(communicator, () =>
            {
                var parallel = new DataParallel(communicator, new DataParallelOptions { Reduction = GradientReduction.Deterministic, ZeroStage = parse.GetValue(zero) });
                var problem = Descent.Lab.Training.TrainingProblem.Create("mnist-mlp", 8, parse.GetValue(data), 300);
                var options = new Descent.Lab.Training.TrainingOptions
                {
                    Optimizer = parse.GetValue(optimizer)!, Epochs = 2, BatchSize = 128, Seed = 3, MaxDegreeOfParallelism = 1,
                };
                var trainer = new Descent.Lab.Training.Trainer(problem, options, new Clipping(parallel, parse.GetValue(maxNorm)));
                var result = trainer.Run();
                if (communicator.Rank == 0)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["ranks"] = communicator.Size, ["zero"] = parse.GetValue(zero), ["steps"] = trainer.Optimizer.StepCount,
                        ["clip_by_global_norm"] = parallel.ClipByGlobalNorm.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["params_sha256"] = result.ParamsSha256,
                    }));
                }
                return ExitCodes.Success;
            });
        }));
        return check;
    }

    // The seam with an optimizer that clips by global norm (as a library user sets Optimizer.MaxGradientNorm).
    private sealed class Clipping(DataParallel inner, double maxNorm) : Descent.Lab.Training.IDataParallel
    {
        public int Rank => inner.Rank;
        public int Size => inner.Size;

        public Descent.Optimizers.Optimizer<float> CreateOptimizer(Func<Descent.Optimizers.Optimizer<float>> create, Descent.Lab.Models.Mlp model)
            => inner.CreateOptimizer(() =>
            {
                var o = create();
                o.MaxGradientNorm = maxNorm;
                return o;
            }, model);

        public double ComputeGradient(ReadOnlySpan<int> batch, Descent.Lab.Training.GradientSource source) => inner.ComputeGradient(batch, source);
        public void Step(Descent.Optimizers.Optimizer<float> optimizer) => inner.Step(optimizer);
        public void SaveOptimizer(Descent.Serialization.Checkpoint checkpoint, string prefix, Descent.Optimizers.Optimizer<float> optimizer) => inner.SaveOptimizer(checkpoint, prefix, optimizer);
        public void LoadOptimizer(Descent.Serialization.Checkpoint checkpoint, string prefix, Descent.Optimizers.Optimizer<float> optimizer) => inner.LoadOptimizer(checkpoint, prefix, optimizer);
    }

    private static readonly Dictionary<string, int[]> Models = new()
    {
        ["mnist-mlp"] = [784, 256, 10],
        ["synthetic-16m"] = [784, 4096, 3072, 10], // 15.9M parameters
    };

    private static Command Bench()
    {
        var bench = new Command("bench", "Time data-parallel steps (compute vs communication vs optimizer step) and allreduce by message size; run under mpirun -np N. A benchmark, not a test.");
        var models = new Option<string>("--models") { Description = "Comma-separated: mnist-mlp (784-256-10), synthetic-16m (784-4096-3072-10, 15.9M parameters).", DefaultValueFactory = _ => "mnist-mlp,synthetic-16m" };
        var batch = new Option<int>("--batch") { Description = "Global batch.", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per configuration (after 2 untimed).", DefaultValueFactory = _ => 10 };
        var data = new Option<string?>("--data") { Description = "MNIST folder (default: data/mnist-10k)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object as the last line." };
        foreach (Option o in new Option[] { models, batch, steps, data, json }) bench.Options.Add(o);
        bench.SetAction(parse => ExitCodes.Guard(() =>
        {
            var communicator = Distribution.Detect();
            return Distribution.Run(communicator, () =>
            {
                if (parse.GetValue(steps) < 1 || parse.GetValue(batch) < 1) throw new ArgumentException("--steps and --batch must be >= 1");
                var (train, _) = Descent.Lab.Data.Mnist.LoadDirectory(parse.GetValue(data) ?? Descent.Lab.Data.Mnist.FindDefaultDirectory());
                var rows = new List<DataParallelStepTiming>();
                foreach (string name in parse.GetValue(models)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!Models.TryGetValue(name, out var layers)) throw new ArgumentException($"unknown model '{name}' ({string.Join(", ", Models.Keys)})");
                    foreach (int zero in new[] { 0, 1 })
                        rows.Add(DataParallelBenchmark.Steps(communicator, train, layers, name, parse.GetValue(batch), zero, parse.GetValue(steps)));
                }
                long[] sizes = [1 << 8, 1 << 12, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24];
                var allreduce = communicator.Size > 1 ? DataParallelBenchmark.Allreduce(communicator, sizes, 5) : [];
                if (communicator.Rank != 0) return ExitCodes.Success;
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["ranks"] = communicator.Size,
                        ["steps"] = rows.Select(r => new Dictionary<string, object>
                        {
                            ["model"] = r.Model, ["parameters"] = r.Parameters, ["ranks"] = r.Ranks, ["global_batch"] = r.GlobalBatch, ["zero"] = r.Zero,
                            ["compute_s"] = r.ComputeSeconds, ["communication_s"] = r.CommunicationSeconds, ["optimizer_s"] = r.StepSeconds, ["total_s"] = r.TotalSeconds,
                        }).ToArray(),
                        ["allreduce"] = allreduce.Select(a => new Dictionary<string, object> { ["elements"] = a.Elements, ["seconds"] = a.Seconds }).ToArray(),
                    }));
                }
                else
                {
                    foreach (var r in rows)
                        Console.Out.WriteLine(FormattableString.Invariant($"{r.Model} ({r.Parameters:N0} params), {r.Ranks} ranks, batch {r.GlobalBatch}, zero {r.Zero}: compute {r.ComputeSeconds * 1e3:F2} ms, communication {r.CommunicationSeconds * 1e3:F2} ms, optimizer {r.StepSeconds * 1e3:F2} ms, step {r.TotalSeconds * 1e3:F2} ms"));
                    foreach (var (n, t) in allreduce) Console.Out.WriteLine(FormattableString.Invariant($"allreduce {n * 4:N0} bytes: {t * 1e6:F1} us"));
                }
                return ExitCodes.Success;
            });
        }));
        return bench;
    }

    private static Command Model()
    {
        var model = new Command("model", "Fit the alpha-beta cost model to `descent mpi bench --json` outputs of 2+ ranks, check it on the measured points and predict N = 8..1024 ranks on a stated network.");
        var files = new Argument<string[]>("files") { Description = "JSON outputs of descent mpi bench (one per rank count).", Arity = ArgumentArity.OneOrMore };
        var latency = new Option<double>("--latency") { Description = "The stated network's latency per message, seconds.", DefaultValueFactory = _ => 2e-6 };
        var bandwidth = new Option<double>("--bandwidth") { Description = "The stated network's bandwidth per link, bytes/s.", DefaultValueFactory = _ => 12.5e9 };
        model.Arguments.Add(files);
        model.Options.Add(latency);
        model.Options.Add(bandwidth);
        model.SetAction(parse => ExitCodes.Guard(() =>
        {
            var runs = parse.GetValue(files)!.Select(f => JsonDocument.Parse(File.ReadAllText(f).TrimEnd().Split('\n')[^1]).RootElement.Clone()).ToArray();
            var samples = runs.SelectMany(r => r.GetProperty("allreduce").EnumerateArray().Select(a =>
                (r.GetProperty("ranks").GetInt32(), a.GetProperty("elements").GetInt64() * 4.0, a.GetProperty("seconds").GetDouble()))).ToArray();
            var fitted = CostModel.FitAllreduce(samples);
            var stated = new CostModel(parse.GetValue(latency), parse.GetValue(bandwidth));
            var ci = System.Globalization.CultureInfo.InvariantCulture;
            Console.Out.WriteLine(string.Create(ci, $"fitted on this host (shared memory): alpha {fitted.Latency * 1e6:F2} us, beta {fitted.Bandwidth / 1e9:F2} GB/s"));
            Console.Out.WriteLine("| model | ranks | zero | compute ms | measured communication ms | predicted (fitted) ms | measured step ms | predicted step ms |");
            Console.Out.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            var steps = runs.SelectMany(r => r.GetProperty("steps").EnumerateArray()).ToArray();
            foreach (var s in steps.OrderBy(s => s.GetProperty("model").GetString()).ThenBy(s => s.GetProperty("zero").GetInt32()).ThenBy(s => s.GetProperty("ranks").GetInt32()))
            {
                int n = s.GetProperty("ranks").GetInt32(), zero = s.GetProperty("zero").GetInt32();
                double bytes = s.GetProperty("parameters").GetInt64() * 4.0;
                double comm = zero == 1 ? fitted.Zero1(n, bytes) : fitted.RingAllreduce(n, bytes);
                double compute = s.GetProperty("compute_s").GetDouble(), opt = s.GetProperty("optimizer_s").GetDouble();
                Console.Out.WriteLine(string.Create(ci, $"| {s.GetProperty("model").GetString()} | {n} | {zero} | {compute * 1e3:F2} | {s.GetProperty("communication_s").GetDouble() * 1e3:F2} | {comm * 1e3:F2} | {s.GetProperty("total_s").GetDouble() * 1e3:F2} | {(compute + opt + comm) * 1e3:F2} |"));
            }
            Console.Out.WriteLine();
            Console.Out.WriteLine(string.Create(ci, $"Prediction on the stated network (alpha {stated.Latency * 1e6:G3} us, beta {stated.Bandwidth / 1e9:G3} GB/s), per-rank batch fixed at the 1-rank global batch (weak scaling), compute and optimizer step from the 1-rank measurement (optimizer / N under ZeRO-1):"));
            Console.Out.WriteLine("| model | zero | N | compute ms | optimizer ms | communication ms | step ms | communication share |");
            Console.Out.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var s in steps.Where(s => s.GetProperty("ranks").GetInt32() == 1).OrderBy(s => s.GetProperty("model").GetString()).ThenBy(s => s.GetProperty("zero").GetInt32()))
            {
                int zero = s.GetProperty("zero").GetInt32();
                double bytes = s.GetProperty("parameters").GetInt64() * 4.0, compute = s.GetProperty("compute_s").GetDouble(), opt = s.GetProperty("optimizer_s").GetDouble();
                foreach (int n in new[] { 8, 16, 64, 256, 1024 })
                {
                    double comm = zero == 1 ? stated.Zero1(n, bytes) : stated.RingAllreduce(n, bytes);
                    double o = zero == 1 ? opt / n : opt, total = compute + o + comm;
                    Console.Out.WriteLine(string.Create(ci, $"| {s.GetProperty("model").GetString()} | {zero} | {n} | {compute * 1e3:F2} | {o * 1e3:F3} | {comm * 1e3:F2} | {total * 1e3:F2} | {comm / total:P0} |"));
                }
            }
            return ExitCodes.Success;
        }));
        return model;
    }
}

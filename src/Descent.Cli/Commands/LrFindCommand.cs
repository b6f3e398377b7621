using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Descent.Lab.Training;
using Descent.Numerics;
using Descent.Schedules;

namespace Descent.Cli;

/// <summary><c>descent lr-find</c>: the LR range test on a training problem, repeated over seeds, with suggestions and the band.</summary>
internal static class LrFindCommand
{
    public static Command Create()
    {
        var command = new Command("lr-find", "LR range test (Smith 2015; fastai lr_find) on a training problem over several seeds: suggestions and the band.");
        var problem = new Option<string>("--problem") { Description = "Problem: " + string.Join(", ", TrainingProblem.Names) + ".", DefaultValueFactory = _ => "mnist-mlp" };
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer text (its lr is replaced by the ramp).", DefaultValueFactory = _ => "adamw(weight_decay=0.01)" };
        var start = new Option<double>("--start") { Description = "First learning rate.", DefaultValueFactory = _ => 1e-6 };
        var end = new Option<double>("--end") { Description = "Last learning rate.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Steps of the ramp (exponential).", DefaultValueFactory = _ => 100 };
        var seeds = new Option<int>("--seeds") { Description = "Repetitions with seeds 0..n-1 (>= 1; the band needs 2 or more).", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 128 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the MLP.", DefaultValueFactory = _ => 256 };
        var data = new Option<string?>("--data") { Description = "MNIST folder (default: DESCENT_DATA, else data/mnist-10k found from the current folder or next to the program)." };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        foreach (Option o in new Option[] { problem, optimizer, start, end, steps, seeds, batch, hidden, data, threads, json }) command.Options.Add(o);

        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            if (parse.GetValue(threads) is { } t)
            {
                if (t < 1) throw new ArgumentException($"--threads must be >= 1 (got {t})");
                Parallelism.MaxThreads = t;
            }
            int n = parse.GetValue(seeds);
            if (n < 1) throw new ArgumentException($"--seeds must be >= 1 (got {n})");
            var options = new LearningRateFinderOptions(parse.GetValue(start), parse.GetValue(end), parse.GetValue(steps));
            var p = TrainingProblem.Create(parse.GetValue(problem)!, parse.GetValue(hidden), parse.GetValue(data));
            var band = LearningRateRangeTest.Run(p, parse.GetValue(optimizer)!, parse.GetValue(batch), Enumerable.Range(0, n).ToArray(), options);
            if (parse.GetValue(json))
            {
                var o = new Dictionary<string, object>
                {
                    ["status"] = band.Runs.All(r => !r.Diverged) ? "ok" : "diverged",
                    ["problem"] = p.Name,
                    ["optimizer"] = parse.GetValue(optimizer)!,
                    ["seeds"] = n,
                    ["valley_interval"] = new[] { band.ValleyInterval.Low, band.ValleyInterval.High },
                    ["valley_median"] = band.ValleyMedian,
                    ["runs"] = band.Runs.Select(r => new Dictionary<string, object>
                    {
                        ["valley"] = r.Suggestions.Valley, ["steepest"] = r.Suggestions.Steepest, ["minimum_over_ten"] = r.Suggestions.MinimumOverTen,
                        ["diverged"] = r.Diverged, ["steps"] = r.LearningRates.Length,
                    }).ToArray(),
                    ["lr"] = band.LearningRates,
                    ["mean"] = band.Mean,
                    ["lower"] = band.Lower,
                    ["upper"] = band.Upper,
                };
                Console.Out.WriteLine(CliJson.Serialize(o));
                return ExitCodes.Success;
            }
            var c = CultureInfo.InvariantCulture;
            Console.Out.WriteLine($"LR range test on {p.Name}, {parse.GetValue(optimizer)}, {n} {(n == 1 ? "seed" : "seeds")}, {options.Steps} steps from {options.StartLearningRate.ToString("G3", c)} to {options.EndLearningRate.ToString("G3", c)}");
            Console.Out.WriteLine("seed  valley      steepest    min/10      steps  diverged");
            for (int i = 0; i < band.Runs.Count; i++)
            {
                var r = band.Runs[i];
                Console.Out.WriteLine(string.Create(c, $"{i,4}  {r.Suggestions.Valley,-10:G3}  {r.Suggestions.Steepest,-10:G3}  {r.Suggestions.MinimumOverTen,-10:G3}  {r.LearningRates.Length,5}  {r.Diverged}"));
            }
            Console.Out.WriteLine(string.Create(c, $"suggested interval (valley over seeds): [{band.ValleyInterval.Low:G3}, {band.ValleyInterval.High:G3}], median {band.ValleyMedian:G3}"));
            int best = 0;
            for (int i = 1; i < band.Mean.Length; i++) if (band.Mean[i] < band.Mean[best]) best = i;
            Console.Out.WriteLine(n == 1
                ? string.Create(c, $"lowest smoothed loss {band.Mean[best]:G4} at lr {band.LearningRates[best]:G3} (one seed: no band; --seeds 3 gives one)")
                : string.Create(c, $"band: lowest mean smoothed loss {band.Mean[best]:G4} (95% band [{band.Lower[best]:G4}, {band.Upper[best]:G4}]) at lr {band.LearningRates[best]:G3}"));
            return ExitCodes.Success;
        }));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Descent.Lab.Benchmarks;
using Descent.Optimizers;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent bench</c>: times optimizer steps against this machine's memory bandwidth (in-place triad and copy,
/// measured first in the same process with the same threads) and prints seconds per step, minimum bytes moved,
/// effective GB/s and the fraction of the reference.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var optimizers = new Option<string>("--optimizers")
        {
            Description = "Comma-separated optimizers: catalog names or text forms, e.g. sgd,momentum,adamw or \"adam(amsgrad=true)\" (default: every catalog optimizer with a fused kernel)",
            DefaultValueFactory = _ => string.Join(",", OptimizerBench.FusedCatalogNames()),
        };
        var parameters = new Option<int>("--params") { Description = "Total parameters", DefaultValueFactory = _ => 1 << 24 };
        var tensors = new Option<int>("--tensors") { Description = "Number of tensors the parameters are split into", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var dtype = new Option<string>("--dtype") { Description = "float or double", DefaultValueFactory = _ => "float" };
        var repeats = new Option<int>("--repeats") { Description = "Timed steps per optimizer, spread over the pairs (at least 3 per pair; median reported)", DefaultValueFactory = _ => 30 };
        var pairs = new Option<int>("--pairs") { Description = "Interleaved (triad, optimizer) pairs per optimizer; the fraction of the reference is the median pair ratio, with its interval", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first (at least this many, and for at least --warmup-seconds)", DefaultValueFactory = _ => 5 };
        var warmupSeconds = new Option<double>("--warmup-seconds") { Description = "Minimum warm-up time per measurement (lets tiered JIT settle)", DefaultValueFactory = _ => 0.5 };
        var scaling = new Option<bool>("--scaling") { Description = "Also run at every thread count from 1 to --threads, and check that the results are bit-identical across thread counts" };
        var lossRows = new Option<int>("--loss-rows") { Description = "Rows of the softmax cross-entropy measurement (value and gradient); 0 skips it", DefaultValueFactory = _ => 4096 };
        var lossClasses = new Option<int>("--loss-classes") { Description = "Classes of the softmax cross-entropy measurement", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Write JSON instead of a table" };
        var state = new Option<string>("--state")
        {
            Description = "Comma-separated optimizer state precisions (float32, bfloat16, int8); with several, each optimizer's precisions and the triad are timed in alternation",
            DefaultValueFactory = _ => "float32",
        };
        var command = new Command("bench", "Time optimizer steps against this machine's memory bandwidth");
        foreach (var o in new Option[] { optimizers, parameters, tensors, threads, dtype, repeats, pairs, warmup, warmupSeconds, scaling, lossRows, lossClasses, state, json }) command.Options.Add(o);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            bool isDouble = parse.GetValue(dtype) switch
            {
                "double" or "float64" => true,
                "float" or "float32" => false,
                var other => throw new ArgumentException($"--dtype must be 'float' or 'double', got '{other}'"),
            };
            var options = new OptimizerBenchOptions(OptimizerBench.SplitList(parse.GetValue(optimizers) ?? ""), parse.GetValue(parameters),
                parse.GetValue(tensors), parse.GetValue(threads), isDouble, parse.GetValue(repeats), parse.GetValue(warmup), parse.GetValue(warmupSeconds),
                parse.GetValue(scaling), parse.GetValue(lossRows), parse.GetValue(lossClasses), parse.GetValue(pairs),
                (parse.GetValue(state) ?? "float32").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(StatePrecisions.Parse).ToArray());
            return Run(options, parse.GetValue(json), Console.Out, Console.Error);
        }));
        return command;
    }

    internal static int Run(OptimizerBenchOptions options, bool json, TextWriter output, TextWriter progress)
    {
        var report = OptimizerBench.Run(options, json ? null : progress.WriteLine);
        if (json)
        {
            foreach (string warning in report.Warnings) progress.WriteLine($"descent: warning: {warning}");
            output.WriteLine(report.ToJson());
            return ExitCodes.Success;
        }
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"reference (threads={report.Threads}): triad a += s*b {report.ReferenceGbps:F1} GB/s (median of {report.Results.Count + report.Losses.Count + 1} measurements), copy {report.CopyGbps:F1} GB/s"));
        if (report.Results.Count > 0)
        {
            bool split = report.Results.Any(r => r.OneBufferSecondsPerStep is not null);
            bool states = report.Results.Any(r => r.SpeedupOverFloat32 is not null);
            output.WriteLine(string.Create(c, $"{"optimizer",-24} {"params",11} {"tensors",7} {"dtype",-6} {"fused",-5} {"ms/step",9} {"B/param",7} {"GB/s",7} {"triad",7} {"of ref",7} {"interval",13} {"pairs",5} {"state",-8} {"state MB",9}{(states ? $" {"vs fp32",7}" : "")}{(split ? $" {"1 buf ms",9} {"ratio",6}" : "")}"));
            foreach (var r in report.Results)
            {
                string one = r.OneBufferSecondsPerStep is { } ob ? string.Create(c, $" {ob * 1e3,9:F3} {r.RatioToOneBuffer,6:F2}") : "";
                output.WriteLine(string.Create(c,
                    $"{r.Optimizer,-24} {r.Parameters,11} {r.Tensors,7} {r.DType,-6} {(r.Fused ? "yes" : "no"),-5} {r.SecondsPerStep * 1e3,9:F3} {r.MinBytesPerParam,7} {r.EffectiveGbps,7:F1} {r.ReferenceGbps,7:F1} {r.FractionOfReference * 100,6:F1}% {Interval(r.Spread),13} {r.Spread?.Pairs,5} {r.State,-8} {r.StateBytes / 1e6,9:F1}{(states ? (r.SpeedupOverFloat32 is { } x ? $" {x,6:F2}x" : $" {"",7}") : "")}{one}"));
            }
        }
        foreach (var l in report.Losses)
        {
            output.WriteLine(string.Create(c,
                $"{l.Loss + " " + l.Rows + "x" + l.Classes,-50} {l.DType,-6} {l.SecondsPerCall * 1e3,9:F3} ms {l.MinBytesPerElement,3} B/elem {l.EffectiveGbps,7:F1} GB/s {l.ReferenceGbps,7:F1} {l.FractionOfReference * 100,6:F1}% {Interval(l.Spread),13} {l.Spread?.Pairs,5}"));
        }
        if (report.Results.Count + report.Losses.Count > 0)
        {
            double confidence = report.Results.Select(r => r.Spread).Concat(report.Losses.Select(l => l.Spread)).Min(x => x?.Confidence ?? 1);
            output.WriteLine(string.Create(c, $"of ref: median over the pairs of (GB/s / triad GB/s measured next to it); interval: {confidence * 100:F0}% confidence interval for that median (bench/README.md)"));
        }
        foreach (string warning in report.Warnings) output.WriteLine($"warning: {warning}");
        if (report.Scaling is { } points)
        {
            output.WriteLine();
            output.WriteLine("thread scaling (ms per step or call; speed-up over 1 thread; bits identical across thread counts):");
            var header = new System.Text.StringBuilder($"{"",-24}");
            foreach (var p in points) header.Append(string.Create(c, $" {p.Threads + " thr",9}"));
            header.Append($" {"speed-up",9} {"same bits",9}");
            output.WriteLine(header.ToString());
            var triadLine = new System.Text.StringBuilder($"{"triad (GB/s)",-24}");
            foreach (var p in points) triadLine.Append(string.Create(c, $" {p.ReferenceGbps,9:F1}"));
            triadLine.Append(string.Create(c, $" {points[^1].ReferenceGbps / points[0].ReferenceGbps,8:F2}x"));
            output.WriteLine(triadLine.ToString());
            // One row: milliseconds at each thread count, speed-up from the first to the last, and the bit-identity check.
            void Row(string name, Func<OptimizerBenchReport, double> seconds)
            {
                var line = new System.Text.StringBuilder($"{name,-24}");
                foreach (var p in points) line.Append(string.Create(c, $" {seconds(p) * 1e3,9:F3}"));
                line.Append(string.Create(c, $" {seconds(points[0]) / seconds(points[^1]),8:F2}x"));
                line.Append($" {(report.IdenticalAcrossThreads![name] ? "yes" : "NO"),9}");
                output.WriteLine(line.ToString());
            }
            for (int k = 0; k < report.Results.Count; k++)
            {
                int index = k;
                Row(report.Results[k].Optimizer, p => p.Results[index].SecondsPerStep);
            }
            for (int k = 0; k < report.Losses.Count; k++)
            {
                int index = k;
                Row(report.Losses[k].Loss, p => p.Losses[index].SecondsPerCall);
            }
        }
        return ExitCodes.Success;
    }

    private static string Interval(RatioSpread? spread)
        => spread is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{spread.Low * 100:F1}-{spread.High * 100:F1}%");
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Descent.Minimizers;
using Descent.Minimizers.TestProblems;

namespace Descent.Cli;

/// <summary><c>descent minimize</c>: runs L-BFGS on a Moré-Garbow-Hillstrom style test problem (or the whole suite).</summary>
internal static class MinimizeCommand
{
    /// <summary>The command; it writes to <paramref name="output"/>, or to <see cref="Console.Out"/> at run time when null.</summary>
    public static Command Create(TextWriter? output = null)
    {
        var command = new Command("minimize", "Run L-BFGS on a test problem (" + string.Join(", ", TestProblem.All.Select(p => p.Name)) + ").");
        var problem = new Option<string?>("--problem") { Description = "Test problem name." };
        var n = new Option<int>("--n") { Description = "Dimension (default: the problem's smallest).", DefaultValueFactory = _ => 0 };
        var history = new Option<int>("--history") { Description = "History size m.", DefaultValueFactory = _ => 10 };
        var gtol = new Option<double>("--gtol") { Description = "Gradient tolerance on max |g_i|.", DefaultValueFactory = _ => 1e-5 };
        var ftol = new Option<double>("--ftol") { Description = "Relative function-reduction tolerance.", DefaultValueFactory = _ => 2.220446049250313e-9 };
        var maxIter = new Option<long>("--max-iter") { Description = "Maximum iterations.", DefaultValueFactory = _ => 15000 };
        var maxEval = new Option<long>("--max-eval") { Description = "Maximum evaluations.", DefaultValueFactory = _ => 15000 };
        var lineSearch = new Option<string>("--line-search") { Description = "strong-wolfe, armijo or none.", DefaultValueFactory = _ => "strong-wolfe" };
        var repeat = new Option<int>("--repeat") { Description = "Runs per problem (above 1: also repeated up to 100 times until 0.5 s spent); the fastest is reported.", DefaultValueFactory = _ => 1 };
        var all = new Option<bool>("--all") { Description = "Run the whole benchmark suite (17 problem/size pairs)." };
        var json = new Option<bool>("--json") { Description = "Print JSON (one object, or an array with --all)." };
        foreach (Option o in new Option[] { problem, n, history, gtol, ftol, maxIter, maxEval, lineSearch, repeat, all, json }) command.Options.Add(o);

        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var kind = parse.GetValue(lineSearch) switch
            {
                "strong-wolfe" or "wolfe" => LineSearchKind.StrongWolfe,
                "armijo" => LineSearchKind.Armijo,
                "none" => LineSearchKind.None,
                var other => throw new ArgumentException($"unknown line search '{other}' (strong-wolfe, armijo, none)"),
            };
            var options = new LbfgsOptions
            {
                HistorySize = parse.GetValue(history),
                GradientTolerance = parse.GetValue(gtol),
                FunctionTolerance = parse.GetValue(ftol),
                MaxIterations = parse.GetValue(maxIter),
                MaxEvaluations = parse.GetValue(maxEval),
                LineSearch = kind,
            };
            int repeats = parse.GetValue(repeat);
            if (repeats < 1) throw new ArgumentException($"--repeat must be at least 1 (got {repeats})");

            var runs = new List<(TestProblem Problem, int N)>();
            if (parse.GetValue(all))
            {
                runs.AddRange(TestProblem.Suite);
            }
            else
            {
                string name = parse.GetValue(problem) ?? throw new ArgumentException("give --problem NAME or --all");
                var p = TestProblem.Find(name) ?? throw new ArgumentException(
                    $"unknown problem '{name}' (known: {string.Join(", ", TestProblem.All.Select(q => q.Name))})");
                int size = parse.GetValue(n);
                if (size == 0) size = Enumerable.Range(1, 16).First(p.IsValidSize);
                if (!p.IsValidSize(size)) throw new ArgumentException($"{p.Name}: --n must be {p.SizeRule} (got {size})");
                runs.Add((p, size));
            }

            var rows = runs.Select(r => Run(r.Problem, r.N, options, repeats)).ToList();
            TextWriter writerOut = output ?? Console.Out;
            bool asJson = parse.GetValue(json);
            if (asJson)
            {
                var writerOptions = new JsonWriterOptions { Indented = true, Encoder = CliJson.WriterOptions.Encoder };
                using var stream = new MemoryStream();
                using var writer = new Utf8JsonWriter(stream, writerOptions);
                if (rows.Count > 1 || parse.GetValue(all)) writer.WriteStartArray();
                foreach (var row in rows) Write(writer, row);
                if (rows.Count > 1 || parse.GetValue(all)) writer.WriteEndArray();
                writer.Flush();
                writerOut.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            }
            else
            {
                writerOut.WriteLine($"{"problem",-14} {"n",6} {"iter",6} {"evals",6} {"value",13} {"max|g|",10} {"seconds",10}  reason");
                foreach (var r in rows)
                {
                    writerOut.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Problem,-14} {r.N,6} {r.Result.Iterations,6} {r.Result.Evaluations,6} {r.Result.Value,13:E4} {r.Result.GradientNorm,10:E2} {r.Seconds,10:F6}  {r.Result.Reason}"));
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private sealed record Row(string Problem, int N, MinimizationResult Result, double Seconds);

    private static Row Run(TestProblem problem, int n, LbfgsOptions options, int repeats)
    {
        MinimizationResult? result = null;
        double best = double.PositiveInfinity;
        // At least `repeats` runs, and more (up to 100) until half a second has been spent, so that short runs are
        // timed as the best of many.
        double spent = 0;
        for (int r = 0; r < repeats || (repeats > 1 && spent < 0.5 && r < 100); r++)
        {
            double[] x = problem.StartPoint<double>(n);
            var watch = Stopwatch.StartNew();
            result = Lbfgs.Minimize<double>(problem.Evaluate, x, options);
            double seconds = watch.Elapsed.TotalSeconds;
            best = Math.Min(best, seconds);
            spent += seconds;
        }
        return new Row(problem.Name, n, result!, best);
    }

    private static void Write(Utf8JsonWriter writer, Row row)
    {
        writer.WriteStartObject();
        writer.WriteString("problem", row.Problem);
        writer.WriteNumber("n", row.N);
        writer.WriteNumber("iterations", row.Result.Iterations);
        writer.WriteNumber("evaluations", row.Result.Evaluations);
        WriteNumber(writer, "value", row.Result.Value);
        WriteNumber(writer, "max_abs_gradient", row.Result.GradientNorm); // max |g_i|, the infinity norm
        writer.WriteNumber("seconds", row.Seconds);
        writer.WriteString("reason", row.Result.Reason.ToString());
        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        CliJson.WriteNumberOrNull(writer, name, value);
    }
}

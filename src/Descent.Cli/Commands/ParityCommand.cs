using System.CommandLine;
using System.Globalization;
using Descent.Parity;

namespace Descent.Cli.Commands;

/// <summary><c>descent parity FILE_OR_DIR...</c>: replays recorded PyTorch traces and reports the largest deviation per case.</summary>
internal static class ParityCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Trace files (*.json) or directories searched recursively",
            Arity = ArgumentArity.OneOrMore,
        };
        var precision = new Option<string>("--dtype")
        {
            Description = "Precision to replay in: double (the case's tolerance) or float (rtol 1e-4, atol 1e-6)",
            DefaultValueFactory = _ => "double",
        };
        var command = new Command("parity", "Replay PyTorch reference traces (optimizers, schedules, losses) and compare");
        command.Arguments.Add(paths);
        command.Options.Add(precision);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            ParityPrecision p = parse.GetValue(precision) switch
            {
                "double" or "float64" => ParityPrecision.Double,
                "float" or "float32" => ParityPrecision.Float,
                var other => throw new ArgumentException($"--dtype must be 'double' or 'float', got '{other}'"),
            };
            return Run(parse.GetValue(paths) ?? [], p, Console.Out);
        }));
        return command;
    }

    internal static int Run(IReadOnlyList<string> paths, ParityPrecision precision, TextWriter output)
    {
        IReadOnlyList<string> files = ParityRunner.ExpandPaths(paths);
        if (files.Count == 0)
        {
            throw new ArgumentException("No trace files (*.json) found in the given paths");
        }
        int passed = 0, failed = 0, skipped = 0;
        foreach (string file in files)
        {
            ParityResult r = ParityRunner.Run(file, precision);
            if (r.Skipped)
            {
                output.WriteLine($"SKIP  {r.Kind,-9} {r.Name,-36} {r.Detail}");
                skipped++;
                continue;
            }
            string deviation = double.IsNaN(r.MaxDeviation) ? "-" : r.MaxDeviation.ToString("0.###e+00", CultureInfo.InvariantCulture);
            string ratio = double.IsNaN(r.WorstRatio) ? "-" : r.WorstRatio.ToString("0.###", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(r.Passed ? "PASS" : "FAIL")}  {r.Kind,-9} {r.Name,-36} max|dev| {deviation,-10} worst/tol {ratio,-8}{(r.Passed ? "" : "  " + r.Detail)}"));
            if (r.Passed) passed++; else failed++;
        }
        output.WriteLine(skipped == 0 ? $"{passed} passed, {failed} failed" : $"{passed} passed, {failed} failed, {skipped} skipped");
        if (passed == 0 && failed == 0)
        {
            throw new ArgumentException("Nothing was replayed: every case was skipped at this --dtype");
        }
        return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }
}

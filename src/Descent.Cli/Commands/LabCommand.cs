using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Reports;
using Descent.TensorBoard;
using Spectre.Console;

namespace Descent.Cli;

/// <summary><c>descent lab</c>: runs the lab's experiments and writes report.html, results.json, plots and CSV series.</summary>
internal static class LabCommand
{
    /// <summary>The command; <paramref name="catalog"/> replaces <see cref="ExperimentCatalog.All"/> (tests).</summary>
    public static Command Create(IReadOnlyList<IExperiment>? catalog = null)
    {
        var command = new Command("lab", "Run the lab's experiments and write an HTML report (report.html), results.json, plots and CSV series.");
        var quick = new Option<bool>("--quick") { Description = "The quick set (the whole lab in under 5 minutes on 2 cores)." };
        var only = new Option<string?>("--only") { Description = "Comma-separated experiment numbers, e.g. 6,12 (default: all)." };
        var output = new Option<string?>("--out") { Description = "Output directory (default: runs/<yyyyMMdd-HHmmss>)." };
        var seed = new Option<int>("--seed") { Description = "Base seed.", DefaultValueFactory = _ => 1 };
        var data = new Option<string?>("--data") { Description = "Directory with the MNIST IDX files (default: DESCENT_DATA, else data/mnist-10k found from the current folder or next to the program)." };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "Also write each experiment's figures and numbers as TensorBoard events into this directory." };
        foreach (Option o in new Option[] { quick, only, output, seed, data, tensorboard }) command.Options.Add(o);

        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var all = catalog ?? ExperimentCatalog.All;
            var numbers = ParseNumbers(parse.GetValue(only));
            var selected = ReportBuilder.Select(all, numbers);
            string dir = parse.GetValue(output) ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            if (File.Exists(Path.Combine(dir, Descent.Lab.Training.Trainer.CheckpointFileName)))
                throw new ArgumentException($"--out {dir} holds a training run (descent train); the lab does not write into it: choose another folder");
            var context = new ExperimentContext(Path.GetFullPath(dir), parse.GetValue(data) ?? DefaultData(), parse.GetValue(quick), parse.GetValue(seed),
                line => Console.Error.WriteLine(line));
            var watch = Stopwatch.StartNew();
            using var board = parse.GetValue(tensorboard) is { } boardDir ? new TensorBoardWriter(boardDir) : null;
            var outcomes = ReportBuilder.Run(selected, context, board is null ? null : o => TensorBoardReport.Write(board, o, context.OutputDirectory));
            double seconds = watch.Elapsed.TotalSeconds;
            ReportBuilder.Write(outcomes, context, seconds);

            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            var table = new Table().AddColumns("#", "Experiment", "Outcome", "Summary", "s");
            foreach (var o in outcomes)
            {
                string support = ReportBuilder.SupportText(o);
                string color = o.Reported switch { null => "red", Verdict.Supported => "green", Verdict.NotSupported => "yellow", _ => "grey" };
                table.AddRow(new Spectre.Console.Text(o.Experiment.Number.ToString(CultureInfo.InvariantCulture)), new Spectre.Console.Text(o.Experiment.Title),
                    new Markup($"[{color}]{Markup.Escape(support)}[/]"), new Spectre.Console.Text(o.Result?.Summary ?? o.Error!),
                    new Spectre.Console.Text(o.Seconds.ToString("F1", CultureInfo.InvariantCulture)));
            }
            console.Write(table);
            console.WriteLine($"Report: {Path.Combine(context.OutputDirectory, "report.html")} ({seconds:F1} s)");
            return outcomes.Any(o => o.Failed) ? ExitCodes.Failure : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The shipped MNIST-10k folder, or its relative name when there is none (experiments that need it then fail with that name).</summary>
    private static string DefaultData()
    {
        try
        {
            return Mnist.FindDefaultDirectory();
        }
        catch (DirectoryNotFoundException)
        {
            return Mnist.DefaultDirectory;
        }
    }

    private static int[]? ParseNumbers(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var numbers = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
                throw new ArgumentException($"--only: '{part}' is not an experiment number (give e.g. --only 6,12)");
            numbers.Add(n);
        }
        return numbers.ToArray();
    }
}

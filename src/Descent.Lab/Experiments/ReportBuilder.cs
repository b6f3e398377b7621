using System.Diagnostics;
using System.Runtime.InteropServices;
using Descent.Lab.Reports;

namespace Descent.Lab.Experiments;

/// <summary>One experiment's outcome in a lab run: its result, or the exception that stopped it, and its wall time.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Result">Its result, or null when it threw.</param>
/// <param name="Error">The exception's message when it threw.</param>
/// <param name="Seconds">Wall-clock seconds it took.</param>
public sealed record ExperimentOutcome(IExperiment Experiment, ExperimentResult? Result, string? Error, double Seconds)
{
    /// <summary>True when the experiment threw.</summary>
    public bool Failed => Result is null;
}

/// <summary>Runs a selection of experiments and writes <c>report.html</c> (self-contained) and <c>results.json</c>.</summary>
public static class ReportBuilder
{
    /// <summary>Resolves experiment numbers against <paramref name="catalog"/>; an unknown number throws <see cref="ArgumentException"/>.</summary>
    public static IReadOnlyList<IExperiment> Select(IReadOnlyList<IExperiment> catalog, IReadOnlyCollection<int>? numbers)
    {
        if (numbers is null || numbers.Count == 0) return catalog;
        var unknown = numbers.Where(n => catalog.All(e => e.Number != n)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"unknown experiment number(s) {string.Join(", ", unknown)} (known: {string.Join(", ", catalog.Select(e => e.Number))})");
        return catalog.Where(e => numbers.Contains(e.Number)).ToArray();
    }

    /// <summary>Runs <paramref name="experiments"/> in order; an experiment that throws is recorded as failed and the others still run.</summary>
    /// <param name="experiments">The experiments to run.</param>
    /// <param name="context">Output directory, data, quick flag, seed and log.</param>
    /// <param name="completed">Called with each outcome as soon as its experiment ends (e.g. to log it to TensorBoard).</param>
    public static IReadOnlyList<ExperimentOutcome> Run(IReadOnlyList<IExperiment> experiments, ExperimentContext context, Action<ExperimentOutcome>? completed = null)
    {
        Directory.CreateDirectory(context.OutputDirectory);
        var outcomes = new List<ExperimentOutcome>();
        foreach (var experiment in experiments)
        {
            context.Log($"[{experiment.Number}] {experiment.Title} ...");
            var watch = Stopwatch.StartNew();
            try
            {
                var result = experiment.Run(context);
                outcomes.Add(new ExperimentOutcome(experiment, result, null, watch.Elapsed.TotalSeconds));
            }
            catch (Exception ex)
            {
                outcomes.Add(new ExperimentOutcome(experiment, null, $"{ex.GetType().Name}: {ex.Message}", watch.Elapsed.TotalSeconds));
            }
            context.Log($"[{experiment.Number}] done in {watch.Elapsed.TotalSeconds:F2} s");
            completed?.Invoke(outcomes[^1]);
        }
        return outcomes;
    }

    /// <summary>Writes <c>report.html</c> and <c>results.json</c> into <paramref name="context"/>'s output directory.</summary>
    public static void Write(IReadOnlyList<ExperimentOutcome> outcomes, ExperimentContext context, double totalSeconds)
    {
        string dir = context.OutputDirectory;
        Directory.CreateDirectory(dir);
        var report = new HtmlReport("Descent lab");
        report.Paragraph($"Run at {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC on {MachineDescription()}; " +
                         $"{(context.Quick ? "quick set" : "full set")}, seed {context.Seed}, {totalSeconds:F1} s in total.");
        report.Table(["#", "Experiment", "Supported?", "Summary", "Seconds"],
            outcomes.Select(o => (IReadOnlyList<string>)[o.Experiment.Number.ToString(), o.Experiment.Title, SupportText(o),
                o.Result?.Summary ?? o.Error!, o.Seconds.ToString("F2")]), "Summary");
        foreach (var o in outcomes)
        {
            report.Heading($"{o.Experiment.Number}. {o.Experiment.Title}");
            if (o.Result is not { } r)
            {
                report.Paragraph($"FAILED: {o.Error}");
                continue;
            }
            report.Paragraph($"Claim: {r.Claim}");
            report.Paragraph($"Result ({SupportText(o)}): {r.Summary}");
            foreach (var p in r.Paragraphs) report.Paragraph(p);
            foreach (var t in r.Tables) report.Table(t.Header, t.Rows, t.Caption);
            foreach (var f in r.Figures)
            {
                string path = Path.Combine(dir, f.PngFile);
                if (File.Exists(path)) report.Image(File.ReadAllBytes(path), f.Caption, f.Caption);
                else report.Paragraph($"(figure {f.PngFile} missing)");
            }
        }
        report.Save(Path.Combine(dir, "report.html"));

        var experiments = new Dictionary<string, object>();
        foreach (var o in outcomes)
        {
            var entry = new Dictionary<string, object>
            {
                ["number"] = o.Experiment.Number,
                ["title"] = o.Experiment.Title,
                ["status"] = o.Failed ? "failed" : o.Result!.Supported ? "supported" : "not supported",
                ["seconds"] = o.Seconds,
            };
            if (o.Result is { } r)
            {
                entry["claim"] = r.Claim;
                entry["summary"] = r.Summary;
                entry["supported"] = r.Supported;
                entry["numbers"] = r.Numbers;
            }
            else entry["error"] = o.Error!;
            experiments[o.Experiment.Id] = entry;
        }
        var results = new Dictionary<string, object>
        {
            ["machine"] = new Dictionary<string, object>
            {
                ["description"] = MachineDescription(),
                ["processorCount"] = Environment.ProcessorCount,
                ["os"] = RuntimeInformation.OSDescription,
                ["runtime"] = RuntimeInformation.FrameworkDescription,
            },
            ["quick"] = context.Quick,
            ["seed"] = context.Seed,
            ["totalSeconds"] = totalSeconds,
            ["experiments"] = experiments,
        };
        ResultsFiles.WriteJson(Path.Combine(dir, "results.json"), results);
    }

    /// <summary>"yes", "no" or "FAILED".</summary>
    public static string SupportText(ExperimentOutcome outcome) => outcome.Result is null ? "FAILED" : outcome.Result.Supported ? "yes" : "no";

    private static string MachineDescription() =>
        $"{Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}";
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using Descent.Lab.Reports;

namespace Descent.Lab.Experiments;

/// <summary>One experiment's outcome in a lab run: its result, or the exception that stopped it, and its wall time.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Result">Its result, or null when it threw.</param>
/// <param name="Error">The exception's message when it threw.</param>
/// <param name="Seconds">Wall-clock seconds it took.</param>
/// <param name="Quick">Whether it ran in the quick set (then its outcome is inconclusive unless its quick design is the full one).</param>
public sealed record ExperimentOutcome(IExperiment Experiment, ExperimentResult? Result, string? Error, double Seconds, bool Quick = false)
{
    /// <summary>True when the experiment threw.</summary>
    public bool Failed => Result is null;

    /// <summary>The outcome as reported (see <see cref="ExperimentResult.ReportedOutcome"/>); null when it failed.</summary>
    public Verdict? Reported => Result?.ReportedOutcome(Quick);
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
                outcomes.Add(new ExperimentOutcome(experiment, result, null, watch.Elapsed.TotalSeconds, context.Quick));
            }
            catch (Exception ex)
            {
                outcomes.Add(new ExperimentOutcome(experiment, null, $"{ex.GetType().Name}: {ex.Message}", watch.Elapsed.TotalSeconds, context.Quick));
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
        if (context.Quick)
            report.Paragraph("Quick set: the runs are shorter and use fewer seeds than the designs require, so every outcome whose quick design differs " +
                             "from the full one is reported as inconclusive; the rule's indication on the quick run is shown beside it.");
        report.Table(["#", "Experiment", "Outcome", "Summary", "Seconds"],
            outcomes.Select(o => (IReadOnlyList<string>)[o.Experiment.Number.ToString(), o.Experiment.Title, SupportText(o),
                o.Result?.Summary ?? o.Error!, o.Seconds.ToString("F2")]), "Summary (each title links to its section)",
            linkColumn: 1, links: outcomes.Select(o => (string?)("#" + o.Experiment.Id)).ToArray());
        foreach (var o in outcomes)
        {
            report.Heading($"{o.Experiment.Number}. {o.Experiment.Title}", id: o.Experiment.Id);
            if (o.Result is not { } r)
            {
                report.Paragraph($"FAILED: {o.Error}");
                continue;
            }
            if (r.Source is { } source) report.Quote(source.Quote, source.Document);
            report.Paragraph($"Claim tested: {r.Claim}");
            foreach (string departure in r.Departures) report.Paragraph($"Departure from the source's conditions: {departure}");
            if (r.Design is not null) report.Paragraph($"Design (fixed in the experiment's code before the run): {r.Design}");
            if (r.Test is not null) report.Paragraph($"Test: {r.Test}{StatisticText(r)}");
            report.Paragraph($"Outcome: {SupportText(o)}. {r.Summary}");
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
                ["outcome"] = o.Reported is { } v ? ExperimentResult.Text(v) : "failed",
                ["seconds"] = o.Seconds,
            };
            if (o.Result is { } r)
            {
                if (r.Source is { } source) entry["source"] = new Dictionary<string, object> { ["document"] = source.Document, ["quote"] = source.Quote };
                entry["claim"] = r.Claim;
                if (r.Departures.Count > 0) entry["departures"] = r.Departures;
                if (r.Design is not null) entry["design"] = r.Design;
                if (r.Test is not null) entry["test"] = r.Test;
                if (r.Statistic is { } statistic) entry["statistic"] = statistic;
                if (r.PValue is { } p) entry["p_value"] = p;
                if (r.Interval is { } interval)
                    entry["interval"] = new Dictionary<string, object> { ["low"] = interval.Low, ["high"] = interval.High, ["level"] = interval.Level };
                if (o.Quick && !r.QuickIsFullDesign) entry["quick_indication"] = ExperimentResult.Text(r.Outcome);
                entry["summary"] = r.Summary;
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

    /// <summary>"supported", "not supported", "inconclusive" (with the quick run's indication in parentheses) or "FAILED".</summary>
    public static string SupportText(ExperimentOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Result is not { } r) return "FAILED";
        var reported = r.ReportedOutcome(outcome.Quick);
        string text = ExperimentResult.Text(reported);
        return reported != r.Outcome ? $"{text} (quick run: {ExperimentResult.Text(r.Outcome)})" : text;
    }

    private static string StatisticText(ExperimentResult r)
    {
        var parts = new List<string>();
        if (r.Statistic is { } s) parts.Add($"statistic {s:G4}");
        if (r.PValue is { } p) parts.Add($"p = {p:G3}");
        if (r.Interval is { } i) parts.Add($"interval {i}");
        return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
    }

    private static string MachineDescription() =>
        $"{Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}";
}

namespace Descent.Lab.Experiments;

/// <summary>
/// One experiment of <c>descent lab</c>: it runs on this machine, measures, and returns what the report shows.
/// Each experiment lives in its own file and adds one line to <see cref="ExperimentCatalog"/>.
/// </summary>
public interface IExperiment
{
    /// <summary>The experiment's number in the lab (1-based, as in the README's list).</summary>
    int Number { get; }

    /// <summary>A short kebab-case identifier, used for file names (e.g. <c>loss-outliers</c>).</summary>
    string Id { get; }

    /// <summary>The title shown in the report.</summary>
    string Title { get; }

    /// <summary>Runs the experiment; writes plots and CSV series under <see cref="ExperimentContext.OutputDirectory"/>.</summary>
    ExperimentResult Run(ExperimentContext context);
}

/// <summary>What an experiment is given.</summary>
/// <param name="OutputDirectory">The run's output directory (shared by all experiments; prefix your files with your Id).</param>
/// <param name="DataDirectory">The directory with the MNIST IDX files (data/mnist-10k by default).</param>
/// <param name="Quick">The quick set: the whole lab must finish in under 5 minutes on 2 cores.</param>
/// <param name="Seed">The base seed.</param>
/// <param name="Log">Progress messages (one line each).</param>
public sealed record ExperimentContext(string OutputDirectory, string DataDirectory, bool Quick, int Seed, Action<string> Log);

/// <summary>A table in the report.</summary>
public sealed record ExperimentTable(string Caption, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>A figure written by the experiment (PNG, optionally with an SVG beside it), relative to the output directory.</summary>
public sealed record ExperimentFigure(string PngFile, string Caption);

/// <summary>The three outcomes of an experiment's decision rule.</summary>
public enum Verdict
{
    /// <summary>The pre-stated decision rule holds: the measurement supports the claim.</summary>
    Supported,
    /// <summary>The decision rule fails with a design that could have detected the effect: the measurement does not support the claim.</summary>
    NotSupported,
    /// <summary>The design cannot decide (too few seeds, too short a run, the quick set, an interval that spans both answers).</summary>
    Inconclusive,
}

/// <summary>Where a claim comes from: the document and the sentence quoted from it.</summary>
/// <param name="Document">The document (the course's lecture or chapter, or a paper with authors, venue and year).</param>
/// <param name="Quote">The sentence, quoted; where the document is not in the repository the quote is as the experiment's author recorded it.</param>
public sealed record ClaimSource(string Document, string Quote);

/// <summary>What an experiment returns: the claim and its source, the design, the test, and the outcome of the decision rule.</summary>
public sealed class ExperimentResult
{
    /// <summary>The claim that the experiment tests, in one sentence (the operational form of <see cref="Source"/>'s quote).</summary>
    public required string Claim { get; init; }

    /// <summary>One line for the summary table: what was measured (numbers included).</summary>
    public required string Summary { get; init; }

    /// <summary>The outcome of the design's decision rule (reported honestly; a refuted claim is a result too).</summary>
    public Verdict Outcome { get; init; } = Verdict.Inconclusive;

    /// <summary>Shorthand for <see cref="Outcome"/>: true sets <see cref="Verdict.Supported"/>, false <see cref="Verdict.NotSupported"/>.</summary>
    public bool Supported
    {
        get => Outcome == Verdict.Supported;
        init => Outcome = value ? Verdict.Supported : Verdict.NotSupported;
    }

    /// <summary>The document and sentence the claim comes from.</summary>
    public ClaimSource? Source { get; init; }

    /// <summary>
    /// The design, fixed in the experiment's code before the run: problem, constants, seeds, the metric and the decision rule
    /// (including the significance level and the correction for several comparisons).
    /// </summary>
    public string? Design { get; init; }

    /// <summary>Where the experiment departs from the source's conditions, and why (one entry each).</summary>
    public List<string> Departures { get; } = [];

    /// <summary>The statistical test (e.g. "McNemar exact, Holm-corrected over 6 comparisons"), or how the rule is evaluated when no test applies (a deterministic identity).</summary>
    public string? Test { get; init; }

    /// <summary>The test statistic of the deciding comparison.</summary>
    public double? Statistic { get; init; }

    /// <summary>The (corrected) p-value of the deciding comparison.</summary>
    public double? PValue { get; init; }

    /// <summary>A confidence interval for the deciding effect.</summary>
    public Statistics.Interval? Interval { get; init; }

    /// <summary>
    /// True when the quick set runs the same design as the full set (deterministic identities), so its verdict stands; otherwise a
    /// quick run is reported as <see cref="Verdict.Inconclusive"/> whatever its rule gave.
    /// </summary>
    public bool QuickIsFullDesign { get; init; }

    /// <summary>Paragraphs of explanation for the report (plain text).</summary>
    public List<string> Paragraphs { get; } = [];

    /// <summary>Tables for the report.</summary>
    public List<ExperimentTable> Tables { get; } = [];

    /// <summary>Figures for the report.</summary>
    public List<ExperimentFigure> Figures { get; } = [];

    /// <summary>The measured numbers, written to results.json under the experiment's Id (values: numbers, strings, arrays, nested dictionaries).</summary>
    public Dictionary<string, object> Numbers { get; } = [];

    /// <summary>The outcome as reported for a run: <see cref="Outcome"/>, except <see cref="Verdict.Inconclusive"/> in the quick set unless <see cref="QuickIsFullDesign"/>.</summary>
    public Verdict ReportedOutcome(bool quick) => quick && !QuickIsFullDesign ? Verdict.Inconclusive : Outcome;

    /// <summary>"supported", "not supported" or "inconclusive".</summary>
    public static string Text(Verdict verdict) => verdict switch
    {
        Verdict.Supported => "supported",
        Verdict.NotSupported => "not supported",
        _ => "inconclusive",
    };
}

using System.Globalization;
using Descent.Lab.Problems;
using Descent.Lab.Reports;
using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>Experiment 6: the chapter's controlled experiment — one noisy quadratic, one noise stream, eight schedules.</summary>
public sealed class ScheduleRaceExperiment : IExperiment
{
    /// <inheritdoc/>
    public int Number => 6;
    /// <inheritdoc/>
    public string Id => "schedule-race";
    /// <inheritdoc/>
    public string Title => "Schedules on a noisy quadratic (controlled experiment)";

    /// <summary>The schedules' text forms for a run of <paramref name="total"/> steps.</summary>
    public static string[] ScheduleTexts(int total)
    {
        string gamma = Math.Pow(0.01, 1.0 / total).ToString("R", CultureInfo.InvariantCulture);
        int warm = total / 20;
        return
        [
            "constant()", $"step(size={total / 4}, gamma=0.3)", $"exp(rate={gamma})", $"poly(total={total}, power=2)", $"cosine({total})",
            $"warmup({warm}) >> cosine({total - warm})", $"onecycle(max=1, total={total})", $"sgdr(period={total / 4})",
        ];
    }

    /// <summary>
    /// Runs the library's SGD (base rate <paramref name="learningRate"/>, factor schedule <paramref name="scheduleText"/>) on the noisy
    /// quadratic, the gradient noise keyed by the step so every schedule sees the same stream; returns f(x_t) − f* for t = 0..steps.
    /// </summary>
    public static double[] Gaps(Quadratic problem, string scheduleText, double learningRate, int steps)
    {
        var schedule = ScheduleText.Parse(scheduleText, steps);
        var x = problem.InitialPoint();
        var g = new double[problem.Dimension];
        // Every schedule is raced as a factor of the same base rate (1cycle with max=1 is its shape), so this sets the
        // scaled rate itself rather than SetSchedule, which would read onecycle(max=1) as the absolute rate 1.
        var optimizer = Optim.Sgd<double>(learningRate);
        optimizer.Set(HyperparameterKey.LearningRate, Hyperparameter.Scaled(learningRate, schedule));
        optimizer.AddGroup(new Parameter<double>("x", x, g));
        var gaps = new double[steps + 1];
        for (int t = 0; ; t++)
        {
            gaps[t] = problem.EvaluateNoisy(x, g, t) - problem.MinimumValue;
            if (t == steps) break;
            optimizer.Step();
        }
        return gaps;
    }

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        int steps = context.Quick ? 2000 : 10000, dimension = context.Quick ? 10 : 50;
        const double learningRate = 0.5, noise = 1;
        var problem = new Quadratic(Quadratic.LogSpacedSpectrum(dimension, 10, 1), seed: (ulong)context.Seed, noiseStdDev: noise, noiseSeed: (ulong)context.Seed + 1);
        var texts = ScheduleTexts(steps);
        var runs = texts.Select(t => (Text: t, Gaps: Gaps(problem, t, learningRate, steps))).ToArray();
        int tail = steps / 20;
        double Final(double[] gaps) => gaps[^tail..].Average();
        double constantPlateau = runs[0].Gaps[(steps / 2)..].Average();
        double threshold = constantPlateau / 2;
        long? StepsTo(double[] gaps)
        {
            for (int t = 0; t < gaps.Length; t++) if (gaps[t] < threshold) return t;
            return null;
        }
        var finals = runs.Select(r => Final(r.Gaps)).ToArray();
        bool decayingLower = finals.Skip(1).All(f => f < finals[0]);
        var result = new ExperimentResult
        {
            Claim = "With the same problem and the same noise stream, a constant rate plateaus at a noise floor while decaying schedules end lower.",
            Summary = $"final f−f* (mean of last {tail} steps): constant {F(finals[0])}; decaying schedules {F(finals.Skip(1).Min())}–{F(finals.Skip(1).Max())}",
            Supported = decayingLower,
        };
        result.Paragraphs.Add($"{dimension}-d quadratic (condition number 10, L = 1) with N(0, {noise}²) gradient noise keyed by the step, so every schedule sees identical noise; the library's SGD at base rate {learningRate} times each schedule factor (parsed from the text forms shown), {steps} steps from the origin.");
        result.Paragraphs.Add($"Threshold for 'steps to threshold': half the constant rate's plateau (mean gap over its second half, {F(constantPlateau)}), i.e. {F(threshold)}. A constant rate never gets there by construction; the column shows how early each decaying schedule does.");
        result.Tables.Add(new ExperimentTable("Final loss gap and steps to threshold", ["Schedule", "Final f − f*", "Steps to threshold"],
            runs.Select((r, i) => (IReadOnlyList<string>)[r.Text, F(finals[i]), StepsTo(r.Gaps)?.ToString(CultureInfo.InvariantCulture) ?? "never"]).ToArray()));
        result.Numbers["steps"] = steps;
        result.Numbers["threshold"] = threshold;
        result.Numbers["schedules"] = runs.Select((r, i) => new Dictionary<string, object>
            { ["schedule"] = r.Text, ["finalGap"] = finals[i], ["stepsToThreshold"] = (object?)StepsTo(r.Gaps) ?? "never" }).ToArray();
        int every = Math.Max(1, steps / 400);
        var series = runs.Select(r =>
        {
            var idx = Enumerable.Range(0, steps / every + 1).Select(k => k * every).ToArray();
            return new Series(r.Text, idx.Select(i => (double)i).ToArray(), idx.Select(i => Math.Max(r.Gaps[i], 1e-12)).ToArray());
        }).ToArray();
        Plots.Save(Plots.Line("Noisy quadratic: same noise, eight schedules", "step", "f(x) − f* (log)", series, logY: true), Path.Combine(context.OutputDirectory, Id));
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), series);
        result.Figures.Add(new ExperimentFigure(Id + ".png", "Loss gap per step (every " + every + "th step) for each schedule; the constant rate stays on its noise floor."));
        return result;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}

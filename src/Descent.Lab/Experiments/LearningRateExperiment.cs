using System.Globalization;
using Descent.Lab.Problems;
using Descent.Lab.Reports;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>Experiment 5: learning rate too large (above 2/L), too small, and right on a quadratic with a known spectrum.</summary>
public sealed class LearningRateExperiment : IExperiment
{
    /// <inheritdoc/>
    public int Number => 5;
    /// <inheritdoc/>
    public string Id => "learning-rate";
    /// <inheritdoc/>
    public string Title => "Learning rate too large, too small, right";

    /// <summary>Runs the library's plain SGD (exact gradients) on <paramref name="problem"/> from its initial point; returns f(x_t) − f* for t = 0..steps.</summary>
    public static double[] Gaps(Quadratic problem, double learningRate, int steps)
    {
        var x = problem.InitialPoint();
        var g = new double[problem.Dimension];
        var optimizer = Optim.Sgd<double>(learningRate);
        optimizer.AddGroup(new Parameter<double>("x", x, g));
        var gaps = new double[steps + 1];
        for (int t = 0; ; t++)
        {
            gaps[t] = problem.Evaluate(x, g) - problem.MinimumValue;
            if (t == steps) break;
            optimizer.Step();
        }
        return gaps;
    }

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        const double largest = 1, condition = 100;
        int dimension = context.Quick ? 10 : 50, steps = context.Quick ? 500 : 2000;
        var problem = new Quadratic(Quadratic.LogSpacedSpectrum(dimension, condition, largest), rotate: true, seed: (ulong)context.Seed);
        double l = problem.Eigenvalues.Max(), mu = problem.Eigenvalues.Min();
        var rates = new (string Name, double Rate)[]
        {
            ("too large (2.2/L)", 2.2 / l), ("too small (0.01/L)", 0.01 / l), ("right (2/(L+mu))", 2 / (l + mu)),
        };
        var runs = rates.Select(r => (r.Name, r.Rate, Gaps: Gaps(problem, r.Rate, steps))).ToArray();
        double initial = runs[0].Gaps[0];
        double[] final = runs.Select(r => r.Gaps[^1]).ToArray();
        bool diverges = !(final[0] < initial * 1e6);
        bool crawls = final[1] > 1e-3 * initial;
        bool converges = final[2] < 1e-6 * initial;
        var result = new ExperimentResult
        {
            Claim = "On a quadratic with largest curvature L, gradient descent diverges for lr > 2/L, crawls for a tiny lr, and converges fast near 2/(L+mu).",
            Summary = $"after {steps} steps f−f* went {F(initial)} → {F(final[0])} (2.2/L), {F(final[1])} (0.01/L), {F(final[2])} (2/(L+mu))",
            Supported = diverges && crawls && converges,
            Source = new ClaimSource("The course's lecture on gradient descent (learning rate)",
                "A learning rate that is too large makes gradient descent diverge, one that is too small makes it crawl; on a quadratic the step must stay below 2/L, and 2/(L+mu) is optimal."),
            Design = $"Rotated quadratic, {dimension} dimensions, log-spaced spectrum with condition number {condition}, start at the origin, exact gradients, {steps} steps of the library's SGD at 2.2/L, 0.01/L and 2/(L+mu). Rule: supported iff f-f* grows by more than 1e6 at 2.2/L, keeps more than 1e-3 of its initial value at 0.01/L, and falls below 1e-6 of it at 2/(L+mu).",
            Test = "deterministic (exact gradients, no noise): the rule is evaluated on the single trajectory; no sampling error to test",
            QuickIsFullDesign = true,
        };
        result.Paragraphs.Add($"Quadratic in {dimension} dimensions with log-spaced eigenvalues from {F(mu)} to {F(l)} (condition number {F(l / mu)}), randomly rotated; start at the origin; the library's SGD with exact gradients.");
        result.Paragraphs.Add("The iteration multiplies the error along eigenvector i by (1 − lr·λ_i); |1 − lr·L| > 1 when lr > 2/L, so the top direction grows geometrically. 2/(L+mu) balances the slowest and fastest directions at rate (κ−1)/(κ+1).");
        result.Tables.Add(new ExperimentTable("Loss gap f(x_T) − f*", ["Learning rate", "lr", "Initial", "Final"],
            runs.Select(r => (IReadOnlyList<string>)[r.Name, F(r.Rate), F(r.Gaps[0]), F(r.Gaps[^1])]).ToArray()));
        result.Numbers["largestCurvature"] = l;
        result.Numbers["smallestCurvature"] = mu;
        result.Numbers["steps"] = steps;
        result.Numbers["runs"] = runs.Select(r => new Dictionary<string, object>
            { ["name"] = r.Name, ["learningRate"] = r.Rate, ["initialGap"] = r.Gaps[0], ["finalGap"] = r.Gaps[^1] }).ToArray();

        var series = runs.Select(r => new Series(r.Name, Enumerable.Range(0, steps + 1).Select(i => (double)i).ToArray(),
            r.Gaps.Select(v => Math.Max(v, 1e-300)).ToArray())).ToArray();
        Plots.Save(Plots.Line("Loss gap on a quadratic (log scale)", "step", "f(x) − f*", series, logY: true), Path.Combine(context.OutputDirectory, Id));
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), series);
        result.Figures.Add(new ExperimentFigure(Id + ".png", "f(x_t) − f* for three learning rates; above 2/L the loss grows geometrically."));
        return result;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}

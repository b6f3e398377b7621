using System.Globalization;
using Descent.Analysis;
using Descent.Lab.Data;
using Descent.Lab.Reports;
using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>Experiment 7: SGD on a noisy 1-D quadratic as an Ornstein-Uhlenbeck process; simulated Var[theta_t] under hyperbolic decay vs the closed form.</summary>
public sealed class OrnsteinUhlenbeckExperiment : IExperiment
{
    /// <inheritdoc/>
    public int Number => 7;
    /// <inheritdoc/>
    public string Id => "ornstein-uhlenbeck";
    /// <inheritdoc/>
    public string Title => "SGD as an Ornstein-Uhlenbeck process";

    /// <summary>
    /// Simulates <paramref name="seeds"/> independent runs at once (one parameter element per run) of the library's SGD with
    /// rate eta0/(1 + beta t) on f = curvature θ²/2 with gradient noise N(0, noiseVariance), θ_0 ~ N(0, initialVariance);
    /// returns the sample variance of θ_t across runs for t = 0..steps.
    /// </summary>
    public static double[] SimulatedVariance(int seeds, long steps, double eta0, double beta, double curvature, double noiseVariance, double initialVariance, ulong seed)
    {
        var random = new SeededRandom(seed);
        var theta = new double[seeds];
        var g = new double[seeds];
        for (int i = 0; i < seeds; i++) theta[i] = Math.Sqrt(initialVariance) * random.NextGaussian();
        var schedule = ScheduleText.Parse($"hyperbolic(rate={CallFormat(beta)})");
        var optimizer = Optim.Sgd<double>(eta0, learningRateSchedule: schedule);
        optimizer.AddGroup(new Parameter<double>("theta", theta, g));
        double sigma = Math.Sqrt(noiseVariance);
        var variance = new double[steps + 1];
        variance[0] = Variance(theta);
        for (long t = 0; t < steps; t++)
        {
            for (int i = 0; i < seeds; i++) g[i] = curvature * theta[i] + sigma * random.NextGaussian();
            optimizer.Step();
            variance[t + 1] = Variance(theta);
        }
        return variance;
    }

    private static string CallFormat(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static double Variance(double[] x)
    {
        double mean = x.Average();
        double s = 0;
        foreach (double v in x) s += (v - mean) * (v - mean);
        return s / (x.Length - 1);
    }

    /// <summary>The relative difference from the closed form within which the variances count as following it: 5 %.</summary>
    internal const double EquivalenceMargin = 0.05;

    /// <summary>
    /// The pre-stated rule: the 95 % interval of the ratio sample variance / closed form (relative standard error sqrt(2/(n-1))
    /// of a sample variance of n normal draws) inside 1 +- <see cref="EquivalenceMargin"/> is supported, wholly outside is not,
    /// else inconclusive; the p-value is the two-sided chi-squared test of the sample variance against the exact recursion.
    /// </summary>
    internal static (Verdict Verdict, Statistics.Interval Interval, double PExact) Decide(double sampleVariance, double closedForm, double exactRecursion, int runs)
    {
        double ratio = sampleVariance / closedForm, half = Descent.Analysis.Normal.Quantile(0.975) * Math.Sqrt(2.0 / (runs - 1));
        var interval = new Statistics.Interval(ratio * (1 - half), ratio * (1 + half), 0.95);
        double x = (runs - 1) * sampleVariance / exactRecursion, upper = Statistics.ChiSquared.Survival(x, runs - 1);
        double p = Math.Min(1, 2 * Math.Min(upper, 1 - upper));
        var verdict = interval.Low >= 1 - EquivalenceMargin && interval.High <= 1 + EquivalenceMargin ? Verdict.Supported
            : interval.High < 1 - EquivalenceMargin || interval.Low > 1 + EquivalenceMargin ? Verdict.NotSupported
            : Verdict.Inconclusive;
        return (verdict, interval, p);
    }

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        int seeds = context.Quick ? 2000 : 20000;
        const long steps = 1000;
        const double eta0 = 0.05, beta = 0.01, curvature = 1, noiseVariance = 1, initialVariance = 1;
        var simulated = SimulatedVariance(seeds, steps, eta0, beta, curvature, noiseVariance, initialVariance, (ulong)context.Seed);
        var closed = Enumerable.Range(0, (int)steps + 1).Select(t => OrnsteinUhlenbeck.HyperbolicVariance(eta0, beta, curvature, noiseVariance, initialVariance, t)).ToArray();
        var exact = OrnsteinUhlenbeck.VarianceTrajectory(ScheduleText.Parse($"hyperbolic(rate={CallFormat(beta)})"), eta0, curvature, noiseVariance, initialVariance, steps);
        double standardError = Math.Sqrt(2.0 / (seeds - 1));
        int[] checkpoints = [10, 100, 300, 1000];
        var rows = checkpoints.Select(t => (IReadOnlyList<string>)[t.ToString(CultureInfo.InvariantCulture), F(simulated[t]), F(exact[t]), F(closed[t]), F(simulated[t] / closed[t] - 1)]).ToArray();
        var (verdict, interval, pExact) = Decide(simulated[^1], closed[^1], exact[^1], seeds);
        var result = new ExperimentResult
        {
            Claim = "Under hyperbolic decay eta0/(1+beta t), SGD's stationary fluctuations follow the Ornstein-Uhlenbeck closed form Var[theta_t] = v0 u^-a + c/(a−1)(1/u − u^-a), u = 1+beta t, a = 2 lambda eta0/beta.",
            Summary = $"Var[theta_T] over {seeds} runs {F(simulated[^1])} vs closed form {F(closed[^1])} (ratio {F(simulated[^1] / closed[^1])}, 95 % CI [{F(interval.Low)}, {F(interval.High)}], equivalence margin {EquivalenceMargin:P0}); exact recursion {F(exact[^1])} (chi-squared p {pExact:G3})",
            Outcome = verdict,
            Source = new ClaimSource("The course's chapter on SGD as a stochastic process (Ornstein-Uhlenbeck)",
                "Under the hyperbolic decay eta0/(1 + beta t), SGD on a quadratic is an Ornstein-Uhlenbeck process whose variance follows Var[theta_t] = v0 u^-a + c/(a - 1)(1/u - u^-a), u = 1 + beta t, a = 2 lambda eta0 / beta."),
            Design = $"{seeds} independent runs on f = lambda theta^2/2 with Gaussian gradient noise, theta_0 ~ N(0, v0), the library's SGD with the hyperbolic schedule; metric: the sample variance of theta_T relative to the closed form. Rule, fixed in advance: equivalence within {EquivalenceMargin:P0}: supported iff the 95 % interval of Var/closed form lies inside [{1 - EquivalenceMargin}, {1 + EquivalenceMargin}], not supported iff it lies wholly outside, else inconclusive. Also reported: the chi-squared test of the sample variance against the exact discrete recursion (the process actually simulated).",
            Test = "95 % interval of the variance ratio ((n-1) s^2 / sigma^2 ~ chi-squared(n-1), normal approximation for n in the thousands) against an equivalence margin of 5 %; two-sided chi-squared test against the exact recursion",
            PValue = pExact,
            Interval = interval,
        };
        result.Paragraphs.Add($"f(theta) = lambda theta²/2 with lambda = {curvature}, gradient noise N(0, {noiseVariance}), theta_0 ~ N(0, {initialVariance}); the library's SGD with the text schedule hyperbolic(rate={beta}) and base rate {eta0}, {steps} steps; all runs advance together as one parameter vector (one element per run).");
        result.Paragraphs.Add("The closed form is the continuous-time limit; the exact discrete recursion v_{t+1} = (1 − eta_t lambda)² v_t + eta_t² sigma² is shown too, so the gap between the limit and the discrete process is visible apart from sampling error.");
        result.Tables.Add(new ExperimentTable("Var[theta_t]", ["t", "Simulated", "Exact recursion", "Closed form", "Simulated/closed − 1"], rows));
        result.Numbers["seeds"] = seeds;
        result.Numbers["steps"] = steps;
        result.Numbers["finalSimulated"] = simulated[^1];
        result.Numbers["finalClosedForm"] = closed[^1];
        result.Numbers["finalExactRecursion"] = exact[^1];
        result.Numbers["samplingStandardError"] = standardError;
        result.Numbers["ratioInterval"] = new[] { interval.Low, interval.High };
        result.Numbers["pExactRecursion"] = pExact;
        var xs = Enumerable.Range(0, (int)steps + 1).Select(i => (double)i).ToArray();
        var series = new[] { new Series($"simulated ({seeds} runs)", xs, simulated), new Series("closed form (OU)", xs, closed), new Series("exact recursion", xs, exact) };
        Plots.Save(UpperRightLegend(Plots.Line("Var[theta_t] under hyperbolic decay", "step t", "Var[theta_t]", series, logY: true)), Path.Combine(context.OutputDirectory, Id));
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), series);
        result.Figures.Add(new ExperimentFigure(Id + ".png", "Simulated variance across runs against the Ornstein-Uhlenbeck closed form and the exact discrete recursion."));
        return result;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static ScottPlot.Plot UpperRightLegend(ScottPlot.Plot plot)
    {
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        return plot;
    }
}

using System.Globalization;
using Descent.Analysis;
using Descent.Lab.Problems;
using Descent.Lab.Reports;
using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 13: the NAG critical-damping joint schedule <c>eta_t = c (1/lambda) ((1 - mu_t)/(1 + mu_t))^2</c>
/// (<see cref="MomentumStability.NesterovCriticalDampingRates"/>) with the momentum ramped up, as the chapter does, on a diagonal
/// quadratic. Overshoot is measured on the mode the schedule is tuned for (and per mode), on both the library's parameter (PyTorch's
/// Nesterov form stores Sutskever's look-ahead point <c>y_t = x_t + mu v_t</c>) and the actual iterate <c>x_t</c>; c runs over
/// 1/4 .. 4 and lambda is misspecified by +-10 % and +-25 %.
/// </summary>
public sealed class NesterovCriticalDampingExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 13;

    /// <inheritdoc />
    public string Id => "nag-critical-damping";

    /// <inheritdoc />
    public string Title => "NAG critical damping: joint (eta_t, mu_t) schedule with the momentum ramped up";

    /// <summary>A per-step table of values (the joint schedule's precomputed rates) as a schedule.</summary>
    private sealed class Table(double[] values) : ISchedule
    {
        public double At(long step) => values[Math.Min(step, values.Length - 1)];
    }

    /// <summary>One run's measurements.</summary>
    /// <param name="Gap">f - f* per step, from the displacement: <c>sum_i lambda_i (x_i - x*_i)^2 / 2</c> (no cancellation near 0).</param>
    /// <param name="ModeError">|error| of the tuned mode per step (actual iterate), relative to its start.</param>
    /// <param name="OvershootLookAhead">Largest fraction of the start offset on the far side of the minimum, tuned mode, on the library's parameter (look-ahead point).</param>
    /// <param name="OvershootActual">The same on the actual iterate <c>x_t = y_t + mu_t eta_t b_t</c> (b the PyTorch momentum buffer).</param>
    /// <param name="OvershootPerMode">Overshoot of each mode (actual iterate).</param>
    public sealed record Measured(double[] Gap, double[] ModeError, double OvershootLookAhead, double OvershootActual, double[] OvershootPerMode);

    /// <summary>
    /// Runs the library's Nesterov SGD (PyTorch form) on the diagonal quadratic <c>sum lambda_i x_i^2 / 2</c> from x = 1 with absolute
    /// per-step rate and momentum schedules; <paramref name="mode"/> is the index of the tuned curvature.
    /// </summary>
    public static Measured Run(IReadOnlyList<double> eigenvalues, ISchedule rate, ISchedule momentum, int steps, int mode)
    {
        int d = eigenvalues.Count;
        var y = new double[d];
        Array.Fill(y, 1.0);
        var g = new double[d];
        var buffer = new double[d];
        var optimizer = Optim.Sgd<double>(rate.At(0), momentum: 0.5, nesterov: true);
        optimizer.Set(HyperparameterKey.LearningRate, Hyperparameter.Scheduled(rate));
        optimizer.Set(HyperparameterKey.Momentum, Hyperparameter.Scheduled(momentum));
        optimizer.AddGroup(new Parameter<double>("x", y, g));
        var gap = new double[steps + 1];
        var modeError = new double[steps + 1];
        var perMode = new double[d];
        double lookAhead = 0, actual = 0;
        for (int t = 0; t <= steps; t++)
        {
            // actual iterate: x_t = y_t - mu v_t with Sutskever's v = -eta b (b: PyTorch's buffer), at the step's (eta, mu)
            double eta = rate.At(Math.Max(t - 1, 0)), mu = momentum.At(Math.Max(t - 1, 0));
            double f = 0;
            for (int i = 0; i < d; i++)
            {
                double x = y[i] + mu * eta * buffer[i];
                f += eigenvalues[i] * x * x / 2;
                perMode[i] = Math.Max(perMode[i], -x);
                if (i == mode)
                {
                    modeError[t] = Math.Abs(x);
                    actual = Math.Max(actual, -x);
                    lookAhead = Math.Max(lookAhead, -y[i]);
                }
            }
            gap[t] = f;
            if (t == steps) break;
            for (int i = 0; i < d; i++) g[i] = eigenvalues[i] * y[i];
            double muNow = momentum.At(t);
            for (int i = 0; i < d; i++) buffer[i] = t == 0 ? g[i] : muNow * buffer[i] + g[i];
            optimizer.Step();
        }
        return new Measured(gap, modeError, lookAhead, actual, perMode);
    }

    private static int StepsTo(double[] error, double fraction)
    {
        for (int t = 0; t < error.Length; t++) if (error[t] <= fraction * error[0]) return t;
        return -1;
    }

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        const int steps = 1500;
        const double kappa = 100, muMax = 0.9;
        double[] eigenvalues = Quadratic.LogSpacedSpectrum(10, kappa);
        int mode = 0;
        double lambda = eigenvalues[mode];
        for (int i = 1; i < eigenvalues.Length; i++) if (eigenvalues[i] > lambda) { lambda = eigenvalues[i]; mode = i; }
        // Momentum ramps UP from 0.5 to 0.9 over the first 100 steps (the chapter's warm-up of momentum), then stays.
        ISchedule mu = new Join(new ISchedule[] { new Linear(100, 0.5, muMax), new Constant(muMax) }, new long[] { 100 });
        ISchedule Joint(double c, double assumedLambda) => new Table(MomentumStability.NesterovCriticalDampingRates(mu, assumedLambda, steps + 1).Select(r => c * r).ToArray());
        var runs = new List<(string Name, string Group, double C, double Misspecification, Measured M)>();
        foreach (double c in new[] { 0.25, 0.5, 1, 2, 4 })
            runs.Add(($"c = {c}", "c", c, 0, Run(eigenvalues, Joint(c, lambda), mu, steps, mode)));
        foreach (double m in new[] { -0.25, -0.10, 0.10, 0.25 })
            runs.Add(($"lambda assumed {(m > 0 ? "+" : "")}{m * 100:F0} %", "lambda", 1, m, Run(eigenvalues, Joint(1, lambda * (1 + m)), mu, steps, mode)));
        runs.Add(("fixed eta = 1/L, mu = 0.9 (underdamped)", "fixed", double.NaN, 0, Run(eigenvalues, new Constant(1 / eigenvalues.Max()), new Constant(0.9), steps, mode)));

        const double tolerance = 1e-9;
        var critical = runs.Single(r => r.Group == "c" && r.C == 1).M;
        int criticalSteps = StepsTo(critical.ModeError, 1e-6);
        bool noOvershoot = critical.OvershootActual <= tolerance && critical.OvershootLookAhead <= tolerance;
        bool aboveOvershoots = runs.Where(r => r.Group == "c" && r.C > 1).All(r => r.M.OvershootActual > tolerance);
        bool belowSlower = runs.Where(r => r.Group == "c" && r.C < 1).All(r => { int s = StepsTo(r.M.ModeError, 1e-6); return s < 0 || s >= criticalSteps; });
        bool supported = noOvershoot && aboveOvershoots && belowSlower && criticalSteps > 0;

        var rows = runs.Select(r =>
        {
            int s = StepsTo(r.M.ModeError, 1e-6), sg = StepsTo(r.M.Gap, 1e-12);
            return (IReadOnlyList<string>)[r.Name, F(r.M.OvershootLookAhead), F(r.M.OvershootActual), F(r.M.OvershootPerMode.Max()),
                s < 0 ? $"> {steps}" : s.ToString(CultureInfo.InvariantCulture), sg < 0 ? $"> {steps}" : sg.ToString(CultureInfo.InvariantCulture)];
        }).ToList();
        var series = runs.Where(r => r.Group != "lambda").Select(r => Series.FromValues(r.Name, r.M.ModeError.Select(v => Math.Max(v, 1e-300)).ToArray())).ToList();
        string file = Path.Combine(context.OutputDirectory, Id + "-loss");
        Plots.Save(Plots.Line($"Tuned mode (lambda = {lambda:G3}): |x_t - x*| of the actual iterate", "step", "|error| / start", series, logY: true), file);
        ResultsFiles.WriteSeriesCsv(file + ".csv", series);
        var missSeries = runs.Where(r => r.Group != "c" || r.C == 1).Select(r => Series.FromValues(r.Name, r.M.Gap.Select(v => Math.Max(v, 1e-300)).ToArray())).ToList();
        string missFile = Path.Combine(context.OutputDirectory, Id + "-misspecified");
        Plots.Save(Plots.Line("All modes: f - f* (from the displacement), lambda misspecified", "step", "f - f*", missSeries, logY: true), missFile);
        ResultsFiles.WriteSeriesCsv(missFile + ".csv", missSeries);

        string region = Path.Combine(context.OutputDirectory, Id + "-stability");
        var grid = Enumerable.Range(0, 99).Select(i => i / 100.0).ToArray();
        var criticalCurve = new Series("critical damping eta*lambda = ((1-mu)/(1+mu))^2", grid, grid.Select(m => MomentumStability.NesterovCriticalDampingRate(m, 1)).ToArray());
        var boundary = new Series("stability boundary eta*lambda = (2+2mu)/(1+2mu)", grid, grid.Select(m => MomentumStability.MaxStableLearningRate(m, 1, MomentumMethod.Nesterov)).ToArray());
        var ramp = new Series("the joint schedule (c = 1, tuned mode)", Enumerable.Range(0, 101).Select(t => mu.At(t)).ToArray(),
            Enumerable.Range(0, 101).Select(t => MomentumStability.NesterovCriticalDampingRate(mu.At(t), 1)).ToArray());
        var plot = Plots.Contour("NAG spectral radius over (mu, eta*lambda); contours labelled, stable below the boundary",
            (m, h) => Math.Min(MomentumStability.SpectralRadius(h, Math.Min(m, 0.999), 1, MomentumMethod.Nesterov), 1.5),
            (0, 0.99, 0, 2.1), [criticalCurve, boundary, ramp], logLevels: false, levels: 12);
        plot.Axes.Bottom.Label.Text = "momentum mu";
        plot.Axes.Left.Label.Text = "eta * lambda";
        Plots.Save(plot, region, 900, 600);

        var result = new ExperimentResult
        {
            Claim = "With the momentum ramped up, eta_t = (1/lambda)((1-mu_t)/(1+mu_t))^2 keeps NAG critically damped on curvature lambda: that mode never overshoots, larger rates (c > 1) overshoot, smaller ones (c < 1) converge more slowly.",
            Summary = $"tuned mode lambda = {lambda:G3}: c = 1 overshoot {F(critical.OvershootActual)} (actual) / {F(critical.OvershootLookAhead)} (look-ahead), 1e-6 in {criticalSteps} steps; " +
                      string.Join(", ", runs.Where(r => r.Group == "c" && r.C != 1).Select(r => $"c = {r.C}: overshoot {F(r.M.OvershootActual)}, {StepsText(StepsTo(r.M.ModeError, 1e-6), steps)} steps")) +
                      "; " + string.Join(", ", runs.Where(r => r.Group == "lambda").Select(r => $"{r.Name}: {F(r.M.OvershootActual)}")),
            Supported = supported,
            QuickIsFullDesign = true,
            Source = new ClaimSource("The course's chapter on momentum (Nesterov's method, critical damping)",
                "Ramping the momentum up while setting eta_t = (1/lambda)((1 - mu_t)/(1 + mu_t))^2 keeps Nesterov's method critically damped on the curvature lambda, so it does not overshoot."),
            Design = $"Diagonal quadratic, 10 log-spaced curvatures, condition number {kappa}, start x = 1, x* = 0, exact gradients, {steps} steps of the library's Nesterov SGD with absolute rate and momentum schedules; " +
                     $"mu_t ramps linearly from 0.5 to {muMax} over 100 steps; tuned curvature lambda = L = lambda_max = {lambda:G3} (tuned on lambda_min, the early low-momentum rates would put the stiff modes far beyond the stability boundary); eta_t = c crit(mu_t) for c in {{1/4, 1/2, 1, 2, 4}}, and c = 1 with lambda assumed -25, -10, +10, +25 %. " +
                     "Overshoot: the largest fraction of the start offset on the far side of 0, on the tuned mode, for the library's parameter (PyTorch stores Sutskever's look-ahead point y_t = x_t + mu v_t) and for the actual iterate x_t. " +
                     $"Rule: supported iff at c = 1 neither overshoots by more than {tolerance:G1}, every c > 1 overshoots, and no c < 1 reaches 1e-6 on the tuned mode sooner than c = 1.",
            Test = "deterministic (exact gradients): the rule is evaluated on the trajectories; no sampling error",
        };
        result.Departures.Add("A diagonal quadratic (modes are coordinates) so the tuned mode can be read off directly; on a rotated problem the overshoot of one mode is hidden in mixed coordinates.");
        result.Paragraphs.Add("The other modes (larger curvature) are driven with eta lambda_i above the critical value, so they are underdamped and overshoot by design; the per-mode maximum is in the table.");
        result.Numbers["steps"] = steps;
        result.Numbers["tuned_curvature"] = lambda;
        result.Numbers["runs"] = runs.Select(r => new Dictionary<string, object>
        {
            ["name"] = r.Name, ["overshoot_look_ahead"] = r.M.OvershootLookAhead, ["overshoot_actual"] = r.M.OvershootActual,
            ["overshoot_per_mode"] = r.M.OvershootPerMode, ["steps_to_1e-6_tuned_mode"] = StepsTo(r.M.ModeError, 1e-6), ["final_gap"] = r.M.Gap[^1],
        }).ToArray();
        result.Tables.Add(new ExperimentTable("Overshoot (fraction of the start offset) and speed", ["run", "tuned mode, look-ahead", "tuned mode, actual", "worst mode, actual", "steps to 1e-6 (tuned mode)", "steps to f-f* < 1e-12 f0"], rows));
        result.Figures.Add(new ExperimentFigure(Id + "-loss.png", "The tuned mode's error for each c (log scale)."));
        result.Figures.Add(new ExperimentFigure(Id + "-misspecified.png", "f - f* over all modes with lambda misspecified."));
        result.Figures.Add(new ExperimentFigure(Id + "-stability.png", "NAG spectral radius over (mu, eta*lambda) with the stability boundary, the critical-damping curve and the ramp."));
        return result;
    }

    private static string StepsText(int s, int steps) => s < 0 ? $"> {steps}" : s.ToString(CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}

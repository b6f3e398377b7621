using Descent.Lab.Training;
using Descent.Minimizers;
using Descent.Optimizers;
using Descent.Schedules;
using Descent.Text;

namespace Descent.Web;

/// <summary>One optimizer's path on a landscape: points, noise-free loss and learning rate per step.</summary>
/// <param name="Optimizer">The optimizer in its canonical text form.</param>
/// <param name="Schedule">The schedule in its canonical text form, or null.</param>
/// <param name="X">x of step 0 .. n (the start first).</param>
/// <param name="Y">y of step 0 .. n.</param>
/// <param name="Loss">f(x, y) of each point (without gradient noise).</param>
/// <param name="LearningRate">The learning rate of the step taken from each point (NaN-free; L-BFGS: the line search's, so empty).</param>
/// <param name="Stopped">Why the path ended before the requested steps, or null.</param>
public sealed record Trajectory(string Optimizer, string? Schedule, double[] X, double[] Y, double[] Loss, double[] LearningRate, string? Stopped);

/// <summary>Computes trajectories with the library: any catalog optimizer (with an optional schedule attached) or <c>lbfgs(...)</c>.</summary>
public static class Trajectories
{
    /// <summary>The most steps (or L-BFGS iterations) one request may ask.</summary>
    public const int MaxSteps = 5000;

    /// <summary>The most L-BFGS iterations one request may ask (each iteration's point is a run capped at that many iterations).</summary>
    public const int MaxLbfgsIterations = 500;

    /// <summary>A coordinate beyond this magnitude ends the path as diverged.</summary>
    public const double DivergenceLimit = 1e6;

    /// <summary>
    /// Runs <paramref name="optimizerText"/> for <paramref name="steps"/> steps from (<paramref name="x0"/>, <paramref name="y0"/>).
    /// Text errors throw <see cref="TextFormatException"/>; range errors <see cref="ArgumentException"/>.
    /// </summary>
    public static Trajectory Compute(PlaygroundLandscape landscape, double x0, double y0, string optimizerText, string? scheduleText, int steps,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(optimizerText);
        if (IsLbfgs(optimizerText))
        {
            if (!string.IsNullOrWhiteSpace(scheduleText)) throw new ArgumentException("lbfgs() takes no schedule: its line search chooses each step");
            return RunLbfgs(landscape, x0, y0, optimizerText, steps, cancellation);
        }
        var spec = OptimizerCatalog.Parse(optimizerText);
        Schedule? schedule = string.IsNullOrWhiteSpace(scheduleText) ? null : ScheduleText.Parse(scheduleText, steps);
        var optimizer = spec.Create<double>();
        if (schedule is not null) optimizer.SetSchedule(schedule);
        var point = new[] { x0, y0 };
        var gradient = new double[2];
        optimizer.AddGroup(new Parameter<double>("xy", point, gradient));
        var xs = new List<double>(steps + 1);
        var ys = new List<double>(steps + 1);
        var loss = new List<double>(steps + 1);
        var rates = new List<double>(steps + 1);
        string? stopped = null;
        for (int t = 0; ; t++)
        {
            cancellation.ThrowIfCancellationRequested();
            xs.Add(point[0]);
            ys.Add(point[1]);
            loss.Add(landscape.Value(point[0], point[1]));
            if (t == steps) break;
            landscape.Evaluate(point, gradient);
            rates.Add(optimizer.Groups[0].Get(HyperparameterKey.LearningRate).At(optimizer.StepCount));
            optimizer.Step();
            if (!double.IsFinite(point[0]) || !double.IsFinite(point[1]) || Math.Abs(point[0]) > DivergenceLimit || Math.Abs(point[1]) > DivergenceLimit)
            {
                stopped = $"diverged at step {t + 1}: the point left |x|, |y| <= {DivergenceLimit:G}";
                break;
            }
            if (!double.IsFinite(landscape.Value(point[0], point[1])))
            {
                stopped = $"diverged at step {t + 1}: the loss is not finite";
                break;
            }
        }
        return new Trajectory(spec.ToString(), schedule?.ToString(), [.. xs], [.. ys], Sanitize(loss), [.. rates], stopped);
    }

    /// <summary>Whether <paramref name="text"/> names L-BFGS (<c>lbfgs(...)</c>), which is a minimizer, not a catalog optimizer.</summary>
    public static bool IsLbfgs(string text)
    {
        string t = text.TrimStart();
        return t.StartsWith("lbfgs", StringComparison.Ordinal) && (t.Length == 5 || !char.IsLetterOrDigit(t[5]) && t[5] != '_');
    }

    /// <summary>
    /// Parses <c>lbfgs(history=10, line_search=strong_wolfe|armijo|none, gtol=1e-5)</c> into the library's options (errors point at the text).
    /// </summary>
    public static (LbfgsOptions Options, string Canonical) ParseLbfgs(string text, int iterations)
    {
        var node = CallExpression.Parse(text);
        if (node is not CallNode call || call.Name != "lbfgs") throw new TextFormatException(text, node.Position, "Expected one call such as lbfgs(history=10)");
        var args = new CallArguments(text, call);
        long history = args.Integer("history", 10, 0);
        string search = args.Word("line_search", "strong_wolfe");
        var kind = search switch
        {
            "strong_wolfe" or "strong-wolfe" or "wolfe" => LineSearchKind.StrongWolfe,
            "armijo" => LineSearchKind.Armijo,
            "none" => LineSearchKind.None,
            _ => throw args.Error(args.Find("line_search")!.Position, "Argument 'line_search' must be one of strong_wolfe, armijo, none"),
        };
        double gtol = args.Number("gtol", new LbfgsOptions().GradientTolerance);
        args.EnsureAllUsed();
        if (!(gtol >= 0) || !double.IsFinite(gtol)) throw args.Error(args.Find("gtol")!.Position, "Argument 'gtol' must be finite and >= 0");
        if (history < 1 || history > 1000) throw args.Error(args.Find("history", 0)?.Position ?? call.Position, "Argument 'history' must be in [1, 1000]");
        var options = new LbfgsOptions
        {
            HistorySize = (int)history,
            MaxIterations = iterations,
            MaxEvaluations = 25L * iterations + 25,
            LineSearch = kind,
            GradientTolerance = gtol,
        };
        string canonical = $"lbfgs(history={history}, line_search={(kind == LineSearchKind.StrongWolfe ? "strong_wolfe" : search)}, gtol={CallExpression.FormatNumber(gtol)})";
        return (options, canonical);
    }

    private static Trajectory RunLbfgs(PlaygroundLandscape landscape, double x0, double y0, string text, int iterations, CancellationToken cancellation)
    {
        if (iterations > MaxLbfgsIterations) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, $"steps must be at most {MaxLbfgsIterations} for lbfgs()");
        var (options, canonical) = ParseLbfgs(text, iterations);
        // Iteration k's point is the result of a run capped at k iterations: the library's iterates, deterministic (the noisy
        // quadratic's noise restarts from its seed in every run), at O(k^2) evaluations for a short 2-D path.
        var xs = new List<double> { x0 };
        var ys = new List<double> { y0 };
        var loss = new List<double> { landscape.Value(x0, y0) };
        string? stopped = null;
        for (int k = 1; k <= iterations; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            var fresh = PlaygroundLandscape.Create(landscape.Name, landscape.Seed);
            var x = new[] { x0, y0 };
            var result = Minimizers.Lbfgs.Minimize<double>(fresh.Evaluate, x, options with { MaxIterations = k, MaxEvaluations = 25L * k + 25 });
            if (!double.IsFinite(x[0]) || !double.IsFinite(x[1]))
            {
                stopped = $"diverged at iteration {k}";
                break;
            }
            xs.Add(x[0]);
            ys.Add(x[1]);
            loss.Add(landscape.Value(x[0], x[1]));
            if (result.Iterations < k)
            {
                stopped = $"converged after {result.Iterations} iterations ({result.Reason})";
                break;
            }
        }
        return new Trajectory(canonical, null, [.. xs], [.. ys], Sanitize(loss), [], stopped);
    }

    private static double[] Sanitize(List<double> values) => values.Select(v => double.IsFinite(v) ? v : double.MaxValue).ToArray();
}

using System.Globalization;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Lab.Training;
using Descent.Numerics;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 19: AdamW on the MNIST-10k 784-256-10 MLP with float32, bfloat16 and block-wise int8 optimizer state (same
/// initialisation and data order per seed), with 1cycle. Reports test accuracy per precision (mean of the seeds), the training
/// loss curves side by side, and, along the float32 run, the relative quantization error of the first layer's m and v under
/// the dynamic and the linear 8-bit maps and under bfloat16. Quick mode: 2000 images, 2 epochs, one seed.
/// </summary>
public sealed class CompactStateExperiment : IExperiment
{
    /// <inheritdoc/>
    public int Number => 19;

    /// <inheritdoc/>
    public string Id => "compact-optimizer-state";

    /// <inheritdoc/>
    public string Title => "AdamW with bfloat16 and 8-bit optimizer state";

    private static readonly string[] Precisions = ["float32", "bfloat16", "int8"];

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int epochs = context.Quick ? 2 : 10;
        int? limit = context.Quick ? 2000 : null;
        int seeds = context.Quick ? 2 : 5;
        const int batch = 128;
        var problem = TrainingProblem.Create("mnist-mlp", 256, context.DataDirectory, limit);
        int totalSteps = epochs * ((problem.Train.Count + batch - 1) / batch);
        string schedule = $"onecycle(max=3e-3, total={totalSteps})";
        static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);

        var accuracy = Precisions.ToDictionary(p => p, _ => new List<double>());
        var lossCurves = new List<Series>();
        var errorSeries = new Dictionary<string, (List<double> X, List<double> Y)>();
        var numbers = new Dictionary<string, object>();
        for (int seed = 0; seed < seeds; seed++)
        {
            foreach (string precision in Precisions)
            {
                string text = $"adamw(lr=3e-3, weight_decay=0.01, state={precision})";
                context.Log($"[{Id}] seed {seed}: {text} with {schedule}");
                var trainer = new Trainer(problem, new TrainingOptions
                {
                    Optimizer = text, Schedule = schedule, Epochs = epochs, BatchSize = batch, Seed = (ulong)(context.Seed + seed),
                });
                var losses = new List<double>();
                bool measure = seed == 0 && precision == "float32";
                var r = trainer.Run(progress: p =>
                {
                    losses.Add(p.Loss);
                    if (measure && (p.Step % 10 == 1 || p.Step == totalSteps)) MeasureErrors(trainer.Optimizer, p.Step, errorSeries);
                });
                accuracy[precision].Add(r.Status == TrainingStatus.Completed ? r.TestAccuracy : double.NaN);
                if (seed == 0) lossCurves.Add(new Series(precision, Enumerable.Range(1, losses.Count).Select(i => (double)i).ToArray(), Smooth(losses, 20)));
                numbers[$"{precision}/seed{seed}"] = new Dictionary<string, object>
                {
                    ["test_accuracy"] = r.TestAccuracy, ["test_loss"] = r.TestLoss, ["status"] = r.Status.ToString(),
                    ["state_bytes"] = trainer.Optimizer.StateByteCount,
                };
            }
        }

        string lossFigure = $"{Id}-loss";
        Plots.Save(Plots.Line($"AdamW + 1cycle on MNIST ({problem.Train.Count} images): training loss (moving average of 20 steps), seed {context.Seed}",
            "step", "training loss", lossCurves, logY: true), Path.Combine(context.OutputDirectory, lossFigure));
        string errorFigure = $"{Id}-quantization-error";
        Plots.Save(Plots.Line("Relative quantization error of the first layer's moments along the float32 run", "step", "||q(x) - x|| / ||x||",
            errorSeries.Select(e => new Series(e.Key, e.Value.X.ToArray(), e.Value.Y.ToArray())), logY: true), Path.Combine(context.OutputDirectory, errorFigure));

        double Mean(string p) => accuracy[p].Average();
        double gap = 100 * (Mean("float32") - Mean("int8"));
        var (verdict, tests, adjusted) = Decide(Points(accuracy["int8"]), Points(accuracy["bfloat16"]), Points(accuracy["float32"]));
        var rows = Precisions.Select(p => (IReadOnlyList<string>)[p, string.Join(", ", accuracy[p].Select(a => F(100 * a, "F2"))), F(100 * Mean(p), "F2")]).ToList();
        var errorRows = errorSeries.Select(e => (IReadOnlyList<string>)[e.Key, F(e.Value.Y.Average(), "E2"), F(e.Value.Y[^1], "E2")]).ToList();
        string Difference(int i) => $"{F(tests[i].Estimate, "+0.00;-0.00")} points, 95 % CI [{F(tests[i].Interval!.Value.Low, "F2")}, {F(tests[i].Interval!.Value.High, "F2")}], Holm p {F(adjusted[i], "G3")}";
        var result = new ExperimentResult
        {
            Claim = "AdamW with block-wise 8-bit state reaches the test accuracy of float32 state: not worse by more than 0.3 points (and bfloat16 state likewise).",
            Source = new ClaimSource("Dettmers, Lewis, Shleifer and Zettlemoyer, \"8-bit Optimizers via Block-wise Quantization\", ICLR 2022",
                "8-bit optimizers maintain 32-bit optimizer performance"),
            Design = $"MNIST 784-256-10 MLP, AdamW lr 3e-3, weight decay 0.01, 1cycle over {totalSteps} steps, batch {batch}, {epochs} epochs, " +
                $"{seeds} seeds from {context.Seed}; the three precisions share initialisation and data order per seed (paired). Rule, fixed in advance: non-inferiority " +
                $"with margin {Margin} points, one-sided paired t of int8 - float32 and of bfloat16 - float32 across seeds, Holm over the 2; supported iff both reject " +
                $"at 0.05; not supported iff a 95 % interval lies wholly below -{Margin}; else inconclusive.",
            Test = "paired t across seeds, one-sided non-inferiority (margin 0.3 points), Holm over the 2 compact precisions; 95 % t intervals of the paired differences",
            Summary = $"test accuracy (mean of {seeds}): float32 {F(100 * Mean("float32"), "F2")}%, bfloat16 {F(100 * Mean("bfloat16"), "F2")}%, int8 {F(100 * Mean("int8"), "F2")}%; " +
                $"int8 - float32 {Difference(0)}; bfloat16 - float32 {Difference(1)}",
            Outcome = verdict,
            Statistic = tests[adjusted[0] >= adjusted[1] ? 0 : 1].Statistic,
            PValue = Math.Max(adjusted[0], adjusted[1]),
            Interval = tests[0].Interval,
        };
        if (context.Quick) result.Departures.Add($"Quick set: {seeds} seeds, {epochs} epochs on {problem.Train.Count} images (full: 5 seeds, 10 epochs on all).");
        result.Departures.Add("The paper shows equal performance on large language and vision models over many GPU-days; this is a 200k-parameter MLP on 8,000 MNIST images, where only the first layer's weights are large enough for compact state.");
        result.Paragraphs.Add("Only tensors of at least 4,096 elements get compact state (the first layer's 200,704 weights); the biases and the 2,560 weights of the output layer keep float state, as in bitsandbytes.");
        result.Paragraphs.Add("The quantization error is measured on the float32 run's moments every 10 steps: each buffer is encoded and decoded block by block (2,048 elements, absmax), and the relative L2 error is reported for the dynamic tree map (used), the linear map, and bfloat16 rounding.");
        result.Tables.Add(new ExperimentTable("Test accuracy per state precision", ["state", "per seed (%)", "mean (%)"], rows));
        result.Tables.Add(new ExperimentTable("Relative quantization error of m and v (first layer), mean over the run and at the end", ["buffer / format", "mean", "last"], errorRows));
        result.Figures.Add(new ExperimentFigure(lossFigure + ".png", "Training loss per step (moving average of 20), one line per state precision."));
        result.Figures.Add(new ExperimentFigure(errorFigure + ".png", "Relative quantization error of m and v along the float32 run, per format."));
        result.Numbers["gap_points"] = gap;
        result.Numbers["runs"] = numbers;
        result.Numbers["quantization_error"] = errorSeries.ToDictionary(e => e.Key, e => (object)e.Value.Y.ToArray());
        return result;
    }

    /// <summary>The non-inferiority margin in accuracy points: 0.3.</summary>
    internal const double Margin = 0.3;

    private static double[] Points(List<double> accuracy) => accuracy.Select(a => 100 * a).ToArray();

    /// <summary>
    /// The pre-stated rule on per-seed test accuracies in points (paired by seed): one-sided paired t of int8 - float32 and of
    /// bfloat16 - float32 against -<see cref="Margin"/>, Holm over the two; supported iff both reject at 0.05, not supported iff a
    /// 95 % interval lies wholly below -<see cref="Margin"/>, else inconclusive.
    /// </summary>
    internal static (Verdict Verdict, TestResult[] Tests, double[] Adjusted) Decide(IReadOnlyList<double> int8, IReadOnlyList<double> bfloat16, IReadOnlyList<double> float32)
    {
        var tests = new[]
        {
            PairedTTest.Test(int8, float32, Alternative.Greater, -Margin),
            PairedTTest.Test(bfloat16, float32, Alternative.Greater, -Margin),
        };
        return OneSidedFamily.Decide(tests, -Margin);
    }

    private static void MeasureErrors(Optimizer<float> optimizer, long step, Dictionary<string, (List<double> X, List<double> Y)> into)
    {
        var state = optimizer.ParameterStates.FirstOrDefault(s => s.Length >= BlockwiseQuantization.MinimumLength && s.TryGetBuffer("exp_avg") is not null);
        if (state is null) return;
        foreach (var (buffer, signed) in new[] { ("exp_avg", true), ("exp_avg_sq", false) })
        {
            var x = state.Buffer(buffer);
            string name = buffer == "exp_avg" ? "m" : "v";
            Add($"{name} int8 dynamic", RelativeError(x, signed ? QuantizationMap.DynamicSigned : QuantizationMap.DynamicUnsigned));
            Add($"{name} int8 linear", RelativeError(x, signed ? QuantizationMap.LinearSigned : QuantizationMap.LinearUnsigned));
            double num = 0, den = 0;
            foreach (float v in x)
            {
                double d = BFloat16.ToSingle(BFloat16.FromSingle(v)) - (double)v;
                num += d * d;
                den += (double)v * v;
            }
            Add($"{name} bfloat16", den == 0 ? 0 : Math.Sqrt(num / den));
        }

        void Add(string key, double value)
        {
            if (!into.TryGetValue(key, out var s)) into[key] = s = ([], []);
            s.X.Add(step);
            s.Y.Add(value);
        }
    }

    private static double RelativeError(float[] x, QuantizationMap map)
    {
        var codes = new byte[x.Length];
        var absMax = new float[BlockwiseQuantization.BlockCount(x.Length)];
        var back = new float[x.Length];
        BlockwiseQuantization.Quantize(x, map, codes, absMax);
        BlockwiseQuantization.Dequantize(codes, absMax, map, back);
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = back[i] - (double)x[i];
            num += d * d;
            den += (double)x[i] * x[i];
        }
        return den == 0 ? 0 : Math.Sqrt(num / den);
    }

    private static double[] Smooth(List<double> values, int window)
    {
        var result = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}

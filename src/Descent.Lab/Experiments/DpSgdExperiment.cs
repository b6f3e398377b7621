using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Lab.Training;
using Descent.Losses;
using Descent.Optimizers;
using Descent.Optimizers.Aids;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 21: DP-SGD (Abadi et al., CCS 2016) on MNIST, test accuracy against the privacy budget ε at fixed δ = 1e-5. The
/// library's <see cref="DifferentiallyPrivateSgd{T}"/> and <see cref="RdpAccountant"/> train the lab's MLP: each example's
/// gradient is clipped to norm C (its norm from the dense-layer identity of <see cref="Mlp.PerExampleSquaredGradientNorms"/>,
/// the clipped sum by one backward with scaled output-gradient rows), Gaussian noise σC is added, batches are Poisson samples
/// with rate q. For each target ε the noise multiplier σ is found by bisection on the accountant for the run's exact number of
/// steps; the ε reported is the accountant's after training. Every seed runs every ε and the non-private baseline on the same
/// initialisation and the same batches (paired design).
/// </summary>
public sealed class DpSgdExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 21;

    /// <inheritdoc />
    public string Id => "dp-sgd-epsilon";

    /// <inheritdoc />
    public string Title => "DP-SGD on MNIST: accuracy vs epsilon at fixed delta";

    /// <summary>δ of every guarantee.</summary>
    public const double Delta = 1e-5;

    /// <summary>The per-example clipping norm C (Abadi et al.'s MNIST value).</summary>
    public const double ClipNorm = 4;

    /// <summary>The learning rate of the inner SGD (Abadi et al.'s initial MNIST rate, kept constant).</summary>
    public const double LearningRate = 0.1;

    /// <summary>The target budgets ε, increasing.</summary>
    public static IReadOnlyList<double> Epsilons { get; } = [1, 2, 4, 8];

    /// <summary>The sizes of one run.</summary>
    /// <param name="Hidden">Hidden units of the 784-H-10 MLP.</param>
    /// <param name="TrainLimit">Training images used (null: all).</param>
    /// <param name="TestLimit">Test images used (null: all).</param>
    /// <param name="ExpectedBatch">Expected Poisson batch size qN.</param>
    /// <param name="Epochs">Epochs; steps = Epochs / q.</param>
    public sealed record Setup(int Hidden, int? TrainLimit, int? TestLimit, int ExpectedBatch, int Epochs);

    /// <summary>What one training run measured.</summary>
    /// <param name="TestAccuracy">Final test accuracy (fraction).</param>
    /// <param name="Epsilon">The accountant's ε at δ after the run (infinite for the non-private run).</param>
    /// <param name="ClippedFraction">Fraction of the examples seen whose gradient was clipped (0 for the non-private run).</param>
    /// <param name="Steps">Optimizer steps.</param>
    public sealed record RunResult(double TestAccuracy, double Epsilon, double ClippedFraction, long Steps);

    /// <summary>
    /// The noise multiplier σ whose sampled Gaussian mechanism, run <paramref name="steps"/> times at rate q, spends
    /// <paramref name="epsilon"/> at <paramref name="delta"/> by the accountant (the smallest σ that does not exceed it, to 1e-6 relative).
    /// </summary>
    public static double NoiseFor(double epsilon, double samplingRate, long steps, double delta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        double Spent(double sigma)
        {
            var accountant = new RdpAccountant();
            accountant.Step(samplingRate, sigma, steps);
            return accountant.Epsilon(delta).Epsilon;
        }
        double low = 0.05, high = 1;
        while (Spent(high) > epsilon) { low = high; high *= 2; if (high > 1e4) throw new ArgumentException($"No noise multiplier up to 1e4 reaches epsilon {epsilon}."); }
        while (high - low > 1e-6 * high)
        {
            double mid = (low + high) / 2;
            if (Spent(mid) > epsilon) low = mid; else high = mid;
        }
        return high;
    }

    /// <summary>
    /// Trains the 784-H-10 MLP with softmax cross-entropy by SGD (rate <see cref="LearningRate"/>) on Poisson batches of rate
    /// q = ExpectedBatch / N for Epochs / q steps. With a noise multiplier: DP-SGD (clip C, noise σC, division by qN); with null: the
    /// non-private baseline (mean gradient over the batch, no clipping, no noise). The initialisation, the batches and the noise
    /// stream depend only on <paramref name="seed"/>, so runs of one seed are paired across σ.
    /// </summary>
    public static RunResult Train(Dataset train, Dataset test, Setup setup, double? noiseMultiplier, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(setup);
        int n = train.Count, features = train.FeatureCount, classes = train.ClassCount;
        double q = (double)setup.ExpectedBatch / n;
        long steps = (long)Math.Round(setup.Epochs / q);
        const int MaxBatch = 1024;
        var model = new Mlp([features, setup.Hidden, classes], MaxBatch, SeededRandom.Hash(seed, 21, 1)) { MaxDegreeOfParallelism = 1 };
        var sgd = Optim.Sgd<float>(LearningRate);
        sgd.MaxDegreeOfParallelism = 1;
        sgd.AddGroup(model.Parameters.Select(p => new Descent.Optimizers.Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
        DifferentiallyPrivateSgd<float>? dp = noiseMultiplier is { } sigma
            ? new DifferentiallyPrivateSgd<float>(sgd, ClipNorm, sigma, setup.ExpectedBatch, n, seed: (int)(SeededRandom.Hash(seed, 21, 3) & int.MaxValue))
            : null;
        var loss = new SoftmaxCrossEntropy<float>(Reduction.Sum) { MaxDegreeOfParallelism = 1 };
        var sampling = new SeededRandom(SeededRandom.Hash(seed, 21, 2));
        var indices = new int[MaxBatch];
        var x = new float[MaxBatch * features];
        var labels = new int[MaxBatch];
        var outputGradient = new float[MaxBatch * classes];
        var squaredNorms = new double[MaxBatch];
        long seen = 0, clipped = 0;
        for (long t = 0; t < steps; t++)
        {
            int b = 0;
            for (int i = 0; i < n; i++)
            {
                if (sampling.NextDouble() >= q) continue;
                if (b == MaxBatch) throw new InvalidOperationException($"A Poisson batch exceeded {MaxBatch} examples (expected {setup.ExpectedBatch}).");
                indices[b++] = i;
            }
            seen += b;
            if (b == 0)
            {
                // An empty Poisson batch: the clipped sum is zero; DP-SGD still adds noise and steps, the baseline skips.
                Array.Clear(model.Gradients);
                dp?.StepFromClippedSum();
                continue;
            }
            train.Gather(indices.AsSpan(0, b), x.AsSpan(0, b * features), labels.AsSpan(0, b));
            var logits = model.Forward(x, b);
            Span<float> g = outputGradient.AsSpan(0, b * classes);
            loss.Evaluate(logits, labels.AsSpan(0, b), classes, g);
            if (dp is null)
            {
                float scale = 1f / b;
                for (int i = 0; i < g.Length; i++) g[i] *= scale;
                model.Backward(g);
                sgd.Step();
                continue;
            }
            model.PerExampleSquaredGradientNorms(g, squaredNorms);
            int clippedHere = 0;
            for (int e = 0; e < b; e++)
            {
                double factor = DifferentiallyPrivateSgd<float>.ClipFactor(Math.Sqrt(squaredNorms[e]), ClipNorm);
                if (factor >= 1) continue;
                clippedHere++;
                foreach (ref float v in g.Slice(e * classes, classes)) v = (float)(v * factor);
            }
            clipped += clippedHere;
            model.Backward(g);
            dp.StepFromClippedSum(clippedHere);
        }
        double accuracy = model.Accuracy(test);
        double epsilon = dp is null ? double.PositiveInfinity : dp.Epsilon(Delta);
        return new RunResult(accuracy, epsilon, seen == 0 ? 0 : (double)clipped / seen, steps);
    }

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var c = CultureInfo.InvariantCulture;
        var setup = context.Quick ? new Setup(16, 1000, 500, 10, 1) : new Setup(100, null, null, 80, 15);
        int seedCount = context.Quick ? 3 : 5;
        const double Alpha = 0.05;
        var (train, test) = Mnist.LoadDirectory(context.DataDirectory);
        if (setup.TrainLimit is { } tl && tl < train.Count) train = Head(train, tl);
        if (setup.TestLimit is { } sl && sl < test.Count) test = Head(test, sl);
        double q = (double)setup.ExpectedBatch / train.Count;
        long steps = (long)Math.Round(setup.Epochs / q);
        double[] sigmas = Epsilons.Select(e => NoiseFor(e, q, steps, Delta)).ToArray();
        context.Log(string.Create(c, $"{Id}: 784-{setup.Hidden}-10, N = {train.Count}, q = {q:G3}, {steps} steps, sigma {string.Join(", ", sigmas.Select(s => s.ToString("F3", c)))} for epsilon {string.Join(", ", Epsilons)}; {seedCount} seeds"));

        int levels = Epsilons.Count;
        var accuracy = new double[levels + 1][]; // last: non-private
        var spent = new double[levels][];
        var clippedFraction = new double[levels][];
        for (int k = 0; k <= levels; k++) accuracy[k] = new double[seedCount];
        for (int k = 0; k < levels; k++) { spent[k] = new double[seedCount]; clippedFraction[k] = new double[seedCount]; }
        for (int s = 0; s < seedCount; s++)
        {
            ulong seed = SeededRandom.Hash((ulong)context.Seed, (ulong)s, 21);
            for (int k = 0; k <= levels; k++)
            {
                var r = Train(train, test, setup, k < levels ? sigmas[k] : null, seed);
                accuracy[k][s] = 100 * r.TestAccuracy;
                if (k < levels) { spent[k][s] = r.Epsilon; clippedFraction[k][s] = r.ClippedFraction; }
                context.Log(string.Create(c, $"{Id}: seed {s}, {(k < levels ? $"epsilon {Epsilons[k]}" : "non-private")}: test accuracy {accuracy[k][s]:F2} %"));
            }
        }

        // Adjacent comparisons: acc(eps_{k+1}) - acc(eps_k), one-sided paired t, Holm over the 3; the two-sided 95 % intervals reported.
        var adjacent = Enumerable.Range(0, levels - 1).Select(k => PairedTTest.Test(accuracy[k + 1], accuracy[k], Alternative.Greater)).ToArray();
        var adjacentTwoSided = Enumerable.Range(0, levels - 1).Select(k => PairedTTest.Test(accuracy[k + 1], accuracy[k])).ToArray();
        double[] holm = Holm.Adjust(adjacent.Select(t => t.PValue).ToArray());
        var rankX = new List<double>();
        var rankY = new List<double>();
        for (int k = 0; k < levels; k++) foreach (double a in accuracy[k]) { rankX.Add(Epsilons[k]); rankY.Add(a); }
        var spearman = Spearman.Test(rankX, rankY);
        double trendP = double.IsNaN(spearman.PValue) ? double.NaN : spearman.Statistic > 0 ? spearman.PValue / 2 : 1 - spearman.PValue / 2;
        var gap = PairedTTest.Test(accuracy[levels], accuracy[levels - 1]);
        int weakest = Enumerable.Range(0, levels - 1).OrderByDescending(k => holm[k]).First();
        bool allSteps = holm.All(p => p < Alpha);
        Verdict verdict = allSteps ? Verdict.Supported : !(trendP < Alpha) ? Verdict.NotSupported : Verdict.Inconclusive;

        var means = accuracy.Select(a => a.Average()).ToArray();
        var intervals = accuracy.Select(a => PairedTTest.MeanInterval(a)).ToArray();
        var epsilonSpent = spent.Select(e => e.Average()).ToArray();
        string file = Path.Combine(context.OutputDirectory, Id);
        var plot = Plots.Line($"DP-SGD, MNIST 784-{setup.Hidden}-10, delta 1e-5, {seedCount} seeds",
            "epsilon spent (log scale)", "test accuracy (%), mean and 95 % t interval", [new Series("DP-SGD", epsilonSpent, means.Take(levels).ToArray())], logX: true);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double e in epsilonSpent) ticks.AddMajor(Math.Log10(e), e.ToString("G3", c));
        plot.Axes.Bottom.TickGenerator = ticks;
        Plots.Band(plot, epsilonSpent.Select(Math.Log10).ToArray(), intervals.Take(levels).Select(i => i.Low).ToArray(),
            intervals.Take(levels).Select(i => i.High).ToArray(), Plots.Palette(0), "95 % t interval over seeds");
        var baseline = plot.Add.HorizontalLine(means[levels]);
        baseline.Color = Plots.Palette(3);
        baseline.LegendText = string.Create(c, $"non-private SGD {means[levels]:F2} % [{intervals[levels].Low:F2}, {intervals[levels].High:F2}]");
        Plots.Save(plot, file, 1000, 600);
        ResultsFiles.WriteCsv(file + ".csv", ["target_epsilon", "epsilon_spent", "sigma", "mean_accuracy", "low", "high"],
            [Epsilons.ToArray(), epsilonSpent, sigmas, means.Take(levels).ToArray(), intervals.Take(levels).Select(i => i.Low).ToArray(), intervals.Take(levels).Select(i => i.High).ToArray()]);

        string Step(int k) => string.Create(c, $"{Epsilons[k]}->{Epsilons[k + 1]} {adjacentTwoSided[k].Estimate:+0.00;-0.00} (Holm p {holm[k]:G3})");
        var result = new ExperimentResult
        {
            Claim = "Under DP-SGD at fixed delta = 1e-5, the test accuracy of an MNIST network increases with the privacy budget epsilon, and at the largest epsilon it approaches non-private training.",
            Summary = string.Create(c, $"mean test accuracy (%) at epsilon {string.Join(", ", Epsilons)}: {string.Join(", ", means.Take(levels).Select(m => m.ToString("F2", c)))}; non-private {means[levels]:F2}; ")
                + $"steps {string.Join("; ", Enumerable.Range(0, levels - 1).Select(Step))}; "
                + string.Create(c, $"Spearman rho {spearman.Statistic:F2} (one-sided p {trendP:G3}); gap non-private - epsilon {Epsilons[^1]}: {gap.Estimate:F2} points, 95 % CI {gap.Interval!.Value.ToString("F2")}"),
            Outcome = verdict,
            Source = new ClaimSource("Abadi, Chu, Goodfellow, McMahan, Mironov, Talwar, Zhang, \"Deep Learning with Differential Privacy\", ACM CCS 2016, section 5.2 (MNIST)",
                "we can achieve 90%, 95%, and 97% test set accuracy for (0.5, 10^-5), (2, 10^-5), and (8, 10^-5)-differential privacy respectively"),
            Design = string.Create(c, $"MNIST-10k: {train.Count} training and {test.Count} test images (pixels in [0, 1]); 784-{setup.Hidden}-10 ReLU MLP, He initialisation; softmax cross-entropy; SGD at rate {LearningRate} (constant); ")
                + string.Create(c, $"Poisson batches with q = {setup.ExpectedBatch}/{train.Count} = {q:G3} (expected batch {setup.ExpectedBatch}), {steps} steps ({setup.Epochs} epochs in expectation). ")
                + string.Create(c, $"DP-SGD: per-example clipping to C = {ClipNorm}, Gaussian noise sigma*C per coordinate, sum divided by the expected batch; sigma for each target epsilon in {{{string.Join(", ", Epsilons)}}} at delta = {Delta:G} found by bisection on the RDP accountant (integer orders 2-256 and 512, classic conversion) for exactly {steps} steps; ")
                + $"the epsilon reported is the accountant's after the run. Baseline: the same SGD, batches and initialisation, no clipping or noise, mean gradient. {seedCount} seeds; each seed runs all 5 arms on the same initialisation, batches and noise stream (paired). Metric: final test accuracy (%). "
                + $"Rule (alpha {Alpha}): paired t, one-sided, of acc(eps_(k+1)) > acc(eps_k) for the 3 adjacent pairs, Holm-corrected; supported if all 3 are significant; not supported if the one-sided Spearman trend over the 4 private levels (all seeds pooled) is not significant; otherwise inconclusive. "
                + "The gap non-private minus the largest epsilon is reported with its paired 95 % t interval (no threshold).",
            Test = $"paired t (one-sided), Holm over 3 adjacent pairs; Spearman rho (SciPy t approximation, one-sided) over {levels * seedCount} private runs; paired t (two-sided) for the gap",
            Statistic = adjacent[weakest].Statistic,
            PValue = holm[weakest],
            Interval = adjacentTwoSided[weakest].Interval,
        };
        result.Departures.Add($"Abadi et al. train a 1000-unit network on a differentially private 60-dimensional PCA projection of all 60,000 images with lots of 600 for up to hundreds of epochs; here a 784-{setup.Hidden}-10 MLP on raw pixels, {train.Count} images, {setup.Epochs} epochs, so absolute accuracies are lower and the claim tested is the trend, not their numbers.");
        result.Departures.Add("The learning rate is constant (theirs decays from 0.1 to 0.052 over 10 epochs); the sampling rate q = 0.01 equals theirs (600 / 60,000).");
        result.Departures.Add("The accountant uses integer RDP orders and the classic RDP-to-(epsilon, delta) conversion (Mironov 2017), an upper bound of the moments accountant's epsilon; the noise is from a seeded, non-cryptographic generator (reproducible runs, not a deployable guarantee).");
        if (context.Quick) result.Departures.Add("Quick set: 1,000 training and 500 test images, hidden 16, expected batch 10, 1 epoch, 3 seeds; reported inconclusive whatever its rule gives.");
        result.Paragraphs.Add("Per-example clipping without per-example gradients: for a dense layer, example e's weight gradient is the outer product delta_e a_e^T, whose norm is |delta_e| |a_e|; the squared norms summed over layers (biases: |delta_e|^2) give each example's gradient norm after one backward of the deltas, and scaling example e's output-gradient row by its clip factor and running the ordinary backward gives the sum of the clipped gradients (the lab's test checks both against batches of one).");
        result.Tables.Add(new ExperimentTable("Per arm: noise multiplier, epsilon spent (accountant), fraction of clipped example gradients, mean test accuracy (%) with 95 % t interval over seeds",
            ["arm", "sigma", "epsilon spent", "clipped", "mean accuracy", "95 % interval", "per seed"],
            Enumerable.Range(0, levels + 1).Select(k => (IReadOnlyList<string>)[
                k < levels ? string.Create(c, $"epsilon {Epsilons[k]}") : "non-private",
                k < levels ? sigmas[k].ToString("F4", c) : "0",
                k < levels ? epsilonSpent[k].ToString("F4", c) : "inf",
                k < levels ? clippedFraction[k].Average().ToString("F3", c) : "-",
                means[k].ToString("F2", c), intervals[k].ToString("F2"), string.Join(" ", accuracy[k].Select(a => a.ToString("F2", c)))]).ToArray()));
        result.Tables.Add(new ExperimentTable("Adjacent epsilons: paired difference in test accuracy (points), two-sided 95 % interval, one-sided p and Holm-adjusted p",
            ["step", "difference", "95 % interval", "t", "p (one-sided)", "p (Holm)"],
            Enumerable.Range(0, levels - 1).Select(k => (IReadOnlyList<string>)[
                string.Create(c, $"{Epsilons[k]} -> {Epsilons[k + 1]}"), adjacentTwoSided[k].Estimate.ToString("F2", c), adjacentTwoSided[k].Interval!.Value.ToString("F2"),
                adjacent[k].Statistic.ToString("F2", c), adjacent[k].PValue.ToString("G3", c), holm[k].ToString("G3", c)]).ToArray()));
        result.Figures.Add(new ExperimentFigure(Id + ".png", "Mean test accuracy against the epsilon spent (log scale) with the 95 % t interval over seeds; the horizontal line is non-private SGD on the same batches."));
        result.Numbers["epsilons"] = Epsilons.ToArray();
        result.Numbers["epsilon_spent"] = epsilonSpent;
        result.Numbers["sigmas"] = sigmas;
        result.Numbers["delta"] = Delta;
        result.Numbers["steps"] = steps;
        result.Numbers["sampling_rate"] = q;
        result.Numbers["accuracy"] = accuracy.Take(levels).ToArray();
        result.Numbers["accuracy_non_private"] = accuracy[levels];
        result.Numbers["clipped_fraction"] = clippedFraction;
        result.Numbers["p_holm_adjacent"] = holm;
        result.Numbers["spearman_rho"] = spearman.Statistic;
        result.Numbers["spearman_p_one_sided"] = trendP;
        result.Numbers["gap_non_private"] = gap.Estimate;
        result.Numbers["gap_interval"] = new[] { gap.Interval!.Value.Low, gap.Interval!.Value.High };
        return result;
    }

    private static Dataset Head(Dataset d, int count)
        => new(d.Name, d.Features.AsSpan(0, count * d.FeatureCount).ToArray(), d.FeatureCount, d.Labels!.AsSpan(0, count).ToArray(), d.ClassCount, null);
}

using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Lab.Reports;
using Descent.Lab.Statistics;
using Descent.Losses;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 17: a 2-D embedding of MNIST digits learned with the contrastive loss (pairs, Y=0 similar, Y=1 dissimilar)
/// and with the triplet loss under online batch-hard mining, compared before and after training by the accuracy of a
/// 5-nearest-neighbour classifier in the embedding and by scatter plots coloured by digit.
/// </summary>
public sealed class EmbeddingExperiment : IExperiment
{
    private const int Dimension = 2;
    private const int BatchSize = 128;
    private const int Neighbours = 5;

    public int Number => 17;
    public string Id => "metric-embedding";
    public string Title => "Contrastive and triplet training of a 2-D embedding of MNIST";

    /// <summary>The gain in 5-NN accuracy (after minus before, as a fraction) that counts as "far more often": 5 points.</summary>
    internal const double RequiredGain = 0.05;

    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (train, test) = Mnist.LoadDirectory(context.DataDirectory);
        int trainCount = context.Quick ? 2000 : train.Count, testCount = context.Quick ? 1000 : test.Count;
        int epochs = context.Quick ? 10 : 20, hidden = context.Quick ? 64 : 128, seeds = context.Quick ? 2 : 5;
        context.Log($"{Id}: 784-{hidden}-{Dimension} MLP, {trainCount} training images, {epochs} epochs per loss, {seeds} seeds");

        string[] losses = ["contrastive", "triplet, batch-all"];
        var before = new double[seeds];
        var after = new[] { new double[seeds], new double[seeds] };
        var mcNemarRows = new List<IReadOnlyList<string>>();
        var c = CultureInfo.InvariantCulture;
        var figures = new List<ExperimentFigure>();
        for (int s = 0; s < seeds; s++)
        {
            int seed = context.Seed + s;
            // The same initial network (seed) starts both losses: the before/after comparison is paired per seed and per image.
            var initial = new Mlp([train.FeatureCount, hidden, Dimension], BatchSize, (ulong)seed);
            var initialTest = Embed(initial, test, testCount);
            var correctBefore = KnnCorrect(Embed(initial, train, trainCount), train.Labels!, initialTest, test.Labels!);
            before[s] = Fraction(correctBefore);
            var trained = new[]
            {
                Train(seed, train, trainCount, hidden, epochs, useTriplet: false),
                Train(seed, train, trainCount, hidden, epochs, useTriplet: true),
            };
            var trainedTest = new float[2][];
            for (int l = 0; l < 2; l++)
            {
                trainedTest[l] = Embed(trained[l], test, testCount);
                var correct = KnnCorrect(Embed(trained[l], train, trainCount), train.Labels!, trainedTest[l], test.Labels!);
                after[l][s] = Fraction(correct);
                var (onlyAfter, onlyBefore) = McNemar.Discordant(correct, correctBefore);
                var exact = McNemar.Exact(onlyAfter, onlyBefore, Alternative.Greater, testCount);
                mcNemarRows.Add([seed.ToString(c), losses[l], onlyAfter.ToString(c), onlyBefore.ToString(c), exact.PValue.ToString("G3", c)]);
            }
            context.Log(string.Create(c, $"{Id}: seed {seed}: before {before[s]:P1}, contrastive {after[0][s]:P1}, triplet {after[1][s]:P1}"));
            if (s > 0) continue;
            var names = Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();
            var labels = test.Labels!.AsSpan(0, testCount).ToArray();
            foreach (var (suffix, embedding, caption) in new[]
            {
                ("before", initialTest, $"before training (seed {seed}, 5-NN accuracy {before[s]:P1})"),
                ("contrastive", trainedTest[0], $"contrastive loss (seed {seed}, 5-NN accuracy {after[0][s]:P1})"),
                ("triplet", trainedTest[1], $"triplet loss, batch-all mining (seed {seed}, 5-NN accuracy {after[1][s]:P1})"),
            })
            {
                var plot = Plots.Scatter($"MNIST test digits in 2-D: {caption}", "z1", "z2",
                    Column(embedding, 0), Column(embedding, 1), labels, names);
                string file = $"{Id}-{suffix}";
                Plots.Save(plot, Path.Combine(context.OutputDirectory, file));
                figures.Add(new ExperimentFigure(file + ".png", caption));
            }
        }

        var gains = new[] { Gains(after[0], before), Gains(after[1], before) };
        var (verdict, tests, adjusted) = Decide(gains);
        int weakest = adjusted[0] >= adjusted[1] ? 0 : 1;
        var result = new ExperimentResult
        {
            Claim = "Training an embedding with the contrastive or the triplet loss pulls same-digit images together and pushes " +
                    "different digits apart, so nearest neighbours in the learned 2-D space share labels far more often than at initialization.",
            Summary = string.Create(c, $"5-NN accuracy in 2-D, mean over {seeds} seeds: before {before.Average():P1}, contrastive {after[0].Average():P1} " +
                $"(gain {gains[0].Average() * 100:F1} points, 95 % CI [{tests[0].Interval!.Value.Low * 100:F1}, {tests[0].Interval!.Value.High * 100:F1}], Holm p {adjusted[0]:G3}), " +
                $"triplet (batch-all) {after[1].Average():P1} (gain {gains[1].Average() * 100:F1} points, 95 % CI [{tests[1].Interval!.Value.Low * 100:F1}, {tests[1].Interval!.Value.High * 100:F1}], Holm p {adjusted[1]:G3})"),
            Outcome = verdict,
            Source = new ClaimSource("The course's lecture on metric learning (contrastive and triplet losses)",
                "The contrastive loss pulls similar pairs together and pushes dissimilar ones apart beyond a margin; the triplet loss asks each anchor to be closer to a positive than to a negative by a margin."),
            Design = $"{seeds} seeds; per seed one initial 784-{hidden}-{Dimension} MLP, trained once by each loss from that same start. Metric: 5-NN accuracy of the " +
                $"{testCount} test embeddings (neighbours among the {trainCount} training embeddings) before and after training. \"Far more often\" is fixed as a gain " +
                $"above {RequiredGain * 100:F0} points. Rule: per loss a one-sided paired t-test across seeds of H0: gain <= {RequiredGain * 100:F0} points, Holm over the two losses; " +
                $"supported iff both reject at 0.05; not supported iff for some loss the whole 95 % interval of the gain lies below {RequiredGain * 100:F0} points; else inconclusive.",
            Test = "paired t-test across seeds on the accuracy gain (one-sided, margin 5 points), Holm over the 2 losses; per seed and loss an exact one-sided McNemar test of the same test images before vs after (reported)",
            Statistic = tests[weakest].Statistic,
            PValue = adjusted[weakest],
            Interval = tests[weakest].Interval,
        };
        if (context.Quick) result.Departures.Add($"Quick set: {seeds} seeds, {trainCount} training and {testCount} test images, {epochs} epochs, hidden width {hidden} (full: 5 seeds, all images, 20 epochs, width 128).");
        result.Departures.Add("The lecture states the mechanism, not a number; the 5-point threshold and the 5-NN probe in two dimensions are this experiment's choices.");
        result.Paragraphs.Add(string.Create(c,
            $"A 784-{hidden}-{Dimension} MLP maps each image to a point in the plane. Contrastive: each mini-batch of {BatchSize} is split " +
            $"into {BatchSize / 2} pairs (Y = 0 for the same digit, 1 otherwise, margin 2). Triplet: batch-all mining inside each mini-batch " +
            $"(every valid triplet with a positive loss, margin 1; batch-hard collapses from a random start here). Both use Adam (lr 1e-3) for {epochs} epochs on {trainCount} images. " +
            $"The 5-NN classifier uses the training images' embeddings and is scored on {testCount} test images. The scatter plots show the first seed."));
        var rows = new List<IReadOnlyList<string>> { new[] { "initial (untrained)", before.Average().ToString("P1", c), "", "" } };
        for (int l = 0; l < 2; l++)
            rows.Add([losses[l], after[l].Average().ToString("P1", c),
                string.Create(c, $"{gains[l].Average() * 100:F1} [{tests[l].Interval!.Value.Low * 100:F1}, {tests[l].Interval!.Value.High * 100:F1}]"),
                adjusted[l].ToString("G3", c)]);
        result.Tables.Add(new ExperimentTable($"k-nearest-neighbour (k = 5) accuracy in the 2-D embedding, mean over {seeds} seeds",
            ["embedding", "test accuracy", "gain in points, 95 % t interval", "p (gain > 5 points, Holm)"], rows));
        result.Tables.Add(new ExperimentTable("Per seed: test images right only after training vs only before (exact one-sided McNemar)",
            ["seed", "loss", "right only after", "right only before", "p"], mcNemarRows));
        result.Figures.AddRange(figures);
        result.Numbers["seeds"] = seeds;
        result.Numbers["knn_accuracy_before"] = before;
        result.Numbers["knn_accuracy_contrastive"] = after[0];
        result.Numbers["knn_accuracy_triplet"] = after[1];
        result.Numbers["p_holm"] = adjusted;
        result.Numbers["train_images"] = trainCount;
        result.Numbers["epochs"] = epochs;
        return result;
    }

    /// <summary>
    /// The pre-stated rule over the per-seed gains of the two losses: one-sided paired t-tests of gain &gt; <see cref="RequiredGain"/>,
    /// Holm-adjusted; supported iff both reject at 0.05, not supported iff some loss's 95 % interval lies wholly below the threshold.
    /// </summary>
    internal static (Verdict Verdict, TestResult[] Tests, double[] Adjusted) Decide(IReadOnlyList<double>[] gains)
    {
        var tests = gains.Select(g => PairedTTest.OneSample(g, Alternative.Greater, RequiredGain)).ToArray();
        return OneSidedFamily.Decide(tests, RequiredGain);
    }

    private static double[] Gains(double[] after, double[] before) => after.Select((a, i) => a - before[i]).ToArray();

    private static double Fraction(bool[] correct) => correct.Length == 0 ? 0 : (double)correct.Count(x => x) / correct.Length;

    private static Mlp Train(int seed, Dataset train, int count, int hidden, int epochs, bool useTriplet)
    {
        var model = new Mlp([train.FeatureCount, hidden, Dimension], BatchSize, (ulong)seed);
        var optimizer = Optim.Adam<float>(learningRate: 1e-3);
        optimizer.AddGroup(model.Parameters.Select(p => new Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
        var mining = new TripletMining<float>(TripletMiningStrategy.BatchAll, margin: 1.0);
        var pairs = new Contrastive<float>(margin: 2.0);
        var random = new SeededRandom((ulong)seed + (useTriplet ? 2UL : 1UL));
        var order = Enumerable.Range(0, count).ToArray();
        var features = new float[BatchSize * train.FeatureCount];
        var labels = new int[BatchSize];
        var gradient = new float[BatchSize * Dimension];
        var pairLabels = new float[BatchSize / 2];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (int start = 0; start + BatchSize <= count; start += BatchSize)
            {
                train.Gather(order.AsSpan(start, BatchSize), features, labels);
                var embedding = model.Forward(features, BatchSize);
                if (useTriplet)
                {
                    mining.Evaluate(embedding, labels, Dimension, gradient);
                }
                else
                {
                    int half = BatchSize / 2 * Dimension;
                    for (int k = 0; k < BatchSize / 2; k++) pairLabels[k] = labels[k] == labels[k + BatchSize / 2] ? 0f : 1f;
                    pairs.Evaluate(embedding[..half], embedding[half..], pairLabels, Dimension, gradient.AsSpan(0, half), gradient.AsSpan(half));
                }
                model.Backward(gradient);
                optimizer.Step();
            }
        }
        return model;
    }

    private static float[] Embed(Mlp model, Dataset data, int count)
    {
        var result = new float[count * Dimension];
        var features = new float[BatchSize * data.FeatureCount];
        for (int start = 0; start < count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, count - start);
            data.Features.AsSpan(start * data.FeatureCount, n * data.FeatureCount).CopyTo(features);
            model.Forward(features, n).CopyTo(result.AsSpan(start * Dimension));
        }
        return result;
    }

    /// <summary>Accuracy of a k-nearest-neighbour vote (ties go to the nearest neighbour's label).</summary>
    internal static double KnnAccuracy(float[] reference, int[] referenceLabels, float[] queries, int[] queryLabels) =>
        Fraction(KnnCorrect(reference, referenceLabels, queries, queryLabels));

    /// <summary>Per query, whether a k-nearest-neighbour vote (ties go to the nearest neighbour's label) gives its label.</summary>
    internal static bool[] KnnCorrect(float[] reference, int[] referenceLabels, float[] queries, int[] queryLabels)
    {
        int references = reference.Length / Dimension, count = queries.Length / Dimension;
        var correct = new bool[count];
        var nearest = new (float Distance, int Label)[Neighbours];
        var votes = new int[10];
        for (int q = 0; q < count; q++)
        {
            Array.Fill(nearest, (float.PositiveInfinity, -1));
            float qx = queries[2 * q], qy = queries[2 * q + 1];
            for (int r = 0; r < references; r++)
            {
                float dx = reference[2 * r] - qx, dy = reference[2 * r + 1] - qy, d = dx * dx + dy * dy;
                if (d >= nearest[^1].Distance) continue;
                int k = Neighbours - 1;
                while (k > 0 && nearest[k - 1].Distance > d) { nearest[k] = nearest[k - 1]; k--; }
                nearest[k] = (d, referenceLabels[r]);
            }
            Array.Clear(votes);
            foreach (var (_, label) in nearest) if (label >= 0) votes[label]++;
            int best = nearest[0].Label;
            for (int d = 0; d < 10; d++) if (votes[d] > votes[best]) best = d;
            correct[q] = best == queryLabels[q];
        }
        return correct;
    }

    private static double[] Column(float[] embedding, int column)
    {
        var values = new double[embedding.Length / Dimension];
        for (int i = 0; i < values.Length; i++) values[i] = embedding[Dimension * i + column];
        return values;
    }
}

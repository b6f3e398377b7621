using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Lab.Reports;
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

    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (train, test) = Mnist.LoadDirectory(context.DataDirectory);
        int trainCount = context.Quick ? 2000 : train.Count, testCount = context.Quick ? 1000 : test.Count;
        int epochs = context.Quick ? 10 : 20, hidden = context.Quick ? 64 : 128;
        context.Log($"{Id}: 784-{hidden}-{Dimension} MLP, {trainCount} training images, {epochs} epochs per loss");

        var initial = new Mlp([train.FeatureCount, hidden, Dimension], BatchSize, (ulong)context.Seed);
        var before = Embed(initial, test, testCount);
        var beforeTrain = Embed(initial, train, trainCount);
        double accuracyBefore = KnnAccuracy(beforeTrain, train.Labels!, before, test.Labels!);

        var contrastive = Train(context, train, trainCount, hidden, epochs, useTriplet: false);
        var triplet = Train(context, train, trainCount, hidden, epochs, useTriplet: true);
        double accuracyContrastive = KnnAccuracy(Embed(contrastive, train, trainCount), train.Labels!, Embed(contrastive, test, testCount), test.Labels!);
        double accuracyTriplet = KnnAccuracy(Embed(triplet, train, trainCount), train.Labels!, Embed(triplet, test, testCount), test.Labels!);

        var names = Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();
        var labels = test.Labels!.AsSpan(0, testCount).ToArray();
        var figures = new List<ExperimentFigure>();
        foreach (var (suffix, embedding, caption) in new[]
        {
            ("before", before, $"before training (5-NN accuracy {accuracyBefore:P1})"),
            ("contrastive", Embed(contrastive, test, testCount), $"contrastive loss (5-NN accuracy {accuracyContrastive:P1})"),
            ("triplet", Embed(triplet, test, testCount), $"triplet loss, batch-all mining (5-NN accuracy {accuracyTriplet:P1})"),
        })
        {
            var plot = Plots.Scatter($"MNIST test digits in 2-D: {caption}", "z1", "z2",
                Column(embedding, 0), Column(embedding, 1), labels, names);
            string file = $"{Id}-{suffix}";
            Plots.Save(plot, Path.Combine(context.OutputDirectory, file));
            figures.Add(new ExperimentFigure(file + ".png", caption));
        }

        var c = CultureInfo.InvariantCulture;
        bool supported = accuracyContrastive > accuracyBefore + 0.05 && accuracyTriplet > accuracyBefore + 0.05;
        var result = new ExperimentResult
        {
            Claim = "Training an embedding with the contrastive or the triplet loss pulls same-digit images together and pushes " +
                    "different digits apart, so nearest neighbours in the learned 2-D space share labels far more often than at initialization.",
            Summary = string.Create(c, $"5-NN accuracy in 2-D: before {accuracyBefore:P1}, contrastive {accuracyContrastive:P1}, triplet (batch-all) {accuracyTriplet:P1}"),
            Supported = supported,
            Source = new ClaimSource("The course's lecture on metric learning (contrastive and triplet losses)",
                "The contrastive loss pulls similar pairs together and pushes dissimilar ones apart beyond a margin; the triplet loss asks each anchor to be closer to a positive than to a negative by a margin."),
            Design = "A 2-D embedding MLP on MNIST trained by each loss; metric: 5-NN accuracy of the test embeddings before and after training. Rule: supported iff both losses raise the 5-NN accuracy by more than 5 points.",
            Test = "one seed; the gains are compared with a fixed 5-point threshold (no test across seeds)",
        };
        result.Paragraphs.Add(string.Create(c,
            $"A 784-{hidden}-{Dimension} MLP maps each image to a point in the plane. Contrastive: each mini-batch of {BatchSize} is split " +
            $"into {BatchSize / 2} pairs (Y = 0 for the same digit, 1 otherwise, margin 2). Triplet: batch-all mining inside each mini-batch " +
            $"(every valid triplet with a positive loss, margin 1; batch-hard collapses from a random start here). Both use Adam (lr 1e-3) for {epochs} epochs on {trainCount} images. " +
            $"The 5-NN classifier uses the training images' embeddings and is scored on {testCount} test images."));
        result.Tables.Add(new ExperimentTable("k-nearest-neighbour (k = 5) accuracy in the 2-D embedding",
            ["embedding", "test accuracy"],
            [
                ["initial (untrained)", accuracyBefore.ToString("P1", c)],
                ["contrastive", accuracyContrastive.ToString("P1", c)],
                ["triplet, batch-all", accuracyTriplet.ToString("P1", c)],
            ]));
        result.Figures.AddRange(figures);
        result.Numbers["knn_accuracy_before"] = accuracyBefore;
        result.Numbers["knn_accuracy_contrastive"] = accuracyContrastive;
        result.Numbers["knn_accuracy_triplet"] = accuracyTriplet;
        result.Numbers["train_images"] = trainCount;
        result.Numbers["epochs"] = epochs;
        return result;
    }

    private static Mlp Train(ExperimentContext context, Dataset train, int count, int hidden, int epochs, bool useTriplet)
    {
        var model = new Mlp([train.FeatureCount, hidden, Dimension], BatchSize, (ulong)context.Seed);
        var optimizer = Optim.Adam<float>(learningRate: 1e-3);
        optimizer.AddGroup(model.Parameters.Select(p => new Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
        var mining = new TripletMining<float>(TripletMiningStrategy.BatchAll, margin: 1.0);
        var pairs = new Contrastive<float>(margin: 2.0);
        var random = new SeededRandom((ulong)context.Seed + (useTriplet ? 2UL : 1UL));
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
    internal static double KnnAccuracy(float[] reference, int[] referenceLabels, float[] queries, int[] queryLabels)
    {
        int references = reference.Length / Dimension, count = queries.Length / Dimension, correct = 0;
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
            if (best == queryLabels[q]) correct++;
        }
        return count == 0 ? 0 : (double)correct / count;
    }

    private static double[] Column(float[] embedding, int column)
    {
        var values = new double[embedding.Length / Dimension];
        for (int i = 0; i < values.Length; i++) values[i] = embedding[Dimension * i + column];
        return values;
    }
}

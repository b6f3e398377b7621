using Descent.Lab.Data;
using Descent.Lab.Experiments;

namespace Descent.Lab.Tests.Experiments;

public class EmbeddingExperimentTests
{
    [Fact]
    public void KnnAccuracyVotesAmongTheFiveNearest()
    {
        // Reference points: five of label 1 near the origin, five of label 2 near (10, 10).
        var reference = new float[20];
        var labels = new int[10];
        for (int i = 0; i < 5; i++) { reference[2 * i] = i * 0.1f; labels[i] = 1; }
        for (int i = 5; i < 10; i++) { reference[2 * i] = 10 + i * 0.1f; reference[2 * i + 1] = 10; labels[i] = 2; }
        float[] queries = [0.2f, 0.1f, 9.9f, 10.2f];
        Assert.Equal(1.0, EmbeddingExperiment.KnnAccuracy(reference, labels, queries, [1, 2]));
        Assert.Equal(0.5, EmbeddingExperiment.KnnAccuracy(reference, labels, queries, [1, 1]));
    }

    [Fact]
    public void QuickRunLearnsAnEmbeddingWhereNeighboursShareDigits()
    {
        string dir = Directory.CreateTempSubdirectory("embedding").FullName;
        var context = new ExperimentContext(dir, Mnist.FindDefaultDirectory(), Quick: true, Seed: 0, Log: _ => { });
        var result = new EmbeddingExperiment().Run(context);
        var before = (double[])result.Numbers["knn_accuracy_before"];
        var contrastive = (double[])result.Numbers["knn_accuracy_contrastive"];
        var triplet = (double[])result.Numbers["knn_accuracy_triplet"];
        Assert.Equal(2, before.Length);
        for (int s = 0; s < before.Length; s++)
        {
            Assert.True(contrastive[s] > before[s] + 0.05, $"seed {s}: {contrastive[s]} vs {before[s]}");
            Assert.True(triplet[s] > before[s] + 0.05, $"seed {s}: {triplet[s]} vs {before[s]}");
        }
        Assert.True(File.Exists(Path.Combine(dir, "metric-embedding-triplet.png")));
        Assert.NotNull(result.PValue);
        Assert.NotNull(result.Interval);
        Assert.Equal(Verdict.Inconclusive, result.ReportedOutcome(quick: true));
    }

    [Fact]
    public void RuleNeedsBothGainsAboveFivePointsAcrossSeeds()
    {
        double[] large = [0.30, 0.32, 0.29, 0.31, 0.33];
        double[] small = [0.01, 0.02, 0.015, 0.012, 0.018];
        double[] noisy = [0.0, 0.2, 0.01, 0.15, 0.02];
        Assert.Equal(Verdict.Supported, EmbeddingExperiment.Decide([large, large]).Verdict);
        // One loss with a gain clearly below 5 points: the claim fails for that loss.
        Assert.Equal(Verdict.NotSupported, EmbeddingExperiment.Decide([large, small]).Verdict);
        // A gain whose interval straddles the threshold: neither verdict.
        Assert.Equal(Verdict.Inconclusive, EmbeddingExperiment.Decide([large, noisy]).Verdict);
        var (_, tests, adjusted) = EmbeddingExperiment.Decide([large, noisy]);
        Assert.True(adjusted[1] >= tests[1].PValue);
    }
}

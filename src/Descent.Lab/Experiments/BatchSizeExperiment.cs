using System.Diagnostics;
using System.Globalization;
using Descent.Lab.Data;
using Descent.Lab.Reports;
using Descent.Losses;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>Experiment 3: batch vs mini-batch vs stochastic gradient descent on a linear regression — loss against updates and wall time.</summary>
public sealed class BatchSizeExperiment : IExperiment
{
    /// <inheritdoc/>
    public int Number => 3;
    /// <inheritdoc/>
    public string Id => "batch-size";
    /// <inheritdoc/>
    public string Title => "Batch vs mini-batch vs stochastic gradient descent";

    /// <summary>A run's full-data loss after each recorded update, and the optimisation wall time (seconds, evaluation excluded) up to it.</summary>
    public sealed record Trace(string Name, int[] Updates, double[] Loss, double[] Seconds);

    /// <summary>Linear regression y ≈ Xw under the library's MSE, trained by the library's SGD with batches from <see cref="BatchSampler"/>.</summary>
    /// <param name="optimizerText">The optimizer's text form (default: SGD at <paramref name="learningRate"/>); e.g. <c>rprop()</c>, a full-batch method.</param>
    public static Trace Train(string name, Dataset data, BatchMode mode, int batchSize, double learningRate, int updates, int records, ulong seed,
        string? optimizerText = null)
    {
        int n = data.Count, d = data.FeatureCount;
        var w = new double[d];
        var g = new double[d];
        var optimizer = optimizerText is null ? Optim.Sgd<double>(learningRate) : OptimizerCatalog.Create<double>(optimizerText);
        optimizer.AddGroup(new Parameter<double>("w", w, g));
        var sampler = new BatchSampler(n, mode, mode == BatchMode.FullBatch ? n : batchSize, seed);
        var mse = new MeanSquaredError<double>();
        var pred = new double[n];
        var target = new double[n];
        var dl = new double[n];
        var allPred = new double[n];
        var allTarget = data.Targets!.Select(v => (double)v).ToArray();
        var allGrad = new double[n];
        double FullLoss()
        {
            for (int i = 0; i < n; i++)
            {
                var row = data.Row(i);
                double s = 0;
                for (int j = 0; j < d; j++) s += row[j] * w[j];
                allPred[i] = s;
            }
            return mse.Evaluate(allPred, allTarget, allGrad);
        }
        int every = Math.Max(1, updates / records);
        var ups = new List<int> { 0 };
        var losses = new List<double> { FullLoss() };
        var seconds = new List<double> { 0 };
        var watch = new Stopwatch();
        for (int u = 1; u <= updates; u++)
        {
            watch.Start();
            var batch = sampler.NextBatch();
            int b = batch.Length;
            for (int k = 0; k < b; k++)
            {
                var row = data.Row(batch[k]);
                double s = 0;
                for (int j = 0; j < d; j++) s += row[j] * w[j];
                pred[k] = s;
                target[k] = allTarget[batch[k]];
            }
            mse.Evaluate(pred.AsSpan(0, b), target.AsSpan(0, b), dl.AsSpan(0, b));
            Array.Clear(g);
            for (int k = 0; k < b; k++)
            {
                var row = data.Row(batch[k]);
                for (int j = 0; j < d; j++) g[j] += dl[k] * row[j];
            }
            optimizer.Step();
            watch.Stop();
            if (u % every == 0 || u == updates)
            {
                ups.Add(u);
                losses.Add(FullLoss());
                seconds.Add(watch.Elapsed.TotalSeconds);
            }
        }
        return new Trace(name, ups.ToArray(), losses.ToArray(), seconds.ToArray());
    }

    private static double LossAtTime(Trace t, double seconds)
    {
        double best = t.Loss[0];
        for (int i = 0; i < t.Seconds.Length; i++) if (t.Seconds[i] <= seconds) best = t.Loss[i];
        return best;
    }

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        int count = context.Quick ? 4000 : 20000, features = 20, updates = context.Quick ? 600 : 3000;
        var data = SyntheticData.SparseLinearRegression(count, features, 5, (ulong)context.Seed, noise: 0.1).Data;
        const double lr = 0.01;
        Train("warm-up", data, BatchMode.MiniBatch, 32, lr, 20, 1, 0); // JIT warm-up, so the timed runs measure steady-state updates
        Train("warm-up", data, BatchMode.FullBatch, count, lr, 2, 1, 0);
        Train("warm-up", data, BatchMode.SingleSample, 1, lr, 20, 1, 0);
        var traces = new[]
        {
            Train("full batch", data, BatchMode.FullBatch, count, lr, updates, 100, (ulong)context.Seed),
            Train("mini-batch 32", data, BatchMode.MiniBatch, 32, lr, updates, 100, (ulong)context.Seed),
            Train("single sample", data, BatchMode.SingleSample, 1, lr, updates, 100, (ulong)context.Seed),
        };
        // Rprop (full-batch by design: its sign logic needs the exact gradient) on the same full batches, reported beside SGD; it is
        // not part of the verdict above, which compares batch modes under one optimizer.
        Train("warm-up", data, BatchMode.FullBatch, count, lr, 2, 1, 0, "rprop()");
        var rprop = Train("full batch, Rprop", data, BatchMode.FullBatch, count, lr, updates, 100, (ulong)context.Seed, "rprop(lr=0.01)");
        double[] finalLoss = traces.Select(t => t.Loss[^1]).ToArray();
        double[] totalSeconds = traces.Select(t => t.Seconds[^1]).ToArray();
        double budget = totalSeconds[1];
        double[] atBudget = traces.Select(t => LossAtTime(t, budget)).ToArray();
        bool perUpdate = finalLoss[0] <= finalLoss[1] && finalLoss[1] <= finalLoss[2];
        bool perTime = atBudget[1] < atBudget[0];
        var result = new ExperimentResult
        {
            Claim = "Per update, larger batches make more progress (less gradient noise); per unit of compute, mini-batches win because an update costs a fraction of a full pass.",
            Summary = $"after {updates} updates loss {F(finalLoss[0])} (full) / {F(finalLoss[1])} (32) / {F(finalLoss[2])} (1); within mini-batch's {budget * 1e3:F1} ms: full batch {F(atBudget[0])} vs mini-batch {F(atBudget[1])}",
            Supported = perUpdate && perTime,
        };
        result.Paragraphs.Add($"Linear regression, {count} samples × {features} standard-normal features (5 nonzero true weights, noise 0.1), the library's MSE and SGD at lr {lr}, {updates} updates for each batch mode (the lab's BatchSampler). Loss is always the full-data MSE; wall time counts only the updates (evaluation excluded) and is noisy on a shared machine.");
        result.Tables.Add(new ExperimentTable("After the update budget", ["Mode", "Final loss", "Optimisation seconds", $"Loss within {budget * 1e3:F1} ms"],
            traces.Select((t, i) => (IReadOnlyList<string>)[t.Name, F(finalLoss[i]), F(totalSeconds[i]), F(atBudget[i])]).ToArray()));
        result.Tables.Add(new ExperimentTable("Full batch: SGD and Rprop (same updates)", ["Optimizer", "Final loss", "Optimisation seconds"],
            [["sgd(lr=0.01)", F(finalLoss[0]), F(totalSeconds[0])], ["rprop(lr=0.01)", F(rprop.Loss[^1]), F(rprop.Seconds[^1])]]));
        result.Numbers["rpropFullBatchFinalLoss"] = rprop.Loss[^1];
        result.Numbers["updates"] = updates;
        result.Numbers["runs"] = traces.Select((t, i) => new Dictionary<string, object>
            { ["mode"] = t.Name, ["finalLoss"] = finalLoss[i], ["seconds"] = totalSeconds[i], ["lossAtMiniBatchTime"] = atBudget[i] }).ToArray();
        var byUpdate = traces.Append(rprop).Select(t => new Series(t.Name, t.Updates.Select(u => (double)u).ToArray(), t.Loss)).ToArray();
        var byTime = traces.Select(t => new Series(t.Name, t.Seconds.Select(s => Math.Max(s * 1e3, 1e-3)).ToArray(), t.Loss)).ToArray();
        Plots.Save(UpperRightLegend(Plots.Line("Loss against updates", "update", "full-data MSE (log)", byUpdate, logY: true)), Path.Combine(context.OutputDirectory, Id + "-updates"));
        Plots.Save(UpperRightLegend(Plots.Line("Loss against wall time", "optimisation time (ms, log)", "full-data MSE (log)", byTime, logY: true, logX: true)), Path.Combine(context.OutputDirectory, Id + "-time"));
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + "-updates.csv"), byUpdate);
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + "-time.csv"), byTime);
        result.Figures.Add(new ExperimentFigure(Id + "-updates.png", "Full-data loss against the number of updates."));
        result.Figures.Add(new ExperimentFigure(Id + "-time.png", "Full-data loss against optimisation wall time (log-log)."));
        return result;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static ScottPlot.Plot UpperRightLegend(ScottPlot.Plot plot)
    {
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        return plot;
    }
}

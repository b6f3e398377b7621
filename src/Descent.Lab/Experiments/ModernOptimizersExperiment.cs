using System.Globalization;
using Descent.Lab.Reports;
using Descent.Lab.Training;
using Descent.Optimizers;

namespace Descent.Lab.Experiments;

/// <summary>
/// Experiment 18: the MNIST-10k 784-256-10 MLP trained with every optimizer of <see cref="OptimizerCatalog"/> (mini-batches of
/// 128, seed 0). Schedule-free optimizers run without a schedule (evaluated at their average x, see <see cref="Trainer.IsScheduleFree"/>),
/// the others under cosine decay to 0 over the run. Reports final test accuracy, test loss and seconds per epoch, a plot of
/// accuracy per epoch, and tests the claim that schedule-free AdamW without a schedule reaches AdamW + cosine within 0.5 points.
/// Quick mode: 2000 training images, 2 epochs, five optimizers.
/// </summary>
public sealed class ModernOptimizersExperiment : IExperiment
{
    private static readonly string[] QuickSet = ["nesterov", "adamw", "lion", "muon", "schedule_free_adamw"];

    /// <inheritdoc/>
    public int Number => 18;

    /// <inheritdoc/>
    public string Id => "mnist-modern-optimizers";

    /// <inheritdoc/>
    public string Title => "MNIST: every optimizer of the catalog";

    /// <inheritdoc/>
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int epochs = context.Quick ? 2 : 10;
        int? limit = context.Quick ? 2000 : null;
        const int batch = 128;
        var problem = TrainingProblem.Create("mnist-mlp", 256, context.DataDirectory, limit);
        int totalSteps = epochs * ((problem.Train.Count + batch - 1) / batch);
        // Each optimizer's setting is its definition's TrainingExample (rates from the usual range of each method, not swept).
        var chosen = OptimizerCatalog.All.Where(d => !context.Quick || QuickSet.Contains(d.Name)).Select(d => (d.Name, Text: d.TrainingExample)).ToArray();

        var rows = new List<IReadOnlyList<string>>();
        var series = new List<Series>();
        var numbers = new Dictionary<string, object>();
        var accuracy = new Dictionary<string, double>();
        static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        for (int i = 0; i < chosen.Length; i++)
        {
            var (name, text) = chosen[i];
            bool scheduleFree = name.StartsWith("schedule_free", StringComparison.Ordinal);
            string? schedule = scheduleFree ? null : $"cosine({totalSteps})";
            context.Log($"[{Id}] {name}: {text}{(schedule is null ? "" : " with " + schedule)}");
            var trainer = new Trainer(problem, new TrainingOptions
            {
                Optimizer = text, Schedule = schedule, Epochs = epochs, BatchSize = batch, Seed = (ulong)context.Seed,
            });
            var r = trainer.Run();
            double secondsPerEpoch = r.History.Count == 0 ? double.NaN : r.History.Average(h => h.TrainSeconds);
            bool ok = r.Status == TrainingStatus.Completed;
            accuracy[name] = ok ? r.TestAccuracy : double.NaN;
            rows.Add([name, text, schedule ?? "none", ok ? F(100 * r.TestAccuracy, "F2") : r.Status.ToString().ToLowerInvariant(),
                ok ? F(r.TestLoss, "F4") : "-", F(secondsPerEpoch, "F2")]);
            series.Add(new Series(name, r.History.Select(h => (double)h.Epoch).ToArray(), r.History.Select(h => 100 * h.TestAccuracy).ToArray()));
            numbers[name] = new Dictionary<string, object>
            {
                ["optimizer"] = trainer.OptimizerText, ["schedule"] = schedule ?? "none", ["status"] = r.Status.ToString(),
                ["test_accuracy"] = r.TestAccuracy, ["test_loss"] = r.TestLoss, ["seconds_per_epoch"] = secondsPerEpoch,
                ["accuracy_per_epoch"] = r.History.Select(h => h.TestAccuracy).ToArray(),
            };
        }

        string figure = $"{Id}-accuracy";
        Plots.Save(Plots.Line($"MNIST {problem.Train.Count} images, 784-256-10: test accuracy per epoch", "epoch", "test accuracy (%)", series),
            Path.Combine(context.OutputDirectory, figure));

        double sf = accuracy.GetValueOrDefault("schedule_free_adamw", double.NaN);
        double cos = accuracy.GetValueOrDefault("adamw", double.NaN);
        double gap = 100 * (cos - sf);
        bool supported = double.IsFinite(gap) && gap <= 0.5;
        var result = new ExperimentResult
        {
            Claim = "Schedule-free AdamW without any schedule reaches AdamW + cosine's test accuracy within 0.5 points.",
            Summary = $"{chosen.Length} optimizers, {epochs} epochs on {problem.Train.Count} images: schedule-free AdamW {F(100 * sf, "F2")}% vs AdamW + cosine {F(100 * cos, "F2")}% (gap {F(gap, "F2")} points).",
            Supported = supported,
        };
        result.Paragraphs.Add($"Each optimizer trains the same 784-256-10 MLP (same initialisation and data order, seed {context.Seed}) for {epochs} epochs with mini-batches of {batch}. " +
            "Schedule-free optimizers run with a constant rate and are evaluated at their averaged iterate x; every other optimizer runs under cosine decay to 0 over the run. " +
            "Rates are per-optimizer choices in the usual range for this problem, written in the table in the catalog's text form; they are not tuned per optimizer by a full sweep, so small differences between rows are within tuning noise.");
        result.Paragraphs.Add("Seconds per epoch are wall-clock training time on this machine (shared CPU, so noisy).");
        result.Tables.Add(new ExperimentTable("Final test accuracy and loss per optimizer", ["optimizer", "text", "schedule", "test accuracy (%)", "test loss", "s/epoch"], rows));
        result.Figures.Add(new ExperimentFigure(figure + ".png", "Test accuracy per epoch, one line per optimizer."));
        result.Numbers["epochs"] = epochs;
        result.Numbers["train_images"] = problem.Train.Count;
        result.Numbers["gap_points"] = gap;
        result.Numbers["optimizers"] = numbers;
        return result;
    }
}

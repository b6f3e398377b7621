using System.Globalization;
using Descent.Lab.Reports;
using Descent.Lab.Training;
using Descent.Schedules;

namespace Descent.Lab.Experiments;

/// <summary>Experiment 15: the MNIST MLP trained by SGD+Nesterov, Adam and AdamW under constant, step, cosine and 1cycle schedules.</summary>
public sealed class MnistScheduleGridExperiment : IExperiment
{
    /// <inheritdoc />
    public int Number => 15;
    /// <inheritdoc />
    public string Id => "mnist-optimizer-schedule-grid";
    /// <inheritdoc />
    public string Title => "MNIST MLP: optimizers × schedules";

    private static readonly (string Name, string Text, double Lr)[] Optimizers =
    [
        ("SGD+Nesterov", "sgd(lr=0.1, momentum=0.9, nesterov=true)", 0.1),
        ("Adam", "adam(lr=1e-3)", 1e-3),
        ("AdamW", "adamw(lr=3e-3, weight_decay=0.01)", 3e-3),
    ];

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int epochs = context.Quick ? 2 : 10, hidden = context.Quick ? 64 : 256;
        int? limit = context.Quick ? 2048 : null;
        var problem = TrainingProblem.Create("mnist-mlp", hidden, context.DataDirectory, limit);
        int batches = (problem.Train.Count + 127) / 128;
        long total = (long)epochs * batches;
        (string Name, Func<double, string?> Text)[] schedules =
        [
            ("constant", _ => null),
            ("step", _ => $"step({Math.Max(1, total / 3)}, gamma=0.1)"),
            ("cosine", _ => $"cosine({total})"),
            ("1cycle", lr => $"onecycle(max={CallNumber(lr)})"),
        ];
        var c = CultureInfo.InvariantCulture;
        var rows = new List<IReadOnlyList<string>>();
        var curves = new List<Series>();
        var accuracy = new Dictionary<string, object>();
        bool supported = true;
        foreach (var (name, text, lr) in Optimizers)
        {
            var row = new List<string> { name };
            var byOptimizer = new Dictionary<string, double>();
            foreach (var (schedule, scheduleText) in schedules)
            {
                var trainer = new Trainer(problem, new TrainingOptions { Optimizer = text, Schedule = scheduleText(lr), Epochs = epochs, BatchSize = 128, Seed = (ulong)context.Seed });
                var r = trainer.Run();
                context.Log(string.Create(c, $"{Id}: {name} + {schedule}: test accuracy {r.TestAccuracy:P2} ({r.Status})"));
                row.Add(r.Status == TrainingStatus.Completed ? r.TestAccuracy.ToString("P2", c) : r.Status.ToString());
                byOptimizer[schedule] = r.TestAccuracy;
                curves.Add(new Series($"{name} {schedule}", r.History.Select(h => (double)h.Epoch).ToArray(), r.History.Select(h => h.TestAccuracy).ToArray()));
            }
            accuracy[name] = byOptimizer;
            if (Math.Max(byOptimizer["cosine"], byOptimizer["1cycle"]) < byOptimizer["constant"]) supported = false;
            rows.Add(row);
        }
        var plot = Plots.Line($"MNIST 784-{hidden}-10: test accuracy per epoch", "epoch", "test accuracy", curves);
        Plots.Save(plot, Path.Combine(context.OutputDirectory, Id), 1000, 650);
        ResultsFiles.WriteSeriesCsv(Path.Combine(context.OutputDirectory, Id + ".csv"), curves);
        var result = new ExperimentResult
        {
            Claim = "An annealed schedule (cosine or 1cycle) gives every optimizer a final test accuracy at least as high as its constant learning rate.",
            Summary = (supported ? "single-seed indication: supported; " : "single-seed indication: not supported; ") + string.Join("; ", rows.Select(r => $"{r[0]}: const {r[1]}, step {r[2]}, cos {r[3]}, 1cycle {r[4]}")),
            Outcome = Verdict.Inconclusive,
            Source = new ClaimSource("The course's chapter on learning-rate schedules (schedules on MNIST)",
                "Annealing the learning rate (cosine, one-cycle) ends training at a better point than keeping it constant, for SGD with momentum as for Adam."),
            Design = $"MNIST MLP 784-{hidden}-10, {epochs} epochs, one seed, each optimizer at one hand-set rate under four schedules; rule (indication only): cosine or 1cycle at least as accurate as constant for every optimizer.",
            Test = "none: one seed and rates not chosen on a validation split cannot decide; reported as inconclusive, the rule's single-seed indication in the summary",
        };
        result.Paragraphs.Add(string.Create(c, $"{problem.Train.Count} training and {problem.Test.Count} test images, batch 128, {epochs} epochs ({total} steps), seed {context.Seed}, float32. Step decays by 10 every third of the run; cosine anneals to 0; 1cycle peaks at the optimizer's rate (PyTorch defaults: 30% warm-up, momentum/beta1 cycled 0.95 to 0.85)."));
        result.Tables.Add(new ExperimentTable("Final test accuracy", ["optimizer", "constant", "step", "cosine", "1cycle"], rows));
        result.Figures.Add(new ExperimentFigure(Id + ".png", "Test accuracy after each epoch for every optimizer and schedule."));
        result.Numbers["test_accuracy"] = accuracy;
        result.Numbers["epochs"] = epochs;
        return result;
    }

    private static string CallNumber(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

using Descent.Lab.Experiments;
using Descent.Lab.Training;
using Descent.Schedules;
using static Descent.Lab.Experiments.LinearScalingRuleExperiment;

namespace Descent.Lab.Tests.Experiments;

public class LinearScalingRuleExperimentTests
{
    [Fact]
    public void SchedulesScaleTheRateByKAndWarmUpFromTheUnscaledRate()
    {
        const long total = 80, perEpoch = 10;
        var warm = ScheduleText.Parse(Schedule(Arm.LinearWarmup, 8, total, perEpoch), total);
        var linear = ScheduleText.Parse(Schedule(Arm.Linear, 8, total, perEpoch), total);
        var control = ScheduleText.Parse(Schedule(Arm.Unscaled, 8, total, perEpoch), total);
        double cosine(long t) => ScheduleText.Parse($"cosine(total={total})", total).At(t);
        Assert.Equal(1.0, warm.At(0) / cosine(0), 12);                // warmup starts at the unscaled rate
        Assert.Equal(8.0, warm.At(perEpoch) / cosine(perEpoch), 12);   // and reaches k x after one epoch
        Assert.Equal(8.0, linear.At(0) / cosine(0), 12);              // no warmup: k x from the first step
        Assert.Equal(8.0, linear.At(40) / cosine(40), 12);
        Assert.Equal(cosine(40), control.At(40), 12);
        Assert.Equal(cosine(3), ScheduleText.Parse(Schedule(Arm.LinearWarmup, 1, total, perEpoch), total).At(3), 12); // k = 1: one run in every arm
    }

    [Fact]
    public void CellsArePairedBySeedAndDeterministic()
    {
        var problem = TrainingProblem.Create("mnist-mlp", 8, TestPaths.MnistDirectory, 256);
        var a = Train(problem, Arm.LinearWarmup, 4, 1, seed: 3);
        var b = Train(problem, Arm.LinearWarmup, 4, 1, seed: 3);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Train(problem, Arm.Unscaled, 4, 1, seed: 3)); // the arm changes the run (rate x 4 vs x 1)
        Assert.False(a.Diverged);
        Assert.InRange(a.Accuracy, 0, 100);
    }

    [Fact]
    public void QuickRunReportsEveryCellPlotsAndIsInconclusive()
    {
        string dir = TestPaths.TempDirectory();
        var experiment = new LinearScalingRuleExperiment();
        var result = experiment.Run(new ExperimentContext(dir, TestPaths.MnistDirectory, Quick: true, Seed: 1, _ => { }));
        Assert.Equal(Verdict.Inconclusive, result.ReportedOutcome(quick: true));
        Assert.Equal([32.0, 64, 128, 256, 512], (double[])result.Numbers["global_batches"]);
        var accuracy = (double[][])result.Numbers["LinearWarmup_accuracy"];
        Assert.Equal(5, accuracy.Length);
        Assert.All(accuracy, cell => Assert.Equal(2, cell.Length));
        Assert.Equal(accuracy[0], ((double[][])result.Numbers["Unscaled_accuracy"])[0]); // k = 1 is shared by the arms
        Assert.Equal(15, result.Tables[0].Rows.Count);
        Assert.True(File.Exists(Path.Combine(dir, experiment.Id + "-accuracy.png")));
        Assert.True(File.Exists(Path.Combine(dir, experiment.Id + "-loss.png")));
        Assert.Contains(ExperimentCatalog.All, e => e.Id == experiment.Id && e.Number == 20);
    }
}

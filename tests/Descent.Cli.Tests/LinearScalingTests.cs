using Descent.Schedules;

namespace Descent.Cli.Tests;

public class LinearScalingTests
{
    [Fact]
    public void LinearScalingMultipliesTheRateByTheBatchRatioReachedByALinearWarmup()
    {
        string text = TrainCommand.LinearScaling(null, globalBatch: 512, baseBatch: 128, warmupSteps: 10);
        var schedule = ScheduleText.Parse(text, 100);
        Assert.Equal(1.0, schedule.At(0), 12);   // the unscaled rate at the start (Goyal et al.: from eta)
        Assert.Equal(2.5, schedule.At(5), 12);   // linear ramp: 1 + (4 - 1) * 5/10
        Assert.Equal(4.0, schedule.At(10), 12);  // k = 512 / 128
        Assert.Equal(4.0, schedule.At(99), 12);
    }

    [Fact]
    public void AScheduleGivenIsMultipliedInAndNoWarmupMeansTheScaledRateFromStepZero()
    {
        var schedule = ScheduleText.Parse(TrainCommand.LinearScaling("cosine(100)", 256, 128, 0), 100);
        Assert.Equal(2.0, schedule.At(0), 12);
        Assert.Equal(2.0 * new Cosine(100).At(50), schedule.At(50), 12);
        Assert.Throws<ArgumentException>(() => TrainCommand.LinearScaling(null, 256, 0, 0));
    }
}

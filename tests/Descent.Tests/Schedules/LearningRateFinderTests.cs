using Descent.Schedules;

namespace Descent.Tests.Schedules;

public class LearningRateFinderTests
{
    // A quadratic L = c x^2 / 2 trained by SGD with gradient noise: the loss falls for lr < 2/c and blows up beyond.
    private static Func<double, double> Quadratic(double curvature, double x0, double noise = 0, int seed = 0)
    {
        double x = x0;
        var random = new Random(seed);
        return lr =>
        {
            double loss = curvature * x * x / 2 * (1 + noise * (random.NextDouble() - 0.5));
            x -= lr * (curvature * x + 0.05 * (random.NextDouble() - 0.5));
            return loss;
        };
    }

    [Fact]
    public void RampsStopsOnDivergenceAndSuggests()
    {
        var options = new LearningRateFinderOptions(1e-4, 100, 100);
        var result = LearningRateFinder.Run(Quadratic(1, 1), options);
        Assert.True(result.Diverged);
        Assert.True(result.LearningRates.Length < 100);
        Assert.Equal(1e-4, result.LearningRates[0], 15);
        Assert.Equal(options.RateAt(1) / options.RateAt(0), result.LearningRates[2] / result.LearningRates[1], 10);
        Assert.All(new[] { result.Suggestions.Valley, result.Suggestions.Steepest, result.Suggestions.MinimumOverTen }, s => Assert.InRange(s, 1e-3, 10.0));
        // the minimum of the smoothed loss lies below the divergence threshold lr = 2 / curvature.
        Assert.InRange(result.Suggestions.MinimumOverTen * 10, 0.05, 10.0); // the debiased EMA lags a few steps
        Assert.True(result.LearningRates[^1] > 2); // divergence is only possible past lr = 2 / curvature
        // debiased EMA: the first smoothed value is the first loss.
        Assert.Equal(result.Losses[0], result.SmoothedLosses[0], 12);
    }

    [Fact]
    public void LinearRampAndNoDivergence()
    {
        var options = new LearningRateFinderOptions(0.001, 0.01, 10, RampShape.Linear);
        var result = LearningRateFinder.Run(Quadratic(1, 1), options);
        Assert.False(result.Diverged);
        Assert.Equal(10, result.LearningRates.Length);
        Assert.Equal(0.002, result.LearningRates[1], 15);
    }

    [Fact]
    public void ValleyFollowsFastai()
    {
        // longest decreasing subsequence ends at index 8 with length 8 (6, 5, 4, ..., 1.1): max_start = 8 - 8 = 0,
        // sections = 8 / 3, idx = 0 + int(2.67) + int(1.33) = 3 (fastai's valley, same integer truncations).
        double[] losses = [5, 6, 5, 4, 3, 2, 1.5, 1.2, 1.1, 3, 9];
        Assert.Equal(3, LearningRateFinder.Valley(losses));
    }

    [Fact]
    public void RepeatedRunsGiveABandAndAnInterval()
    {
        var band = LearningRateFinder.RunRepeated(seed => Quadratic(1, 1, 0.2, seed), [1, 2, 3, 4], new LearningRateFinderOptions(1e-4, 100, 80));
        Assert.Equal(4, band.Runs.Count);
        for (int i = 0; i < band.Mean.Length; i++) Assert.True(band.Lower[i] <= band.Mean[i] && band.Mean[i] <= band.Upper[i]);
        Assert.True(band.ValleyInterval.Low <= band.ValleyMedian && band.ValleyMedian <= band.ValleyInterval.High);
        Assert.Throws<ArgumentException>(() => LearningRateFinder.RunRepeated(seed => Quadratic(1, 1), []));
        Assert.True(double.IsNaN(LearningRateFinder.RunRepeated(seed => Quadratic(1, 1), [1]).Lower[0])); // one seed: no band
    }
}

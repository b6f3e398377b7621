using Descent.Optimizers;
using Descent.Optimizers.Aids;
using static Descent.Tests.Optimizers.TestObjectives;

namespace Descent.Tests.Optimizers.Aids;

public class WeightAverageTests
{
    private static Parameter<double> P(double[] x) => new("x", x, new double[x.Length]);

    [Fact]
    public void EmaCopiesFirstThenLerpsWithOneMinusDecay()
    {
        double[] x = [1.0];
        var ema = new ExponentialMovingAverage<double>([P(x)], decay: 0.9);
        ema.Update();                    // copy: 1
        x[0] = 2; ema.Update();          // 1 + 0.1 (2 - 1) = 1.1
        x[0] = 3; ema.Update();          // 1.1 + 0.1 (3 - 1.1) = 1.29
        AssertClose(1.29, ema.Averages[0][0], 1e-15);
        Assert.Equal(3, ema.AveragedCount);
    }

    [Fact]
    public void EmaWarmupFollowsTheTimmFormula()
    {
        double[] x = [0.0];
        var ema = new ExponentialMovingAverage<double>([P(x)], decay: 0.99, warmup: true);
        Assert.Equal(0.0, ema.DecayAt(0));
        AssertClose(1 - Math.Pow(2, -2.0 / 3), ema.DecayAt(1), 1e-15);
        Assert.Equal(0.99, ema.DecayAt(1_000_000));
        ema.Update();
        x[0] = 1; ema.Update();
        AssertClose(Math.Pow(2, -2.0 / 3), ema.Averages[0][0], 1e-15); // 0 + (1 - d1) (1 - 0)
    }

    [Fact]
    public void SwapIsExactAndReversible()
    {
        double[] x = [1.0, 2.0];
        var ema = new ExponentialMovingAverage<double>([P(x)], decay: 0.7);
        ema.Update();
        x[0] = 5; x[1] = -3; ema.Update();
        var average = (double[])ema.Averages[0].Clone();
        ema.Swap();
        Assert.Equal(average, x);
        ema.Swap();
        Assert.Equal([5.0, -3.0], x);
        ema.CopyTo();
        Assert.Equal(average, x);
    }

    [Fact]
    public void SwaIsTheEqualAverageFromTheStartStep()
    {
        double[] x = [0.0];
        var swa = new StochasticWeightAveraging<double>([P(x)], startStep: 2);
        foreach (double v in new[] { 5.0, 7.0, 1.0, 2.0, 3.0, 6.0 }) { x[0] = v; swa.Update(); }
        AssertClose(3.0, swa.Averages[0][0], 1e-15); // (1 + 2 + 3 + 6) / 4
        Assert.Equal(4, swa.AveragedCount);
        Assert.Equal(6, swa.UpdateCalls);
    }

    [Fact]
    public void AveragesOfAnOptimizerSaveAndLoad()
    {
        double[] x = [2.0, -1.0];
        var g = new double[2];
        var opt = Optim.Sgd<double>(learningRate: 0.1, momentum: 0.9);
        opt.AddGroup(new Parameter<double>("x", x, g));
        var swa = new StochasticWeightAveraging<double>(opt, startStep: 3);
        for (int t = 0; t < 6; t++) { Diagonal(x, g); opt.Step(); swa.Update(); }
        var s = swa.SaveState();
        var copy = new StochasticWeightAveraging<double>(opt, startStep: 3);
        copy.LoadState(s);
        for (int t = 0; t < 3; t++) { Diagonal(x, g); opt.Step(); swa.Update(); copy.Update(); }
        Assert.Equal(swa.Averages[0], copy.Averages[0]);
        Assert.Throws<ArgumentException>(() => new StochasticWeightAveraging<double>([P(new double[3])]).LoadState(s));
    }

    [Fact]
    public void SwaOfSgdOnANoisyQuadraticIsCloserToTheMinimumThanTheLastIterate()
    {
        double[] x = [0.0, 0.0];
        var g = new double[2];
        var opt = Optim.Sgd<double>(learningRate: 0.3);
        opt.AddGroup(new Parameter<double>("x", x, g));
        var swa = new StochasticWeightAveraging<double>(opt, startStep: 50);
        var rng = new Random(7);
        for (int t = 0; t < 400; t++)
        {
            Diagonal(x, g);
            g[0] += rng.NextDouble() - 0.5;
            g[1] += rng.NextDouble() - 0.5;
            opt.Step();
            swa.Update();
        }
        double last = Diagonal(x, new double[2]);
        swa.CopyTo();
        double averaged = Diagonal(x, new double[2]);
        Assert.True(averaged < last / 3, $"averaged {averaged}, last {last}");
    }

    [Theory]
    [InlineData(SwaAnnealing.Cosine, 0, 0.1)]
    [InlineData(SwaAnnealing.Cosine, 9, 0.1)]   // before the start
    [InlineData(SwaAnnealing.Cosine, 10, 0.1)]  // j = 0: still the initial rate (as SWALR right after construction)
    [InlineData(SwaAnnealing.Cosine, 12, 0.055)] // t = 0.5: alpha = 0.5
    [InlineData(SwaAnnealing.Cosine, 14, 0.01)]
    [InlineData(SwaAnnealing.Cosine, 1000, 0.01)]
    [InlineData(SwaAnnealing.Linear, 11, 0.0775)] // t = 0.25
    public void SwalrAnnealsToTheSwaRate(SwaAnnealing annealing, long step, double expected)
    {
        var schedule = new SwaLearningRate(0.1, 0.01, annealSteps: 4, annealing, startStep: 10);
        AssertClose(expected, schedule.At(step), 1e-14);
    }

    [Fact]
    public void SwalrWithNoAnnealingJumpsAndDrivesAnOptimizer()
    {
        Assert.Equal(0.05, new SwaLearningRate(0.1, 0.05, annealSteps: 0, startStep: 3).At(3));
        var opt = Optim.Sgd<double>(learningRate: 0.1);
        opt.Set(HyperparameterKey.LearningRate, Hyperparameter.Scheduled(new SwaLearningRate(0.1, 0.01, 2, SwaAnnealing.Linear, 1)));
        double[] x = [1.0];
        var g = new double[] { 1.0 };
        opt.AddGroup(new Parameter<double>("x", x, g));
        var rates = new List<double>();
        for (int t = 0; t < 4; t++) { rates.Add(opt.Groups[0].LearningRate); opt.Step(); }
        Assert.Equal([0.1, 0.1, 0.055, 0.01], rates.Select(r => Math.Round(r, 12)));
        AssertClose(1 - 0.265, x[0], 1e-14);
    }

    [Fact]
    public void InvalidArgumentsNameTheParameter()
    {
        var ps = new[] { P([1.0]) };
        Assert.Equal("decay", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage<double>(ps, decay: 1.5)).ParamName);
        Assert.Equal("warmupPower", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage<double>(ps, warmupPower: 0)).ParamName);
        Assert.Equal("minimumDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage<double>(ps, decay: 0.5, minimumDecay: 0.6)).ParamName);
        Assert.Equal("startStep", Assert.Throws<ArgumentOutOfRangeException>(() => new StochasticWeightAveraging<double>(ps, -1)).ParamName);
        Assert.Equal("swaLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new SwaLearningRate(0.1, double.NaN)).ParamName);
        Assert.Equal("annealSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new SwaLearningRate(0.1, 0.01, -1)).ParamName);
        Assert.Throws<InvalidOperationException>(() => new ExponentialMovingAverage<double>(ps).Swap());
    }
}

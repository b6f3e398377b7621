using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

public class GradientAccumulationTests
{
    // Linear least squares, loss = mean over the batch of (x·θ - y)²/2. k micro-batches of size b with mean losses,
    // accumulated (the optimizer averages the k gradients), equal one batch of size k b: (1/k) sum_j (1/b) sum_i g_i = (1/(k b)) sum g_i.
    private const int K = 4, B = 3, Features = 3;

    private static (double[][] X, double[] Y) Data()
    {
        var rng = new Random(11);
        var x = new double[K * B][];
        var y = new double[K * B];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = [rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, 1.0];
            y[i] = 2 * x[i][0] - 3 * x[i][1] + 0.5 + 0.1 * (rng.NextDouble() - 0.5);
        }
        return (x, y);
    }

    private static void MeanGradient(double[][] x, double[] y, int start, int count, double[] theta, double[] gradient)
    {
        Array.Clear(gradient);
        for (int i = start; i < start + count; i++)
        {
            double r = -y[i];
            for (int f = 0; f < Features; f++) r += x[i][f] * theta[f];
            for (int f = 0; f < Features; f++) gradient[f] += r * x[i][f] / count;
        }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("prodigy")]
    [InlineData("schedule_free_adamw")]
    [InlineData("muon")]
    public void KAccumulatedMicroBatchesEqualOneLargeBatch(string kind)
    {
        var (x, y) = Data();
        Optimizer<double> Create() => kind switch
        {
            "sgd" => Optim.Sgd<double>(learningRate: 0.3, momentum: 0.9),
            "adam" => Optim.Adam<double>(learningRate: 0.05),
            "prodigy" => Optim.Prodigy<double>(),
            "schedule_free_adamw" => Optim.ScheduleFreeAdamW<double>(learningRate: 0.05),
            _ => Optim.Muon<double>(adamLearningRate: 0.05),
        };
        var big = Create();
        var thetaBig = new double[Features];
        var gBig = new double[Features];
        big.AddGroup(new Parameter<double>("theta", thetaBig, gBig));
        var small = Create();
        small.GradientAccumulationSteps = K;
        var thetaSmall = new double[Features];
        var gSmall = new double[Features];
        small.AddGroup(new Parameter<double>("theta", thetaSmall, gSmall));
        for (int step = 0; step < 10; step++)
        {
            MeanGradient(x, y, 0, K * B, thetaBig, gBig);
            big.Step();
            for (int j = 0; j < K; j++)
            {
                MeanGradient(x, y, j * B, B, thetaSmall, gSmall);
                small.Step();
            }
            Assert.Equal(step + 1, small.StepCount);
            for (int f = 0; f < Features; f++)
                Assert.True(Math.Abs(thetaBig[f] - thetaSmall[f]) <= 1e-13 * Math.Max(1, Math.Abs(thetaBig[f])), $"step {step} θ[{f}]: {thetaBig[f]:R} vs {thetaSmall[f]:R}");
        }
        if (kind is "sgd" or "adam") Assert.True(thetaBig[0] > 0.3 && thetaBig[1] < -0.3, $"moved toward (2, -3): {thetaBig[0]}, {thetaBig[1]}");
    }
}

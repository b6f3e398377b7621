using Descent.Optimizers;
using Descent.Optimizers.Aids;

namespace Descent.Tests.Optimizers.Aids;

public class DifferentiallyPrivateSgdTests
{
    [Fact]
    public void RdpOfTheSampledGaussianMatchesTfPrivacyValues()
    {
        // tensorflow_privacy rdp_accountant_test.py: compute_rdp(q, sigma, steps, orders)
        static void Near(double want, double got) => Assert.True(Math.Abs(want - got) < 1e-5, $"want {want}, got {got}");
        Near(0.07737, 10 * RdpAccountant.StepRdp(0.1, 2, 5));
        Near(0.00218075, 50 * RdpAccountant.StepRdp(0.01, 2.5, 5));
        Near(0.023846, 50 * RdpAccountant.StepRdp(0.01, 2.5, 50));
        Near(167.416307, 50 * RdpAccountant.StepRdp(0.01, 2.5, 100));
        Assert.Equal(0.1, RdpAccountant.StepRdp(1, 10, 20), 15); // no sampling: α / (2σ²)
        Assert.Equal(0.0, RdpAccountant.StepRdp(0, 10, 20));
    }

    [Fact]
    public void EpsilonMatchesAbadiEtAlAndTfPrivacy()
    {
        // Abadi et al. 2016, section 3.1: q = 0.01, σ = 4, δ = 1e-5, T = 10000 gives ε ≈ 1.26 with the moments accountant;
        // TF-Privacy's test_get_privacy_spent (orders 2..32): ε = 1.258575 at order 20.
        var accountant = new RdpAccountant(Enumerable.Range(2, 31).ToArray());
        accountant.Step(0.01, 4, 10000);
        var (epsilon, order) = accountant.Epsilon(1e-5);
        Assert.True(Math.Abs(epsilon - 1.258575) < 1e-5, $"epsilon {epsilon}");
        Assert.Equal(20, order);
        var full = new RdpAccountant();
        full.Step(0.01, 4, 10000);
        Assert.True(full.Epsilon(1e-5).Epsilon <= epsilon + 1e-12);
        Assert.True(full.Epsilon(1e-5, RdpConversion.Improved).Epsilon < full.Epsilon(1e-5).Epsilon);
        // composition: (0.01, 4, 10000) then (0.1, 2, 100) at δ = 1e-5 is bounded by TF-Privacy's 3.276237 (fractional orders
        // included there): integer orders give an upper bound close to it
        full.Step(0.1, 2, 100);
        double composed = full.Epsilon(1e-5).Epsilon;
        Assert.InRange(composed, 3.276237 - 1e-6, 3.276237 * 1.05);
    }

    [Fact]
    public void ClipsEachExampleSumsAndDividesByTheExpectedBatch()
    {
        var w = new double[] { 0, 0 };
        var sgd = Optim.Sgd<double>(learningRate: 1);
        sgd.AddGroup(new Parameter<double>("w", w, new double[2]));
        var dp = new DifferentiallyPrivateSgd<double>(sgd, maxGradientNorm: 1, noiseMultiplier: 0, expectedBatchSize: 2, datasetSize: 100);
        // example 1 has norm 0.5 (kept), example 2 norm 10 (scaled to ~1)
        dp.Step([0.3, 0.4, 6, 8]);
        double f = 1 / (10 + 1e-6);
        Assert.Equal(-(0.3 + 6 * f) / 2, w[0], 14);
        Assert.Equal(-(0.4 + 8 * f) / 2, w[1], 14);
        Assert.Equal(1, dp.LastClipped);
        Assert.Equal(double.PositiveInfinity, dp.Epsilon(1e-5));
        Assert.Throws<ArgumentException>(() => dp.Step([1.0, 2.0, 3.0]));
    }

    [Fact]
    public void StepFromAClippedSumEqualsTheStepFromPerExampleGradients()
    {
        double[] perExample = [0.3, 0.4, -1, 6, 8, 2, 0, -0.5, 0.25];
        double[] Run(bool fromSum)
        {
            var w = new double[] { 1, -1, 0.5 };
            var g = new double[3];
            var sgd = Optim.Sgd<double>(learningRate: 0.5);
            sgd.AddGroup(new Parameter<double>("w", w, g));
            var dp = new DifferentiallyPrivateSgd<double>(sgd, maxGradientNorm: 1, noiseMultiplier: 0.7, expectedBatchSize: 3, datasetSize: 300, seed: 2);
            if (!fromSum)
            {
                dp.Step(perExample);
                Assert.Equal(2, dp.LastClipped);
                return w;
            }
            for (int e = 0; e < 3; e++)
            {
                var row = perExample.AsSpan(e * 3, 3);
                double f = DifferentiallyPrivateSgd<double>.ClipFactor(Math.Sqrt(row[0] * row[0] + row[1] * row[1] + row[2] * row[2]), 1);
                for (int i = 0; i < 3; i++) g[i] += f * row[i];
            }
            dp.StepFromClippedSum(clipped: 2);
            Assert.Equal(2, dp.LastClipped);
            Assert.Equal(1, dp.Accountant.Steps);
            Assert.Throws<ArgumentOutOfRangeException>(() => dp.StepFromClippedSum(-1));
            return w;
        }
        double[] reference = Run(false), fast = Run(true);
        for (int i = 0; i < 3; i++) Assert.Equal(reference[i], fast[i], 14);
        Assert.Equal(1.0, DifferentiallyPrivateSgd<double>.ClipFactor(0.5, 1));
        Assert.Equal(1 / (10 + 1e-6), DifferentiallyPrivateSgd<double>.ClipFactor(10, 1), 15);
    }

    [Fact]
    public void NoiseHasStandardDeviationSigmaCOverTheBatchAndTheAccountantAdvances()
    {
        const int n = 20000;
        var w = new double[n];
        var sgd = Optim.Sgd<double>(learningRate: 1);
        sgd.AddGroup(new Parameter<double>("w", w, new double[n]));
        var dp = new DifferentiallyPrivateSgd<double>(sgd, maxGradientNorm: 2, noiseMultiplier: 1.5, expectedBatchSize: 10, datasetSize: 1000, seed: 5);
        dp.Step(new double[n]); // one example with a zero gradient: only noise
        double mean = w.Average(), std = Math.Sqrt(w.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        Assert.InRange(std, 0.3 * 0.97, 0.3 * 1.03); // σ C / B = 1.5 · 2 / 10
        Assert.InRange(mean, -0.3 * 4 / Math.Sqrt(n), 0.3 * 4 / Math.Sqrt(n));
        Assert.Equal(1, dp.Accountant.Steps);
        double e1 = dp.Epsilon(1e-5);
        dp.Step(new double[n]);
        Assert.True(dp.Epsilon(1e-5) > e1);
        Assert.Equal(0.01, dp.SamplingRate);
    }
}

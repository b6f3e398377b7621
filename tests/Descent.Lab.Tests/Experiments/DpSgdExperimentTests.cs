using Descent.Lab.Data;
using Descent.Lab.Experiments;
using Descent.Lab.Models;
using Descent.Optimizers;
using Descent.Optimizers.Aids;

namespace Descent.Lab.Tests.Experiments;

public class DpSgdExperimentTests
{
    private const int Batch = 6;

    // Two hidden layers, so the deltas are propagated through a ReLU twice; inputs of both signs switch units on and off.
    private static (Mlp Model, float[] Input, float[] OutputGradient) Setup()
    {
        var model = new Mlp([7, 5, 4, 3], Batch, seed: 11);
        var random = new SeededRandom(5);
        var input = new float[Batch * 7];
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextGaussian();
        var outputGradient = new float[Batch * 3];
        for (int i = 0; i < outputGradient.Length; i++) outputGradient[i] = (float)random.NextGaussian();
        return (model, input, outputGradient);
    }

    private static float[] GradientOfBatchOfOne(Mlp model, float[] input, float[] outputGradient, int e)
    {
        model.Forward(input, e * model.InputSize, 1);
        model.Backward(outputGradient.AsSpan(e * model.OutputSize, model.OutputSize));
        return (float[])model.Gradients.Clone();
    }

    [Fact]
    public void PerExampleGradientsEqualTheGradientOfABatchOfOne()
    {
        var (model, input, outputGradient) = Setup();
        int length = model.Values.Length;
        var perExample = new float[Batch * length];
        model.Forward(input, Batch);
        model.PerExampleGradients(outputGradient, perExample);
        int active = 0;
        for (int e = 0; e < Batch; e++)
        {
            float[] single = GradientOfBatchOfOne(model, input, outputGradient, e);
            for (int i = 0; i < length; i++)
            {
                Assert.True(Math.Abs(single[i] - perExample[e * length + i]) <= 1e-5f * (1 + Math.Abs(single[i])), $"example {e}, element {i}: {perExample[e * length + i]} vs {single[i]}");
                if (single[i] != 0) active++;
            }
        }
        Assert.True(active > Batch * length / 4, "the check compares mostly non-zero gradients");
    }

    [Fact]
    public void NormIdentityAndScaledBackwardGiveTheClippedSumOfBatchesOfOne()
    {
        var (model, input, outputGradient) = Setup();
        int length = model.Values.Length;
        var singles = Enumerable.Range(0, Batch).Select(e => GradientOfBatchOfOne(model, input, outputGradient, e)).ToArray();
        model.Forward(input, Batch);
        var squared = new double[Batch];
        model.PerExampleSquaredGradientNorms(outputGradient, squared);
        var norms = singles.Select(g => Math.Sqrt(g.Sum(v => (double)v * v))).ToArray();
        for (int e = 0; e < Batch; e++) Assert.Equal(norms[e], Math.Sqrt(squared[e]), 4);
        // clip at the median norm: some examples are scaled, some are not
        double clip = norms.Order().ElementAt(Batch / 2);
        var scaled = (float[])outputGradient.Clone();
        var expected = new double[length];
        for (int e = 0; e < Batch; e++)
        {
            double f = DifferentiallyPrivateSgd<float>.ClipFactor(Math.Sqrt(squared[e]), clip);
            for (int k = 0; k < 3; k++) scaled[e * 3 + k] = (float)(scaled[e * 3 + k] * f);
            for (int i = 0; i < length; i++) expected[i] += f * singles[e][i];
        }
        model.Backward(scaled);
        for (int i = 0; i < length; i++) Assert.True(Math.Abs(expected[i] - model.Gradients[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"element {i}: {model.Gradients[i]} vs {expected[i]}");
    }

    [Fact]
    public void TheClippedSumStepEqualsTheLibraryStepOnMaterializedPerExampleGradients()
    {
        var (model, input, outputGradient) = Setup();
        int length = model.Values.Length;
        float[] start = (float[])model.Values.Clone();
        (DifferentiallyPrivateSgd<float> Dp, float[] Gradients) Wrap()
        {
            var sgd = Optim.Sgd<float>(0.1);
            sgd.AddGroup(model.Parameters.Select(p => new Descent.Optimizers.Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
            return (new DifferentiallyPrivateSgd<float>(sgd, maxGradientNorm: 0.5, noiseMultiplier: 1.3, expectedBatchSize: Batch, datasetSize: 600, seed: 3), model.Gradients);
        }
        var perExample = new float[Batch * length];
        model.Forward(input, Batch);
        model.PerExampleGradients(outputGradient, perExample);
        var (reference, _) = Wrap();
        reference.Step(perExample);
        float[] want = (float[])model.Values.Clone();

        start.CopyTo(model.Values, 0);
        var (fast, _) = Wrap();
        model.Forward(input, Batch);
        var squared = new double[Batch];
        model.PerExampleSquaredGradientNorms(outputGradient, squared);
        var scaled = (float[])outputGradient.Clone();
        int clipped = 0;
        for (int e = 0; e < Batch; e++)
        {
            double f = DifferentiallyPrivateSgd<float>.ClipFactor(Math.Sqrt(squared[e]), 0.5);
            if (f < 1) clipped++;
            for (int k = 0; k < 3; k++) scaled[e * 3 + k] = (float)(scaled[e * 3 + k] * f);
        }
        model.Backward(scaled);
        fast.StepFromClippedSum(clipped);
        Assert.Equal(reference.LastClipped, fast.LastClipped);
        Assert.True(clipped > 0);
        Assert.Equal(reference.Epsilon(1e-5), fast.Epsilon(1e-5));
        for (int i = 0; i < length; i++) Assert.True(Math.Abs(want[i] - model.Values[i]) <= 1e-5f * (1 + Math.Abs(want[i])), $"element {i}: {model.Values[i]} vs {want[i]}");
        Assert.NotEqual(start, want);
    }

    [Fact]
    public void NoiseIsCalibratedToTheTargetEpsilonForTheStepsTaken()
    {
        double previous = double.PositiveInfinity;
        foreach (double target in DpSgdExperiment.Epsilons)
        {
            double sigma = DpSgdExperiment.NoiseFor(target, 0.01, 1500, 1e-5);
            var accountant = new RdpAccountant();
            accountant.Step(0.01, sigma, 1500);
            double epsilon = accountant.Epsilon(1e-5).Epsilon;
            Assert.InRange(epsilon, target * (1 - 1e-4), target);
            Assert.True(sigma < previous, "a larger budget needs less noise");
            previous = sigma;
        }
    }

    [Fact]
    public void QuickRunReportsEveryArmAndIsInconclusive()
    {
        string dir = Directory.CreateTempSubdirectory("dp-sgd").FullName;
        var context = new ExperimentContext(dir, Mnist.FindDefaultDirectory(), Quick: true, Seed: 0, Log: _ => { });
        var result = new DpSgdExperiment().Run(context);
        var spent = (double[])result.Numbers["epsilon_spent"];
        for (int k = 0; k < spent.Length; k++) Assert.InRange(spent[k], DpSgdExperiment.Epsilons[k] * 0.999, DpSgdExperiment.Epsilons[k] * 1.000001);
        var baseline = (double[])result.Numbers["accuracy_non_private"];
        Assert.True(baseline.Average() > 50, $"the non-private baseline learns: {baseline.Average()} %");
        Assert.True(File.Exists(Path.Combine(dir, "dp-sgd-epsilon.png")));
        Assert.Equal(Verdict.Inconclusive, result.ReportedOutcome(quick: true));
    }
}

using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Losses;
using Descent.Optimizers;
using Descent.Schedules;

namespace Descent.Lab.Training;

/// <summary>
/// The LR range test (<see cref="LearningRateFinder"/>) driven on a <see cref="TrainingProblem"/>'s MLP: for each seed a fresh
/// model (initialised from the seed) and optimizer take one mini-batch step per rate of the ramp, in a seeded data order.
/// </summary>
public static class LearningRateRangeTest
{
    /// <summary>Runs the test once per seed and returns the band over seeds with the suggestions.</summary>
    /// <param name="problem">The problem (its training set is used).</param>
    /// <param name="optimizer">Optimizer text; its learning rate is replaced by the ramp's.</param>
    /// <param name="batchSize">Mini-batch size.</param>
    /// <param name="seeds">The seeds (at least one; with one, the band's lower and upper edges are NaN).</param>
    /// <param name="options">Ramp options (start, end, steps, smoothing, divergence factor).</param>
    public static LearningRateFinderBand Run(TrainingProblem problem, string optimizer, int batchSize, IReadOnlyList<int> seeds, LearningRateFinderOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var spec = OptimizerCatalog.Parse(optimizer);
        if (batchSize < 1 || batchSize > problem.Train.Count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch must be in [1, {problem.Train.Count}]; got {batchSize}.");
        return LearningRateFinder.RunRepeated(seed => StepFunction(problem, spec, batchSize, (ulong)seed), seeds, options);
    }

    private static Func<double, double> StepFunction(TrainingProblem problem, OptimizerSpec spec, int batchSize, ulong seed)
    {
        var model = new Mlp(problem.LayerSizes, batchSize, seed);
        var opt = spec.Create<float>();
        opt.AddGroup(model.Parameters.Select(p => new Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
        var sampler = new BatchSampler(problem.Train.Count, BatchMode.MiniBatch, batchSize, SeededRandom.Hash(seed, 0xDA7A, 1));
        var loss = new SoftmaxCrossEntropy<float>();
        int classes = model.OutputSize;
        var x = new float[batchSize * model.InputSize];
        var y = new int[batchSize];
        var g = new float[batchSize * classes];
        return lr =>
        {
            opt.Set(HyperparameterKey.LearningRate, lr);
            var idx = sampler.NextBatch();
            int n = idx.Length;
            problem.Train.Gather(idx, x.AsSpan(0, n * model.InputSize), y.AsSpan(0, n));
            var logits = model.Forward(x, 0, n);
            double value = loss.Evaluate(logits, y.AsSpan(0, n), classes, g.AsSpan(0, n * classes));
            if (!double.IsFinite(value)) return value;
            model.Backward(g.AsSpan(0, n * classes));
            opt.Step();
            return value;
        };
    }
}

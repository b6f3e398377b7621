using Descent.Lab.Data;
using Descent.Lab.Models;
using Descent.Lab.Training;
using Descent.Optimizers;
using Descent.Serialization;

namespace Descent.Lab.Tests.Training;

/// <summary>The trainer shares its epoch among the data-parallel seam's ranks with the tail of <see cref="TrainingOptions.SamplerTail"/>.</summary>
public class TrainerSamplerTailTests
{
    private static readonly TrainingProblem Small = TrainingProblem.Create("synthetic-mlp", hidden: 4, trainLimit: 128);

    // A seam that claims three ranks but computes every global batch itself (enough to see which batches the trainer deals).
    private sealed class RecordingParallel : IDataParallel
    {
        public List<int[]> Batches { get; } = [];
        public int Rank => 0;
        public int Size => 3;

        public Optimizer<float> CreateOptimizer(Func<Optimizer<float>> create, Mlp model)
        {
            var optimizer = create();
            optimizer.AddGroup(model.Parameters.Select(p => new Parameter<float>(p.Name, p.Value, p.Gradient, p.Shape)).ToArray());
            return optimizer;
        }

        public double ComputeGradient(ReadOnlySpan<int> batch, GradientSource source)
        {
            Batches.Add(batch.ToArray());
            return source(batch) / batch.Length;
        }

        public void Step(Optimizer<float> optimizer) => optimizer.Step();
        public void SaveOptimizer(Checkpoint checkpoint, string prefix, Optimizer<float> optimizer) => OptimizerCheckpoint.Save(checkpoint, prefix, optimizer);
        public void LoadOptimizer(Checkpoint checkpoint, string prefix, Optimizer<float> optimizer) => OptimizerCheckpoint.Load(checkpoint, prefix, optimizer);
    }

    private static TrainingOptions Options(SamplerTail tail) => new()
    {
        Optimizer = "sgd(lr=0.1)", Epochs = 2, BatchSize = 48, Seed = 1, SamplerTail = tail, MaxDegreeOfParallelism = 1,
    };

    [Theory]
    [InlineData(SamplerTail.None, 128, new[] { 48, 48, 32 })]
    [InlineData(SamplerTail.Pad, 129, new[] { 48, 48, 33 })]
    [InlineData(SamplerTail.Drop, 126, new[] { 48, 48, 30 })]
    public void EachEpochIsPaddedOrCutToAMultipleOfTheRanks(SamplerTail tail, int positions, int[] lengths)
    {
        var parallel = new RecordingParallel();
        var result = new Trainer(Small, Options(tail), parallel).Run();
        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.Equal(6, parallel.Batches.Count);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var batches = parallel.Batches.Skip(3 * epoch).Take(3).ToArray();
            Assert.Equal(lengths, batches.Select(b => b.Length));
            int[] all = [.. batches.SelectMany(b => b)];
            Assert.Equal(positions, all.Length);
            int distinct = all.Distinct().Count();
            Assert.Equal(Math.Min(128, positions), distinct); // pad: every sample, one twice; drop: 126 different ones
            if (tail == SamplerTail.Pad) Assert.Equal(all[0], all[128]);
        }
    }

    [Fact]
    public void OneProcessTrainsTheSameRunWithEveryTailAndTheCheckpointKeepsTheTail()
    {
        string none = new Trainer(Small, Options(SamplerTail.None)).Run().ParamsSha256;
        Assert.Equal(none, new Trainer(Small, Options(SamplerTail.Pad)).Run().ParamsSha256);
        Assert.Equal(none, new Trainer(Small, Options(SamplerTail.Drop)).Run().ParamsSha256);

        var padded = new Trainer(Small, Options(SamplerTail.Pad) with { Epochs = 1 }, new RecordingParallel());
        padded.Run();
        var checkpoint = padded.CreateCheckpoint();
        Assert.Equal(SamplerTail.Pad, Trainer.ReadConfiguration(checkpoint).Options.SamplerTail);
        var dropped = new Trainer(Small, Options(SamplerTail.Drop), new RecordingParallel());
        var ex = Assert.Throws<CheckpointException>(() => dropped.LoadCheckpoint(checkpoint));
        Assert.Contains("sampler tail", ex.Message);
        Assert.Throws<ArgumentException>(() => new Trainer(Small, Options(SamplerTail.Pad) with { Mode = BatchMode.FullBatch }));
    }
}

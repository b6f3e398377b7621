using Descent.Lab.Data;
using Descent.Lab.Training;
using Descent.Numerics;
using Descent.Optimizers;
using Descent.Serialization;

namespace Descent.Lab.Tests.Training;

public class TrainerTests
{
    private static readonly TrainingProblem Synthetic = TrainingProblem.Create("synthetic-mlp", hidden: 8);

    private static TrainingOptions Options(string optimizer, string? schedule, int epochs = 3, string? dir = null) => new()
    {
        Optimizer = optimizer, Schedule = schedule, Epochs = epochs, BatchSize = 100, Seed = 3, OutputDirectory = dir,
    };

    private static void AssertSameOptimizerState(Trainer a, Trainer b)
    {
        var x = a.Optimizer.SaveState();
        var y = b.Optimizer.SaveState();
        Assert.Equal(x.StepCount, y.StepCount);
        for (int i = 0; i < x.Parameters.Count; i++)
            for (int k = 0; k < x.Parameters[i].Buffers.Count; k++)
                Assert.True(x.Parameters[i].Buffers[k].Value.AsSpan().SequenceEqual(y.Parameters[i].Buffers[k].Value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.LearningRate), BitConverter.DoubleToInt64Bits(b.LearningRate));
    }

    [Theory]
    [InlineData("adamw(lr=0.01)", "onecycle(max=0.01)")]
    [InlineData("sgd(lr=0.1, momentum=0.9, nesterov=true)", "plateau(patience=0, factor=0.5)")]
    [InlineData("sgd(lr=0.1, momentum=0.9)", "sgdr(7, mult=2)")]
    [InlineData("schedule_free_adamw(lr=0.01)", null)]
    public void StoppedAndResumedRunIsBitIdenticalToStraightRun(string optimizer, string? schedule)
    {
        var straight = new Trainer(Synthetic, Options(optimizer, schedule));
        var s = straight.Run();
        Assert.Equal(TrainingStatus.Completed, s.Status);

        string dir = TestPaths.TempDirectory();
        var first = new Trainer(Synthetic, Options(optimizer, schedule, dir: dir) with { StopAfterEpochs = 1 });
        Assert.Equal(TrainingStatus.Stopped, first.Run().Status);
        var resumed = new Trainer(Synthetic, Options(optimizer, schedule, dir: dir));
        resumed.LoadCheckpoint(CheckpointFile.Load(Path.Combine(dir, Trainer.CheckpointFileName)));
        Assert.Equal(1, resumed.Epoch);
        var r = resumed.Run();
        Assert.Equal(TrainingStatus.Completed, r.Status);
        Assert.Equal(s.ParamsSha256, r.ParamsSha256);
        AssertSameOptimizerState(straight, resumed);
        Assert.Equal(s.History[^1].TestLoss, r.History[^1].TestLoss);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Length);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Length);
    }

    [Fact]
    public void ScheduleFreeIsEvaluatedAndFinishedAtTheAverageX()
    {
        var trainer = new Trainer(Synthetic, Options("schedule_free_adamw(lr=0.01)", null, epochs: 2));
        Assert.True(trainer.IsScheduleFree);
        var result = trainer.Run();
        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.False(trainer.Optimizer.IsTraining()); // the final parameters are x
        var atX = trainer.Evaluate(Synthetic.Test);
        Assert.Equal(result.TestLoss, atX.Loss);
        Assert.Equal(result.TestAccuracy, atX.Accuracy);
        Assert.Equal(result.History[^1].TestLoss, atX.Loss);
        Assert.Equal(trainer.ParameterHash(), result.ParamsSha256);
        trainer.Optimizer.SwitchToTraining(); // y is a different point: the reported loss was not measured at y
        Assert.NotEqual(result.TestLoss, trainer.Evaluate(Synthetic.Test).Loss);
        Assert.False(new Trainer(Synthetic, Options("adamw(lr=0.01)", null)).IsScheduleFree);
    }

    [Fact]
    public void MuonSeesTheWeightMatricesAs2D()
    {
        var trainer = new Trainer(Synthetic, Options("muon(lr=0.02)", null, epochs: 1));
        var shapes = trainer.Optimizer.Groups[0].Parameters.Select(p => p.Shape.Count).ToArray();
        Assert.Equal([2, 1, 2, 1], shapes);
        Assert.Equal(TrainingStatus.Completed, trainer.Run().Status);
    }

    [Fact]
    public void CancelledMidEpochSavesTheExactPositionAndResumesBitIdentically()
    {
        string optimizer = "adam(lr=0.01)", schedule = "cosine(60)";
        var straight = new Trainer(Synthetic, Options(optimizer, schedule) with { AccumulationSteps = 3 });
        var s = straight.Run();

        string dir = TestPaths.TempDirectory();
        using var cts = new CancellationTokenSource();
        var first = new Trainer(Synthetic, Options(optimizer, schedule, dir: dir) with { AccumulationSteps = 3 });
        var c = first.Run(cts.Token, p => { if (p.Epoch == 2 && p.Batch == 8) cts.Cancel(); });
        Assert.Equal(TrainingStatus.Cancelled, c.Status);
        Assert.Contains(Trainer.CheckpointFileName, c.Message);
        Assert.Equal(1, first.Optimizer.MicroStep); // 28 batches: in the middle of an accumulation
        var resumed = new Trainer(Synthetic, Options(optimizer, schedule, dir: dir) with { AccumulationSteps = 3 });
        resumed.LoadCheckpoint(CheckpointFile.Load(Path.Combine(dir, Trainer.CheckpointFileName)));
        Assert.Equal((1, 8), (resumed.Epoch, resumed.Batch));
        var r = resumed.Run();
        Assert.Equal(s.ParamsSha256, r.ParamsSha256);
        Assert.Equal(s.History[^1].TrainLoss, r.History[^1].TrainLoss);
        AssertSameOptimizerState(straight, resumed);
    }

    [Fact]
    public void NonFiniteLossStopsWithAMessageAndKeepsTheLastGoodCheckpoint()
    {
        string dir = TestPaths.TempDirectory();
        // 20 batches an epoch; from step 25 the rate is 1e30: the loss overflows during epoch 2.
        var t = new Trainer(Synthetic, Options("sgd(lr=0.1)", "piecewise([25], [1, 1e30])", epochs: 5, dir: dir));
        var r = t.Run();
        Assert.Equal(TrainingStatus.Diverged, r.Status);
        Assert.Contains("Training stopped: the loss is", r.Message);
        Assert.Contains("epoch 2", r.Message);
        Assert.Contains("last good checkpoint", r.Message);
        var c = CheckpointFile.Load(Path.Combine(dir, Trainer.CheckpointFileName));
        Assert.Equal(1, c.GetInt64("loop/epoch"));
        Assert.All(c.GetArray<float>("model/W1").ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void CheckpointOfAnotherRunFailsAndChangesNothing()
    {
        var a = new Trainer(Synthetic, Options("adam(lr=0.01)", null, epochs: 1));
        a.Run();
        var checkpoint = a.CreateCheckpoint();
        var other = new Trainer(TrainingProblem.Create("synthetic-mlp", hidden: 9), Options("adam(lr=0.01)", null, epochs: 1));
        string before = other.ParameterHash();
        var ex = Assert.Throws<CheckpointException>(() => other.LoadCheckpoint(checkpoint));
        Assert.Contains("layer sizes", ex.Message);
        Assert.Equal(before, other.ParameterHash());
        var sgd = new Trainer(Synthetic, Options("sgd(lr=0.01)", null, epochs: 1));
        before = sgd.ParameterHash();
        ex = Assert.Throws<CheckpointException>(() => sgd.LoadCheckpoint(checkpoint));
        Assert.Contains("optimizer", ex.Message);
        Assert.Equal(before, sgd.ParameterHash());
        Assert.Equal(0, sgd.Optimizer.StepCount);
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var problem = TrainingProblem.Create("mnist-mlp", hidden: 32, dataDirectory: TestPaths.MnistDirectory, trainLimit: 640);
        var hashes = new List<string>();
        foreach (int threads in new[] { 1, 2, 8 })
        {
            var t = new Trainer(problem, new TrainingOptions { Optimizer = "adamw(lr=3e-3)", Schedule = "onecycle(max=3e-3)", Epochs = 1, BatchSize = 128, Seed = 0, MaxDegreeOfParallelism = threads });
            hashes.Add(t.Run().ParamsSha256);
        }
        Assert.Single(hashes.Distinct());
    }

    [Theory]
    [InlineData(BatchMode.FullBatch, "sgd(lr=0.5)", 20)]
    [InlineData(BatchMode.SingleSample, "sgd(lr=0.01)", 1)]
    [InlineData(BatchMode.MiniBatch, "adam(lr=0.01)", 1)]
    public void EveryBatchModeLearns(BatchMode mode, string optimizer, int epochs)
    {
        var t = new Trainer(Synthetic, new TrainingOptions { Optimizer = optimizer, Epochs = epochs, Mode = mode, BatchSize = 100, Seed = 1 });
        var before = t.Evaluate(Synthetic.Test);
        var r = t.Run();
        Assert.True(r.TestLoss < before.Loss * 0.7, $"{mode}: {before.Loss} -> {r.TestLoss}");
        Assert.True(r.TestAccuracy > 0.9, $"{mode}: accuracy {r.TestAccuracy}");
        long expected = mode switch { BatchMode.FullBatch => epochs, BatchMode.SingleSample => 2000L * epochs, _ => 20L * epochs };
        Assert.Equal(expected, t.Optimizer.StepCount);
    }

    [Fact]
    public void AccumulationDividesTheSteps()
    {
        var t = new Trainer(Synthetic, Options("sgd(lr=0.1)", null, epochs: 2) with { AccumulationSteps = 4 });
        t.Run();
        Assert.Equal(10, t.Optimizer.StepCount);
    }

    [Fact]
    public void OneCycleDrivesAdamBeta1AndSgdMomentum()
    {
        var adam = new Trainer(Synthetic, Options("adamw(lr=0.01)", "onecycle(max=0.01)"));
        var beta1 = adam.Optimizer.GetDefault(HyperparameterKey.Beta1);
        Assert.Equal(0.95, beta1.At(0), 12);
        Assert.Equal(0.85, beta1.At(adam.TotalSteps * 3 / 10), 3);
        Assert.Equal(0.01 / 25, adam.LearningRate, 12);
        var sgd = new Trainer(Synthetic, Options("sgd(lr=0.01, momentum=0.9)", "onecycle(max=0.1)"));
        Assert.Equal(0.95, sgd.Optimizer.GetDefault(HyperparameterKey.Momentum).At(0), 12);
        var factor = new Trainer(Synthetic, Options("sgd(lr=0.2)", "cosine(60)"));
        Assert.Equal(0.2, factor.LearningRate, 15);
        Assert.Equal(0.1, factor.Optimizer.Groups[0].Get(HyperparameterKey.LearningRate).At(30), 12);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        static void Rejected(Action a) => Assert.True(Record.Exception(a) is ArgumentException or FormatException);
        Rejected(() => _ = new Trainer(Synthetic, Options("adamw(lr=-1)", null)));
        Rejected(() => _ = new Trainer(Synthetic, Options("nosuch()", null)));
        Rejected(() => _ = new Trainer(Synthetic, Options("adam()", "onecycle(")));
        Rejected(() => _ = new Trainer(Synthetic, Options("adam()", null, epochs: -1)));
        Rejected(() => _ = new Trainer(Synthetic, Options("adam()", null) with { BatchSize = 5000 }));
        Rejected(() => _ = TrainingProblem.Create("nosuch"));
    }
}

using Descent.Optimizers;
using Descent.Schedules;
using Descent.Serialization;

namespace Descent.Tests.Serialization;

public class OptimizerCheckpointTests
{
    private const int Before = 7, After = 6;

    /// <summary>A tiny deterministic problem: two parameters, gradient A x - b plus a step-dependent perturbation.</summary>
    private sealed class Tiny
    {
        public readonly float[] W = [0.5f, -1.2f, 2.0f, 0.1f, -0.3f, 0.7f];
        public readonly float[] B = [0.2f, -0.4f];
        public readonly float[] GW = new float[6];
        public readonly float[] GB = new float[2];
        public Optimizer<float> Optimizer = null!;
        public Schedule? Schedule;

        public static Tiny Create(string optimizer, string? schedule, int accumulation = 1, long total = Before + After + 1)
        {
            var t = new Tiny { Optimizer = OptimizerCatalog.Create<float>(optimizer) };
            t.Optimizer.GradientAccumulationSteps = accumulation;
            t.Optimizer.AddGroup(new Parameter<float>("W", t.W, t.GW, [2, 3]), new Parameter<float>("b", t.B, t.GB));
            if (schedule is not null)
            {
                t.Schedule = ScheduleText.Parse(schedule, total);
                var o = t.Optimizer;
                double lr = o.GetDefault(HyperparameterKey.LearningRate).Value;
                o.Set(HyperparameterKey.LearningRate, t.Schedule.IsAbsolute ? Hyperparameter.Scheduled(t.Schedule) : Hyperparameter.Scaled(lr, t.Schedule));
                if (t.Schedule.DrivesMomentum && o.Keys.Contains(HyperparameterKey.Beta1))
                {
                    var s = t.Schedule;
                    o.Set(HyperparameterKey.Beta1, Hyperparameter.Scheduled(new Fn(k => s.MomentumAt(k) ?? 0.9)));
                }
            }
            return t;
        }

        private sealed class Fn(Func<long, double> f) : ISchedule { public double At(long step) => f(step); }

        public void Steps(int n, ref int call)
        {
            for (int i = 0; i < n; i++, call++)
            {
                double loss = 0;
                for (int j = 0; j < W.Length; j++)
                {
                    GW[j] = W[j] * (1 + j % 3) - 0.1f * j + 0.05f * MathF.Sin(call + j);
                    loss += W[j] * W[j];
                }
                for (int j = 0; j < B.Length; j++) GB[j] = B[j] - 0.3f + 0.02f * MathF.Cos(call * 3 + j);
                Optimizer.Step();
                Schedule?.ReportMetric(call < 5 ? loss : 10); // plateau: improve, then stall
            }
        }

        public Checkpoint Save()
        {
            var c = new Checkpoint();
            c.Set("model/W", W);
            c.Set("model/b", B);
            OptimizerCheckpoint.Save(c, "optimizer", Optimizer);
            if (Schedule is not null) ScheduleCheckpoint.Save(c, "schedule", Schedule, Optimizer.StepCount);
            var stream = new MemoryStream();
            CheckpointFile.Write(stream, c);
            stream.Position = 0;
            return CheckpointFile.Read(stream);
        }

        public void Load(Checkpoint c)
        {
            OptimizerCheckpoint.Load(c, "optimizer", Optimizer);
            if (Schedule is not null) Assert.Equal(Optimizer.StepCount, ScheduleCheckpoint.Load(c, "schedule", Schedule));
            c.CopyArrayTo<float>("model/W", W);
            c.CopyArrayTo<float>("model/b", B);
        }
    }

    public static TheoryData<string> EveryCatalogOptimizer()
    {
        var data = new TheoryData<string>();
        foreach (var d in OptimizerCatalog.All)
        {
            data.Add(d.Name + "()");
            foreach (var v in d.Variants) data.Add(v);
        }
        return data;
    }

    private static void AssertSameState(Tiny want, Tiny got, string what)
    {
        Assert.Equal(want.W, got.W);
        Assert.Equal(want.B, got.B);
        var a = want.Optimizer.SaveState();
        var b = got.Optimizer.SaveState();
        Assert.Equal(a.StepCount, b.StepCount);
        Assert.Equal(a.SkippedSteps, b.SkippedSteps);
        Assert.Equal(a.MicroStep, b.MicroStep);
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            Assert.Equal(a.Parameters[i].Step, b.Parameters[i].Step);
            Assert.Equal(a.Parameters[i].Buffers.Count, b.Parameters[i].Buffers.Count);
            for (int k = 0; k < a.Parameters[i].Buffers.Count; k++)
                Assert.True(a.Parameters[i].Buffers[k].Value.AsSpan().SequenceEqual(b.Parameters[i].Buffers[k].Value), $"{what}: buffer {a.Parameters[i].Name}/{a.Parameters[i].Buffers[k].Key}");
            Assert.Equal(a.Parameters[i].Scalars.Select(x => BitConverter.DoubleToInt64Bits(x.Value)), b.Parameters[i].Scalars.Select(x => BitConverter.DoubleToInt64Bits(x.Value)));
        }
        Assert.Equal(BitConverter.DoubleToInt64Bits(want.Optimizer.Groups[0].LearningRate), BitConverter.DoubleToInt64Bits(got.Optimizer.Groups[0].LearningRate));
    }

    private static void ResumeEqualsStraight(string optimizer, string? schedule, int accumulation = 1)
    {
        var straight = Tiny.Create(optimizer, schedule, accumulation);
        int c1 = 0;
        straight.Steps(Before + After, ref c1);

        var first = Tiny.Create(optimizer, schedule, accumulation);
        int c2 = 0;
        first.Steps(Before, ref c2);
        var checkpoint = first.Save();
        var resumed = Tiny.Create(optimizer, schedule, accumulation);
        resumed.Load(checkpoint);
        resumed.Steps(After, ref c2);
        AssertSameState(straight, resumed, optimizer + " " + schedule);
        Assert.True(straight.W.AsSpan().SequenceEqual(resumed.W));
        Assert.False(straight.W.AsSpan().SequenceEqual(new Tiny().W), "the run must have moved the parameters");
    }

    [Theory]
    [MemberData(nameof(EveryCatalogOptimizer))]
    public void ResumeIsBitIdenticalForEveryOptimizer(string optimizer) => ResumeEqualsStraight(optimizer, null);

    [Theory]
    [InlineData("adam(lr=0.05)", "plateau(patience=1, factor=0.5)")]
    [InlineData("sgd(lr=0.05, momentum=0.9)", "sgdr(2, mult=2, min=0.1)")]
    [InlineData("adamw(lr=0.01)", "onecycle(max=0.01)")]
    [InlineData("sgd(lr=0.05, momentum=0.9)", "warmup(3) >> plateau(patience=0, factor=0.5)")]
    [InlineData("nadam()", "cosine(13)")]
    public void ResumeIsBitIdenticalWithSchedules(string optimizer, string schedule) => ResumeEqualsStraight(optimizer, schedule);

    [Fact]
    public void ResumeMidAccumulationIsBitIdentical() => ResumeEqualsStraight("adam(lr=0.05)", "cosine(4)", accumulation: 3);

    [Fact]
    public void PlateauStateIsRestored()
    {
        var a = Tiny.Create("adam(lr=0.05)", "plateau(patience=1, factor=0.5)");
        int call = 0;
        a.Steps(Before, ref call);
        Assert.True(a.Schedule!.Controllers().Single().Factor < 1, "the plateau must have reduced the rate before the checkpoint");
        var b = Tiny.Create("adam(lr=0.05)", "plateau(patience=1, factor=0.5)");
        b.Load(a.Save());
        Assert.Equal(a.Schedule.Controllers().Single().State, b.Schedule!.Controllers().Single().State);
    }

    private static OptimizerSnapshot<float> Copy(Tiny t) => t.Optimizer.SaveState();

    private static void AssertUnchanged(OptimizerSnapshot<float> before, float[] w, Tiny t)
    {
        var after = t.Optimizer.SaveState();
        Assert.Equal(before.StepCount, after.StepCount);
        for (int i = 0; i < before.Parameters.Count; i++)
            for (int k = 0; k < before.Parameters[i].Buffers.Count; k++)
                Assert.Equal(before.Parameters[i].Buffers[k].Value, after.Parameters[i].Buffers[k].Value);
        Assert.Equal(w, t.W);
    }

    [Fact]
    public void DifferentOptimizerKindFailsAndChangesNothing()
    {
        var saved = Tiny.Create("adam()", null);
        int call = 0;
        saved.Steps(3, ref call);
        var c = saved.Save();
        var target = Tiny.Create("sgd(momentum=0.9)", null);
        target.Steps(2, ref call);
        var before = Copy(target);
        var w = (float[])target.W.Clone();
        var ex = Assert.Throws<CheckpointException>(() => OptimizerCheckpoint.Load(c, "optimizer", target.Optimizer));
        Assert.Contains("'adam'", ex.Message);
        Assert.Contains("'sgd'", ex.Message);
        AssertUnchanged(before, w, target);
    }

    [Fact]
    public void DifferentParameterNamesOrShapesFailAndChangeNothing()
    {
        var saved = Tiny.Create("adam()", null);
        int call = 0;
        saved.Steps(3, ref call);
        var c = saved.Save();

        var renamed = OptimizerCatalog.Create<float>("adam()");
        renamed.AddGroup(new Parameter<float>("W", new float[6], new float[6]), new Parameter<float>("bias", new float[2], new float[2]));
        var before = renamed.SaveState();
        var ex = Assert.Throws<CheckpointException>(() => OptimizerCheckpoint.Load(c, "optimizer", renamed));
        Assert.Contains("'b'", ex.Message);
        Assert.Contains("'bias'", ex.Message);
        Assert.Equal(0, renamed.StepCount);
        Assert.All(renamed.SaveState().Parameters.SelectMany(p => p.Buffers), b => Assert.All(b.Value, v => Assert.Equal(0f, v)));

        var resized = OptimizerCatalog.Create<float>("adam()");
        resized.AddGroup(new Parameter<float>("W", new float[8], new float[8]), new Parameter<float>("b", new float[2], new float[2]));
        ex = Assert.Throws<CheckpointException>(() => OptimizerCheckpoint.Load(c, "optimizer", resized));
        Assert.Contains("optimizer/W/exp_avg", ex.Message);
        Assert.Equal(0, resized.StepCount);
        Assert.Equal(before.Parameters.Count, resized.SaveState().Parameters.Count);

        var asDouble = OptimizerCatalog.Create<double>("adam()");
        asDouble.AddGroup(new Parameter<double>("W", new double[6], new double[6]), new Parameter<double>("b", new double[2], new double[2]));
        ex = Assert.Throws<CheckpointException>(() => OptimizerCheckpoint.Load(c, "optimizer", asDouble));
        Assert.Contains("expected DoubleArray", ex.Message);
        Assert.Equal(0, asDouble.StepCount);
    }

    [Fact]
    public void DifferentPlateauCountFailsAndChangesNothing()
    {
        var a = Tiny.Create("adam(lr=0.05)", "plateau(patience=1, factor=0.5)");
        int call = 0;
        a.Steps(Before, ref call);
        var c = a.Save();
        var two = ScheduleText.Parse("mul(plateau(patience=1), plateau(patience=2))");
        var states = two.Controllers().Select(x => x.State).ToArray();
        var ex = Assert.Throws<CheckpointException>(() => ScheduleCheckpoint.Load(c, "schedule", two));
        Assert.Contains("1 plateau controllers", ex.Message);
        Assert.Equal(states, two.Controllers().Select(x => x.State).ToArray());
    }
}

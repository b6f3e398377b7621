using Descent.Numerics;
using Descent.Optimizers;
using Descent.Optimizers.Rules;
using Descent.Schedules;

namespace Descent.Tests.Optimizers;

/// <summary>The fused kernels equal the composed chains bit for bit in double: parameters and every state buffer.</summary>
public class FusedParityTests
{
    internal sealed record Halving(long Every) : ISchedule
    {
        public double At(long step) => Math.Pow(0.5, step / Every);
    }

    /// <summary>
    /// Every catalog entry with a fused kernel, bare and in each variant its definition lists; each also under a factor schedule
    /// (suffix <c>+schedule</c>), which exercises the schedule factor inside the kernels.
    /// </summary>
    public static TheoryData<string> Configurations()
    {
        var data = new TheoryData<string>();
        foreach (var d in OptimizerCatalog.All)
        {
            if (!d.Create<double>(OptimizerCatalog.Parse(d.Name + "()")).HasFusedKernel) continue;
            foreach (var text in (string[])[d.Name + "()", .. d.Variants])
            {
                data.Add(text);
                data.Add(text + "+schedule");
            }
        }
        return data;
    }

    private static Optimizer<double> Create(string configuration)
    {
        bool scheduled = configuration.EndsWith("+schedule", StringComparison.Ordinal);
        var optimizer = OptimizerCatalog.Create<double>(scheduled ? configuration[..^"+schedule".Length] : configuration);
        if (scheduled)
        {
            double rate = optimizer.GetDefault(HyperparameterKey.LearningRate).Value;
            optimizer.Set(HyperparameterKey.LearningRate, Hyperparameter.Scaled(rate, new Halving(2)));
        }
        return optimizer;
    }

    private sealed class Setup
    {
        public required Optimizer<double> Optimizer;
        public required Parameter<double>[] Parameters;
    }

    /// <summary>One parameter of every length 0..257, each an unaligned slice (offset 1..3) of a larger array.</summary>
    private static Setup Build(Optimizer<double> optimizer, int seed, int[] lengths)
    {
        var random = new Random(seed);
        var ps = new Parameter<double>[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            int n = lengths[i], offset = 1 + i % 3;
            var value = new double[n + offset + 2];
            var grad = new double[n + offset + 2];
            for (int j = 0; j < value.Length; j++) value[j] = random.NextDouble() * 4 - 2;
            ps[i] = new Parameter<double>($"p{i}", value.AsMemory(offset, n), grad.AsMemory(offset, n));
        }
        optimizer.AddGroup(ps);
        return new Setup { Optimizer = optimizer, Parameters = ps };
    }

    private static void FillGradients(Setup s, Random random)
    {
        foreach (var p in s.Parameters)
        {
            var g = p.Gradient.Span;
            for (int j = 0; j < g.Length; j++) g[j] = random.NextDouble() * 2 - 1;
        }
    }

    private static void AssertBitIdentical(Setup composed, Setup fused, string where)
    {
        for (int i = 0; i < composed.Parameters.Length; i++)
        {
            Assert.True(composed.Parameters[i].Value.Span.SequenceEqual(fused.Parameters[i].Value.Span) && BitsEqual(composed.Parameters[i].Value.Span, fused.Parameters[i].Value.Span),
                $"{where}: parameter p{i} differs");
        }
        var a = composed.Optimizer.StateBuffers.ToArray();
        var b = fused.Optimizer.StateBuffers.ToArray();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].ParameterName, b[i].ParameterName);
            Assert.Equal(a[i].BufferName, b[i].BufferName);
            Assert.True(BitsEqual(a[i].Values.Span, b[i].Values.Span), $"{where}: state {a[i].ParameterName}.{a[i].BufferName} differs");
        }
    }

    private static bool BitsEqual(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) return false;
        for (int i = 0; i < x.Length; i++)
            if (BitConverter.DoubleToInt64Bits(x[i]) != BitConverter.DoubleToInt64Bits(y[i])) return false;
        return true;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void FusedEqualsComposedForEveryLengthAndUnalignedSlices(string name)
    {
        int[] lengths = Enumerable.Range(0, 258).ToArray();
        var composed = Build(Create(name), 7, lengths);
        var fused = Build(Create(name), 7, lengths);
        composed.Optimizer.UseFusedKernels = false;
        Assert.True(fused.Optimizer.HasFusedKernel);
        var r1 = new Random(11);
        var r2 = new Random(11);
        for (int step = 1; step <= 4; step++)
        {
            FillGradients(composed, r1);
            FillGradients(fused, r2);
            composed.Optimizer.Step();
            fused.Optimizer.Step();
            AssertBitIdentical(composed, fused, $"{name} step {step}");
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void MultithreadedFusedEqualsComposedAndSingleThreaded(string name)
    {
        int[] lengths = [FusedLoop.ParallelThreshold * 2 + 13];
        var composed = Build(Create(name), 3, lengths);
        composed.Optimizer.UseFusedKernels = false;
        var threaded = Build(Create(name), 3, lengths);
        threaded.Optimizer.MaxDegreeOfParallelism = 4;
        var single = Build(Create(name), 3, lengths);
        single.Optimizer.MaxDegreeOfParallelism = 1;
        for (int step = 1; step <= 2; step++)
        {
            FillGradients(composed, new Random(step));
            FillGradients(threaded, new Random(step));
            FillGradients(single, new Random(step));
            composed.Optimizer.Step();
            threaded.Optimizer.Step();
            single.Optimizer.Step();
            AssertBitIdentical(composed, threaded, $"{name} threaded step {step}");
            AssertBitIdentical(composed, single, $"{name} single step {step}");
        }
    }

    [Fact]
    public void FloatFusedMatchesComposedClosely()
    {
        var random = new Random(5);
        float[] v1 = Enumerable.Range(0, 301).Select(_ => (float)random.NextDouble()).ToArray();
        float[] v2 = (float[])v1.Clone();
        float[] g = Enumerable.Range(0, 301).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var a = Optim.AdamW<float>(1e-2);
        a.UseFusedKernels = false;
        a.AddGroup(new Parameter<float>("w", v1, (float[])g.Clone()));
        var b = Optim.AdamW<float>(1e-2);
        b.AddGroup(new Parameter<float>("w", v2, (float[])g.Clone()));
        for (int i = 0; i < 3; i++) { a.Step(); b.Step(); }
        Assert.Equal(v1, v2);
    }
}

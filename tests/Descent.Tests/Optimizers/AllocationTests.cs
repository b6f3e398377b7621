using System.Numerics;
using Descent.Numerics;
using Descent.Optimizers;
using Descent.Optimizers.Aids;

namespace Descent.Tests.Optimizers;

/// <summary>
/// After the first steps nothing allocates: every catalog optimizer on a matrix and a vector (composed or fused, whatever it
/// has); every fused one in float and double on one large buffer and on many small tensors (the batched path); the aids that
/// wrap an optimizer.
/// </summary>
public class AllocationTests
{
    [Theory]
    [InlineData(false, 1000)]
    [InlineData(false, 140_000)]
    [InlineData(true, 1000)]
    [InlineData(true, 140_000)]
    public void AStepAllocatesNothingAfterTheFirst(bool composed, int length)
    {
        foreach (var o in new[] { Optim.AdamW<double>(amsgrad: true), Optim.Sgd<double>(momentum: 0.9), Optim.RmsProp<double>(centered: true, momentum: 0.9), Optim.AdaGrad<double>(), Optim.NAdam<double>() })
        {
            o.UseFusedKernels = !composed;
            o.MaxDegreeOfParallelism = 4;
            o.NonFinitePolicy = NonFinitePolicy.SkipStep;
            var (v, g) = TestObjectives.RandomBuffers(length, 1);
            o.AddGroup(new Parameter<double>("w", v, g));
            o.AddGroup(new Parameter<double>("b", new double[7], new double[7])).Set(HyperparameterKey.LearningRate, 1e-4);
            for (int i = 0; i < 4; i++) o.Step();
            long allocated = SteadyStateAllocation.Measure(o.Step, calls: 3);
            Assert.True(allocated == 0, $"{o.Kind}: {allocated} bytes allocated in 3 steps");
        }
    }

    public static TheoryData<string> FusedCatalogNames()
    {
        var data = new TheoryData<string>();
        foreach (var d in OptimizerCatalog.All)
            if (OptimizerCatalog.Create<double>(d.Name + "()").HasFusedKernel) data.Add(d.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(FusedCatalogNames))]
    public void FusedStepsAllocateNothingAfterTheFirst(string name)
    {
        AssertNoAllocation<float>(name, [FusedLoop.ParallelThreshold + 17]);
        AssertNoAllocation<double>(name, [FusedLoop.ParallelThreshold + 17]);
        // Many small tensors (batched onto the pool) mixed with one large one.
        int[] many = [.. Enumerable.Repeat(1000, 60), FusedLoop.ParallelThreshold, 3];
        AssertNoAllocation<float>(name, many);
        AssertNoAllocation<double>(name, many);
    }

    private static void AssertNoAllocation<T>(string name, int[] lengths) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var o = OptimizerCatalog.Create<T>(name + "()");
        o.MaxDegreeOfParallelism = 3;
        Assert.True(o.HasFusedKernel);
        o.AddGroup(lengths.Select((n, i) => new Parameter<T>($"p{i}", new T[n], Enumerable.Repeat(T.CreateTruncating(0.01), n).ToArray())).ToArray());
        o.Step();
        o.Step();
        long allocated = SteadyStateAllocation.Measure(o.Step, calls: 3);
        Assert.True(allocated == 0, $"{name} {typeof(T).Name} [{lengths.Length} tensors]: {allocated} bytes in 3 steps");
    }

    public static TheoryData<string> CatalogNames() => new(OptimizerCatalog.All.Select(d => d.Name));

    private static long AllocatedBy(Action step)
    {
        for (int i = 0; i < 3; i++) step(); // first steps may size scratch buffers
        return SteadyStateAllocation.Measure(step, calls: 10);
    }

    private static Optimizer<double> Build(Optimizer<double> optimizer)
    {
        var g = new double[12];
        for (int i = 0; i < 12; i++) g[i] = 0.1 * (i - 5);
        optimizer.AddGroup(new Parameter<double>("w", new double[12], g, [4, 3]), new Parameter<double>("b", new double[12], g));
        return optimizer;
    }

    [Theory]
    [MemberData(nameof(CatalogNames))]
    public void StepsAllocateNothing(string name)
    {
        var optimizer = Build(OptimizerCatalog.Create<double>(name + "()"));
        Assert.Equal(0, AllocatedBy(optimizer.Step));
    }

    public static TheoryData<string> SparseCatalogNames() =>
        new(OptimizerCatalog.All.Select(d => d.Name).Where(n => OptimizerCatalog.Create<double>(n + "()").SupportsSparseGradients));

    [Theory]
    [MemberData(nameof(SparseCatalogNames))]
    public void SparseStepsAllocateNothingAfterTheLargestRowSet(string name)
    {
        AssertSparseNoAllocation<float>(name);
        AssertSparseNoAllocation<double>(name);
    }

    private static void AssertSparseNoAllocation<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Width = 4;
        var o = OptimizerCatalog.Create<T>(name + "()");
        var p = new Parameter<T>("embedding", new T[50 * Width], new T[50 * Width], [50, Width]);
        o.AddGroup(p);
        var sparse = new SparseGradient<T>(Width);
        p.SparseGradient = sparse;
        var values = Enumerable.Range(0, 6 * Width).Select(i => T.CreateTruncating(0.01 * (i - 11))).ToArray();
        // Row sets of different sizes, repeats included (coalesced); the largest comes first.
        int[][] sets = [[3, 7, 7, 40, 12, 0], [5], [49, 1, 2], [8, 8]];
        void Steps()
        {
            foreach (int[] rows in sets)
            {
                sparse.Set(rows, values.AsSpan(0, rows.Length * Width));
                o.Step();
            }
        }
        Steps();
        long allocated = SteadyStateAllocation.Measure(Steps, calls: 1);
        Assert.True(allocated == 0, $"{name} {typeof(T).Name}: {allocated} bytes in {sets.Length} sparse steps");
    }

    [Fact]
    public void WrapperStepsAllocateNothing()
    {
        var inner = Build(Optim.Adam<double>());
        var lookahead = new Lookahead<double>(inner, 2);
        Assert.Equal(0, AllocatedBy(lookahead.Step));
        var baseOptimizer = Build(Optim.Sgd<double>(learningRate: 0.01));
        var sam = new SharpnessAwareMinimization<double>(baseOptimizer);
        Action closure = () => { };
        Assert.Equal(0, AllocatedBy(() => sam.Step(closure)));
        var ema = new ExponentialMovingAverage<double>(inner);
        Assert.Equal(0, AllocatedBy(ema.Update));
    }
}

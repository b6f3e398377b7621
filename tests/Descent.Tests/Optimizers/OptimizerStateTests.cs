using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>Optimizer state (<c>Optimizer.State.cs</c>): save, load and continue; the layout of the named buffers.</summary>
public class OptimizerStateTests
{
    [Fact]
    public void SaveLoadContinueEqualsUninterruptedAndMismatchChangesNothing()
    {
        var (v1, g1) = TestObjectives.RandomBuffers(8, 6);
        var v2 = (double[])v1.Clone();
        var a = Optim.AdamW<double>(1e-2, amsgrad: true);
        a.AddGroup(new Parameter<double>("w", v1, g1));
        a.Step(); a.Step();
        var snapshot = a.SaveState();
        var b = Optim.AdamW<double>(1e-2, amsgrad: true);
        Array.Copy(v1, v2, v1.Length);
        b.AddGroup(new Parameter<double>("w", v2, (double[])g1.Clone()));
        b.LoadState(snapshot);
        a.Step(); b.Step();
        Assert.Equal(v1, v2);
        Assert.Equal(a.StepCount, b.StepCount);

        var c = Optim.AdamW<double>(1e-2); // no amsgrad: one buffer fewer
        c.AddGroup(new Parameter<double>("w", new double[8], new double[8]));
        var before = c.SaveState();
        Assert.Throws<ArgumentException>(() => c.LoadState(snapshot));
        Assert.Throws<ArgumentException>(() => Optim.Adam<double>(amsgrad: true).LoadState(snapshot)); // kind differs
        Assert.Equal(0, c.StepCount);
        Assert.All(c.StateBuffers, s => Assert.All(s.Values.ToArray(), x => Assert.Equal(0, x)));
        Assert.Equal(before.Parameters[0].Buffers.Count, c.ParameterStates.Single().Buffers.Count);
    }

    [Fact]
    public void StateLaidOutByNameKeepsNamesLengthsAndInitialValuesAndSharesNothing()
    {
        var opt = Optim.AdaGrad<float>(0.1, initialAccumulatorValue: 0.25);
        opt.GradientAccumulationSteps = 2;
        var parameters = Enumerable.Range(0, 5).Select(i => new Parameter<float>($"p{i}", new float[10 + i], new float[10 + i])).ToArray();
        opt.AddGroup(parameters);
        var states = opt.ParameterStates.ToArray();
        Assert.Equal(5, states.Length);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(["sum", "accumulated_gradient"], states[i].Buffers.Select(b => b.Key));
            Assert.All(states[i].Buffers, b => Assert.Equal(10 + i, b.Value.Length));
            Assert.All(states[i].Buffer("sum"), v => Assert.Equal(0.25f, v));
            Assert.All(states[i].Buffer("accumulated_gradient"), v => Assert.Equal(0f, v));
        }
        var arrays = states.SelectMany(s => s.Buffers.Select(b => b.Value)).ToArray();
        Assert.Equal(arrays.Length, arrays.Distinct(ReferenceEqualityComparer.Instance).Count());
    }
}

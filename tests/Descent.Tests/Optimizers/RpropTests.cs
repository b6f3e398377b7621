using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary>Rprop's sign logic, beyond the PyTorch traces (<see cref="OptimizerParityTests"/>: rprop, rprop-bounds in double and float).</summary>
public class RpropTests
{
    [Fact]
    public void RpropGrowsShrinksAndPausesBySignAndIgnoresZeroGradients()
    {
        var p = new double[] { 0, 0, 0 };
        var g = new double[3];
        var o = Optim.Rprop<double>(learningRate: 0.1);
        o.AddGroup(new Parameter<double>("p", p, g));
        double[] Step(params double[] gradient) { gradient.CopyTo(g, 0); o.Step(); return (double[])p.Clone(); }
        double[] StepSizes() => o.StateBuffers.Single(b => b.BufferName == "step_size").Values.ToArray();
        // step 1: prev = 0, so every factor is 1 and each element moves by the initial step lr against its sign (0 stays)
        Assert.Equal(new[] { -0.1, 0.1, 0 }, Step(1, -1, 0));
        // step 2: same sign -> step × 1.2; flipped sign -> step × 0.5 and no move (gradient taken as 0); zero -> unchanged
        Assert.Equal(new[] { -0.1 - 0.12, 0.1, 0 }, Step(1, 1, 0), new ToleranceComparer(1e-15));
        Assert.Equal(new[] { 0.12, 0.05, 0.1 }, StepSizes(), new ToleranceComparer(1e-15));
        // step 3: after the pause prev = 0 for element 1, so its step size is kept (0.05) and it moves again
        Assert.Equal(new[] { -0.1 - 0.12 - 0.144, 0.1 - 0.05, -0.1 }, Step(1, 1, 1), new ToleranceComparer(1e-15));
        // bounds: the step size never leaves [min, max]
        var q = new double[] { 0 };
        var r = Optim.Rprop<double>(learningRate: 1, stepSizeMin: 0.3, stepSizeMax: 1.5);
        var gq = new double[] { 1 };
        r.AddGroup(new Parameter<double>("q", q, gq));
        for (int i = 0; i < 5; i++) r.Step();
        Assert.Equal(1.5, r.StateBuffers.Single(b => b.BufferName == "step_size").Values.Span[0]);
        for (int i = 0; i < 6; i++) { gq[0] = -gq[0]; r.Step(); }
        Assert.Equal(0.3, r.StateBuffers.Single(b => b.BufferName == "step_size").Values.Span[0], 15);
    }

    [Fact]
    public void RpropRejectsEtasAndStepSizesOutOfOrderAndChangesNothing()
    {
        Assert.Contains("etas", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Rprop<double>(etaMinus: 1.0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Rprop<double>(etaPlus: 0.9));
        Assert.Contains("step_sizes", Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Rprop<double>(stepSizeMin: 2, stepSizeMax: 1)).Message);
    }
}

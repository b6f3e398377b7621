using Descent.Optimizers;
using Descent.Optimizers.Rules;

namespace Descent.Tests.Optimizers;

/// <summary>First steps derived by hand from each paper's pseudocode, for the optimizers without a PyTorch reference:
/// Yogi (Zaheer et al. 2018, Alg. 2), NovoGrad (Ginsburg et al. 2019, Alg. 1 / Optax), FTRL (McMahan et al. 2013, Alg. 1 in
/// Keras' form), DoG (Ivgi et al. 2023, Alg. 1), AGC (Brock et al. 2021, eq. 3).</summary>
public class PaperOptimizerFirstStepTests
{
    private static (Optimizer<double> Optimizer, double[] P, double[] G) Make(Optimizer<double> o, double[] p, int[]? shape = null)
    {
        var g = new double[p.Length];
        o.AddGroup(new Parameter<double>("p", p, g, shape));
        return (o, p, g);
    }

    [Fact]
    public void YogiFirstTwoSteps()
    {
        // m1 = (1-β1) g; v1 = v0 - (1-β2) sign(v0 - g²) g² = 1e-6 + 0.001 g²; p1 = p0 - lr m1 / (√v1 + ε)
        var (o, p, g) = Make(Optim.Yogi<double>(learningRate: 0.01), [1.0, -1.0]);
        g[0] = 0.5; g[1] = 0;
        o.Step();
        double m1 = 0.05, v1 = 1e-6 + 0.001 * 0.25;
        Assert.Equal(1 - 0.01 * m1 / (Math.Sqrt(v1) + 1e-3), p[0], 15);
        Assert.Equal(-1.0, p[1]); // zero gradient: m stays 0, v unchanged (sign(v - 0) · 0)
        // step 2 with g² < v: v grows back toward g² additively: v2 = v1 + 0.001 g²  (sign(v1 - g²) = -1 when g² > v1)
        g[0] = 0.01;
        double before = p[0];
        o.Step();
        double m2 = 0.9 * m1 + 0.1 * 0.01, v2 = v1 - 0.001 * Math.Sign(v1 - 1e-4) * 1e-4;
        Assert.Equal(before - 0.01 * m2 / (Math.Sqrt(v2) + 1e-3), p[0], 15);
    }

    [Fact]
    public void NovoGradFirstTwoStepsUseTheLayerNorm()
    {
        // v1 = ‖g‖²; m1 = g/(‖g‖ + ε) + wd p0; p1 = p0 - lr m1. v2 = β2 v1 + (1-β2)‖g2‖²; m2 = β1 m1 + g2/(√v2 + ε) + wd p1
        const double lr = 0.1, wd = 0.01, eps = 1e-6;
        var (o, p, g) = Make(Optim.NovoGrad<double>(lr, 0.9, 0.25, eps, wd), [1.0, 2.0]);
        g[0] = 3; g[1] = 4;
        o.Step();
        double[] m1 = [3 / (5 + eps) + wd * 1.0, 4 / (5 + eps) + wd * 2.0];
        double[] p1 = [1 - lr * m1[0], 2 - lr * m1[1]];
        Assert.Equal(p1[0], p[0], 15);
        Assert.Equal(p1[1], p[1], 15);
        g[0] = 0; g[1] = 1;
        o.Step();
        double v2 = 0.25 * 25 + 0.75 * 1;
        double[] m2 = [0.9 * m1[0] + 0 + wd * p1[0], 0.9 * m1[1] + 1 / (Math.Sqrt(v2) + eps) + wd * p1[1]];
        Assert.Equal(p1[0] - lr * m2[0], p[0], 14);
        Assert.Equal(p1[1] - lr * m2[1], p[1], 14);
    }

    [Fact]
    public void FtrlFirstStepAndL1Sparsity()
    {
        // n1 = n0 + g²; z1 = g - (√n1 - √n0)/lr · w0; w1 = (clip(z1, ±l1) - z1) / (√n1/lr + 2 l2)
        const double lr = 0.5, l2 = 0.1;
        var (o, p, g) = Make(Optim.Ftrl<double>(lr, l2: l2), [0.3, 0.0]);
        g[0] = 0.4; g[1] = -2;
        o.Step();
        double n1 = 0.1 + 0.16, z1 = 0.4 - (Math.Sqrt(n1) - Math.Sqrt(0.1)) / lr * 0.3;
        Assert.Equal(-z1 / (Math.Sqrt(n1) / lr + 2 * l2), p[0], 15);
        double n1b = 0.1 + 4, z1b = -2;
        Assert.Equal(-z1b / (Math.Sqrt(n1b) / lr + 2 * l2), p[1], 15);
        // with l1 ≥ |z| the weight is exactly 0 (the sparsity FTRL-Proximal is used for)
        var (o2, p2, g2) = Make(Optim.Ftrl<double>(lr, l1: 1.0), [0.0, 0.0]);
        g2[0] = 0.5; g2[1] = -3;
        o2.Step();
        Assert.Equal(0.0, p2[0]);
        Assert.NotEqual(0.0, p2[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Ftrl<double>(learningRatePower: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Ftrl<double>(initialAccumulatorValue: 0));
    }

    [Fact]
    public void DogFirstTwoStepsOverAllParameters()
    {
        // r_ε = 1e-6 (1 + ‖x0‖); η1 = r_ε / √(‖g1‖² + 1e-8); x1 = x0 - η1 g1; r̄2 = max(r_ε, ‖x1 - x0‖); η2 = r̄2 / √(‖g1‖² + ‖g2‖² + 1e-8)
        var a = new double[] { 3.0 };
        var b = new double[] { 4.0 };
        var ga = new double[] { 1.0 };
        var gb = new double[] { 2.0 };
        var o = Optim.Dog<double>();
        o.AddGroup(new Parameter<double>("a", a, ga), new Parameter<double>("b", b, gb));
        o.Step();
        double reps = 1e-6 * (1 + 5), eta1 = reps / Math.Sqrt(5 + 1e-8);
        Assert.Equal(3 - eta1 * 1, a[0], 15);
        Assert.Equal(4 - eta1 * 2, b[0], 15);
        Assert.Equal(eta1, ScaleByDog<double>.LastStepSize(o), 15);
        ga[0] = -1; gb[0] = 0.5;
        o.Step();
        double moved = eta1 * Math.Sqrt(5), eta2 = Math.Max(reps, moved) / Math.Sqrt(5 + 1.25 + 1e-8);
        Assert.Equal(3 - eta1 + eta2, a[0], 15);
        Assert.Equal(4 - 2 * eta1 - 0.5 * eta2, b[0], 15);
    }

    [Fact]
    public void DogStepSizeGrowsFromREpsilonOnALinearFunction()
    {
        // constant gradient: r̄_{t+1} = Σ_{i≤t} η_i and η_{t+1} = r̄_{t+1} / √(t + 1), so S_{t+1} = S_t (1 + 1/√t): after a short dip
        // (η2 = η1/√2) the step size grows faster than any power of t, whatever r_ε was
        var x = new double[] { 0.0 };
        var g = new double[] { 1.0 };
        var o = Optim.Dog<double>();
        o.AddGroup(new Parameter<double>("x", x, g));
        var etas = new List<double>();
        for (int t = 0; t < 60; t++)
        {
            o.Step();
            etas.Add(ScaleByDog<double>.LastStepSize(o));
        }
        double sum = etas[0];
        for (int t = 1; t < etas.Count; t++)
        {
            Assert.Equal(sum / Math.Sqrt(t + 1 + 1e-8), etas[t], 12);
            sum += etas[t];
        }
        Assert.True(etas[^1] > 1e4 * etas[0], $"η grew only from {etas[0]} to {etas[^1]}");
    }

    [Fact]
    public void AgcClipsEachUnitToLambdaTimesItsWeightNorm()
    {
        // W rows (3, 4) and (0, 0): norms 5 and 0 -> max(‖W_i‖, 1e-3) λ = 0.05 and 1e-5 (λ = 0.01)
        var w = new double[] { 3, 4, 0, 0 };
        var g = new double[] { 0.6, 0.8, 0, 1e-6 };
        var rule = new AdaptiveGradientClipping<double>();
        var o = Optim.Chain<double>("agc-only", new() { [HyperparameterKey.LearningRate] = 1.0 }, rule, new ScaleByLearningRate<double>());
        o.AddGroup(new Parameter<double>("w", w, g, [2, 2]));
        o.Step();
        // row 0: ‖G‖ = 1 > 0.05 -> G scaled to norm 0.05; row 1: ‖G‖ = 1e-6 ≤ 1e-5 -> unchanged
        Assert.Equal(3 - 0.03, w[0], 15);
        Assert.Equal(4 - 0.04, w[1], 15);
        Assert.Equal(0.0, w[2]);
        Assert.Equal(-1e-6, w[3], 15);
        Assert.Equal(2, AdaptiveGradientClipping<double>.Units([2, 2], 4));
        Assert.Equal(1, AdaptiveGradientClipping<double>.Units([4], 4));
        Assert.Equal(1, AdaptiveGradientClipping<double>.Units([1, 4], 4)); // a row vector is one unit
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGradientClipping<double>(0));
    }
}

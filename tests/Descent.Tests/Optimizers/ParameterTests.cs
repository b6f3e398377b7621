using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

/// <summary><see cref="Parameter{T}"/> (<c>Parameter.cs</c>): buffers of different lengths or names are refused.</summary>
public class ParameterTests
{
    [Fact]
    public void LengthMismatchIsRejectedAndChangesNothing()
    {
        Assert.Throws<ArgumentException>(() => new Parameter<double>("w", new double[4], new double[5]));
        Assert.Throws<ArgumentException>(() => new Parameter<double>("w", new double[4], new double[4], [3, 2]));
        var p = new Parameter<double>("w", new double[] { 1, 2, 3 }, new double[] { 1, 1, 1 });
        var g = p.Gradient;
        Assert.Throws<ArgumentException>(() => p.Gradient = new double[2]);
        Assert.Equal(g, p.Gradient);
        var o = Optim.Sgd<double>();
        o.AddGroup(p);
        Assert.Throws<ArgumentException>(() => o.AddGroup(new Parameter<double>("w", new double[1], new double[1])));
        Assert.Single(o.Groups);
    }
}

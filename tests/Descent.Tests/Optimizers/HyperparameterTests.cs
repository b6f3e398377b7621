using Descent.Optimizers;

namespace Descent.Tests.Optimizers;

public class HyperparameterTests
{
    [Fact]
    public void TheTableHasOneRowPerKeyInKeyOrderWithUniqueNames()
    {
        var keys = Enum.GetValues<HyperparameterKey>();
        Assert.Equal(keys.Length, Hyperparameters.Count);
        for (int i = 0; i < keys.Length; i++) Assert.Equal(keys[i], Hyperparameters.All[i].Key);
        Assert.Equal(keys.Length, Hyperparameters.All.Select(r => r.TextName).Distinct().Count());
        Assert.Equal(keys.Length, Hyperparameters.All.Select(r => r.ParameterName).Distinct().Count());
    }

    [Theory]
    [InlineData(HyperparameterKey.LearningRate, 0.0, true)]
    [InlineData(HyperparameterKey.LearningRate, double.PositiveInfinity, false)]
    [InlineData(HyperparameterKey.Beta1, 0.999, true)]
    [InlineData(HyperparameterKey.Beta1, 1.0, false)]
    [InlineData(HyperparameterKey.Dampening, 1.0, true)]
    [InlineData(HyperparameterKey.TrustRatio, 0.5, false)]
    [InlineData(HyperparameterKey.UseMuon, 1.0, true)]
    [InlineData(HyperparameterKey.Epsilon, -1e-8, false)]
    public void RangesAreThoseDocumented(HyperparameterKey key, double value, bool valid) => Assert.Equal(valid, Hyperparameters.IsValid(key, value));

    [Fact]
    public void ValidationNamesTheParameterTheKeywordAndTheRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Hyperparameters.Validate(HyperparameterKey.Beta2, 1.5, "beta2"));
        Assert.Contains("beta2 (beta2) must be in [0, 1)", e.Message);
    }
}

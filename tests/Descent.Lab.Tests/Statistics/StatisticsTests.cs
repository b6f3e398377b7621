using Descent.Analysis;
using Descent.Lab.Statistics;

namespace Descent.Lab.Tests.Statistics;

/// <summary>Reference values recorded with SciPy 1.10.1 by tests/Descent.Lab.Tests/Fixtures/record_statistics.py.</summary>
public class StatisticsTests
{
    [Theory]
    [InlineData(0.975, 1, 12.706204736432095)]
    [InlineData(0.975, 2, 4.302652729911275)]
    [InlineData(0.975, 3, 3.182446305284263)]
    [InlineData(0.975, 9, 2.2621571627409915)]
    [InlineData(0.95, 4.5, 2.065575887144095)]
    [InlineData(0.995, 29, 2.756385903670335)]
    [InlineData(0.999, 1000, 3.0984021639128754)]
    [InlineData(0.6, 0.7, 0.3560313656774198)]
    [InlineData(0.025, 5, -2.57058183661474)]
    public void StudentTQuantileMatchesScipy(double p, double df, double expected)
    {
        // SciPy's t.ppf is good to about 1e-9 relative (t.cdf at its t.ppf(0.025, 5) is 0.02499999997); ours inverts the CDF to full precision.
        double q = StudentT.Quantile(p, df);
        Assert.Equal(expected, q, Math.Abs(expected) * 1e-8);
        Assert.Equal(p, StudentT.Cdf(q, df), 1e-14);
    }

    [Theory]
    [InlineData(2.5, 3, 0.9561466764959673)]
    [InlineData(-1.2, 7.5, 0.133334461396611)]
    [InlineData(10.0, 2, 0.9950737714883371)]
    [InlineData(0.3, 100, 0.6176000598498482)]
    public void StudentTCdfMatchesScipy(double t, double df, double expected) => Assert.Equal(expected, StudentT.Cdf(t, df), 1e-12);

    [Fact]
    public void TwoSeedBandIsFarWiderThanNormal()
    {
        // the LR finder's band over 2 seeds: 12.7 standard errors, not 1.96
        Assert.Equal(12.706204736432095, StudentT.CriticalValue(0.95, 1), 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => StudentT.Quantile(1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => StudentT.Quantile(0.5, 0));
    }

    [Theory]
    [InlineData(1e-10, -6.361340902404056)]
    [InlineData(0.01, -2.3263478740408408)]
    [InlineData(0.3, -0.5244005127080409)]
    [InlineData(0.975, 1.959963984540054)]
    public void NormalQuantileMatchesScipy(double p, double expected) => Assert.Equal(expected, Normal.Quantile(p), 1e-12);

    [Theory]
    [InlineData(3.841, 1, 0.050013683763956804)]
    [InlineData(10.0, 4, 0.04042768199451279)]
    [InlineData(0.5, 3, 0.9188914116546758)]
    public void ChiSquaredSurvivalMatchesScipy(double x, double k, double expected) => Assert.Equal(expected, ChiSquared.Survival(x, k), 1e-13);

    [Theory]
    [InlineData(12, 3, 0.03515625, 0.017578125, 4.266666666666667, 0.03886710381241731)]
    [InlineData(40, 25, 0.08168153394154003, 0.040840766970770014, 3.0153846153846153, 0.08247788747320971)]
    [InlineData(5, 5, 1.0, 0.623046875, 0.0, 1.0)] // statsmodels does not clamp |b - c| - 1 at 0 and gives 0.1, p 0.75
    [InlineData(0, 7, 0.015625, 1.0, 5.142857142857143, 0.02334220201289086)]
    [InlineData(300, 240, 0.011050481081929901, 0.005525240540964951, 6.446296296296296, 0.01111838850785766)]
    public void McNemarExactAndChiSquaredMatchScipy(int b, int c, double exact, double greater, double chi, double chiP)
    {
        Assert.Equal(exact, McNemar.Exact(b, c).PValue, 1e-12);
        Assert.Equal(greater, McNemar.Exact(b, c, Alternative.Greater).PValue, 1e-12);
        var corrected = McNemar.ChiSquaredCorrected(b, c);
        Assert.Equal(chi, corrected.Statistic, 1e-12);
        Assert.Equal(chiP, corrected.PValue, 1e-12);
    }

    [Fact]
    public void McNemarCountsOnlyDiscordantPairs()
    {
        bool[] a = [true, true, false, false, true];
        bool[] b = [true, false, true, false, false];
        Assert.Equal((2, 1), McNemar.Discordant(a, b));
        Assert.Throws<ArgumentException>(() => McNemar.Discordant(a, [true]));
    }

    private static readonly double[] A = [0.912, 0.887, 0.901, 0.934, 0.879, 0.921, 0.899, 0.915];
    private static readonly double[] B = [0.905, 0.881, 0.899, 0.920, 0.882, 0.910, 0.893, 0.904];

    [Fact]
    public void PairedTMatchesScipy()
    {
        var r = PairedTTest.Test(A, B);
        Assert.Equal(3.506620244932245, r.Statistic, 1e-9);
        Assert.Equal(0.009904338477392409, r.PValue, 1e-12);
        Assert.Equal(0.0021982628344524614, r.Interval!.Value.Low, 1e-10);
        Assert.Equal(0.01130173716554755, r.Interval!.Value.High, 1e-10);
        // non-inferiority with margin 0.002: H0 mean(d) <= -0.002
        Assert.Equal(0.001324944945783236, PairedTTest.Test(A, B, Alternative.Greater, -0.002).PValue, 1e-12);
    }

    [Fact]
    public void WilcoxonMatchesScipy()
    {
        // A - B has tied |d| (0.006 and 0.011 twice): the normal approximation with tie correction (SciPy mode="approx")
        var tied = WilcoxonSignedRank.Test(A, B);
        Assert.Equal(2.0, tied.Statistic);
        Assert.Equal(0.02470658932694135, tied.PValue, 1e-12);
        double[] x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
        double[] y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
        Assert.Equal(0.0390625, WilcoxonSignedRank.Test(x, y).PValue, 1e-12);
        var greater = WilcoxonSignedRank.Test(x, y, Alternative.Greater);
        Assert.Equal(40.0, greater.Statistic);
        Assert.Equal(0.01953125, greater.PValue, 1e-12);
        double[] u = [2.2, -2.4, 0.6, -0.4, -0.3, -0.0, -1.8, -0.0, -0.7, 3.5, 0.4, -0.2, -0.1, -0.5, -0.9, -0.2, 0.7, -0.0, 1.2, 0.0, 0.2, 1.7, 0.7, -0.3, 0.0, 0.7, 2.1, -0.1, -0.0, 1.2, -0.7, -0.1, 1.1, 0.8, 0.3, 0.9, -2.6, 1.2, -0.8, -1.5, 0.5, 0.9, -0.2, -0.9, 0.2, 0.1, 1.6, 0.9, 0.4, 1.3, -0.0, -0.7, 0.8, 0.8, -0.0, -0.6, 0.4, -2.3, 0.9, 0.7];
        var approx = WilcoxonSignedRank.Test(u, new double[u.Length]);
        Assert.Equal(511.5, approx.Statistic);
        Assert.Equal(0.1057176858884722, approx.PValue, 1e-12);
    }

    [Fact]
    public void HolmMatchesTheStepDownDefinition()
    {
        double[] adjusted = Holm.Adjust([0.01, 0.04, 0.03, 0.005, 0.5]);
        double[] expected = [0.04, 0.09, 0.09, 0.025, 0.5];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], adjusted[i], 1e-15);
        Assert.Equal([0.7], Holm.Adjust([0.7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Holm.Adjust([1.5]));
    }

    [Fact]
    public void SpearmanMatchesScipy()
    {
        var r = Spearman.Test([1, 2, 3, 4, 5, 6, 7], [2, 1, 4, 3, 7, 5, 6]);
        Assert.Equal(0.8214285714285715, r.Statistic, 1e-14);
        Assert.Equal(0.023448808345691505, r.PValue, 1e-12);
        var ties = Spearman.Test([0.0, 0.1, 0.1, 0.4, 0.9, 1.5], [3.0, 2.0, 2.5, 2.5, 0.5, 1.0]);
        Assert.Equal(-0.8088235294117647, ties.Statistic, 1e-14);
        Assert.Equal(0.051329063199674334, ties.PValue, 1e-12);
    }

    [Fact]
    public void WilsonMatchesScipy()
    {
        var ci = Proportion.Wilson(30, 100);
        Assert.Equal(0.21894885294932764, ci.Low, 1e-12);
        Assert.Equal(0.39584854633346667, ci.High, 1e-12);
    }

    [Fact]
    public void BootstrapPercentileIsSeededAndCoversLikeTheTInterval()
    {
        var random = new Descent.Lab.Data.SeededRandom(5);
        var values = Enumerable.Range(0, 400).Select(_ => 3 + 2 * random.NextGaussian()).ToArray();
        var a = Bootstrap.MeanInterval(values, 2000, seed: 11);
        var b = Bootstrap.MeanInterval(values, 2000, seed: 11);
        Assert.Equal(a, b);
        // for a large normal sample the percentile interval of the mean agrees with mean +- t s/sqrt(n) to a few percent of its width
        var t = PairedTTest.MeanInterval(values);
        double width = t.High - t.Low;
        Assert.Equal(t.Low, a.Low, width * 0.06);
        Assert.Equal(t.High, a.High, width * 0.06);
        Assert.NotEqual(a, Bootstrap.MeanInterval(values, 2000, seed: 12));
        // quantile type 7 on known values
        Assert.Equal(2.5, Bootstrap.Quantile([1.0, 2, 3, 4], 0.5));
        Assert.Equal(1.3, Bootstrap.Quantile([1.0, 2, 3, 4], 0.1), 1e-15);
    }
}

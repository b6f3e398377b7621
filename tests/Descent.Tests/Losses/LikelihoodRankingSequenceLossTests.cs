using Descent.Losses;

namespace Descent.Tests.Losses;

/// <summary>The torch.nn losses added with issue 20 and the paper losses (NT-Xent, InfoNCE, poly-1, soft Dice): gradients
/// against central differences, the direct formulas, extremes, long CTC sequences and argument checks. PyTorch parity is in
/// <see cref="LossParityTests"/> (golden files).</summary>
public class LikelihoodRankingSequenceLossTests
{
    private static double[] Random(int n, int seed, double low = -2, double high = 2)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    private static void Passes(LossFunction loss, double[] input, double relative = 1e-5)
    {
        var result = GradientChecker.Check(loss, input, relativeTolerance: relative);
        Assert.True(result.Passed, result.ToString());
    }

    public static TheoryData<Reduction> Reductions => new() { Reduction.Mean, Reduction.Sum, Reduction.None };

    private static double[] LogSoftmaxRows(double[] logits, int classes)
    {
        var lp = new double[logits.Length];
        for (int r = 0; r < logits.Length / classes; r++)
        {
            var row = logits.AsSpan(r * classes, classes);
            double max = row.ToArray().Max();
            double log = max + Math.Log(row.ToArray().Sum(v => Math.Exp(v - max)));
            for (int c = 0; c < classes; c++) lp[r * classes + c] = row[c] - log;
        }
        return lp;
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void GradientsMatchCentralDifferences(Reduction r)
    {
        const int n = 6;
        var losses = new double[r == Reduction.None ? 2 * n : 0];
        var nLosses = new double[r == Reduction.None ? n : 0];
        double[] counts = [0, 1, 2, 3, 5, 8];
        Passes((x, g) => new PoissonNegativeLogLikelihood<double>(true, true, reduction: r).Evaluate(x, counts, g, nLosses), Random(n, 1));
        Passes((x, g) => new PoissonNegativeLogLikelihood<double>(false, true, 1e-6, r).Evaluate(x, counts, g, nLosses), Random(n, 2, 0.2, 3));
        // mean and variance as one input: [μ; σ²], with a per-row variance too
        double[] y = Random(n, 3);
        double[] gaussian = [.. Random(n, 4), .. Random(n, 5, 0.2, 2)];
        Passes((x, g) => new GaussianNegativeLogLikelihood<double>(true, 1e-6, r).Evaluate(x[..n], x[n..], y, g[..n], g[n..], nLosses), gaussian);
        double[] perRow = [.. Random(n, 6), .. Random(2, 7, 0.2, 2)];
        Passes((x, g) => new GaussianNegativeLogLikelihood<double>(false, 1e-6, r).Evaluate(x[..n], x[n..], y, g[..n], g[n..], nLosses), perRow);
        double[] signs = [1, -1, 1, -1, -1, 1];
        double[] ranking = [.. Random(n, 8), .. Random(n, 9)];
        for (int i = 0; i < n; i++) ranking[i] = ranking[n + i] + (i % 2 == 0 ? 0.7 : -0.6) * (1 + 0.1 * i); // away from the kink
        Passes((x, g) => new MarginRanking<double>(0.2, r).Evaluate(x[..n], x[n..], signs, g[..n], g[n..], nLosses), ranking);
        double[] distances = [0.3, 1.7, 0.4, 2.6, 0.9, 1.2];
        Passes((x, g) => new HingeEmbedding<double>(1.5, r).Evaluate(x, signs, g, nLosses), distances);
        const int rows = 3, classes = 4;
        double[] scores = Random(rows * classes, 10);
        double[] multiHot = [1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0];
        var rowLosses = new double[r == Reduction.None ? rows : 0];
        Passes((x, g) => new MultiLabelSoftMargin<double>(r, [0.5, 1, 2, 1]).Evaluate(x, multiHot, classes, g, rowLosses), scores);
        double[] spread = [3.1, 0.2, -0.9, 1.7, -1.4, 2.2, 0.6, -0.3, 1.25, -2.1, 0.45, 3.3];
        Passes((x, g) => new MultiLabelMargin<double>(r).Evaluate(x, [0, 3, -1, 0, 1, 2, -1, 0, 2, -1, 1, 1], classes, g, rowLosses), spread);
        Passes((x, g) => new PolyOne<double>(1.5, r).Evaluate(x, [2, 0, 3], classes, g, rowLosses), scores);
        Passes((x, g) => new PolyOne<double>(-0.5, r).Evaluate(x, [1, 1, 0], classes, g, rowLosses), scores);
        double[] probabilities = Random(rows * classes, 11, 0.05, 0.95);
        double[] soft = Random(rows * classes, 12, 0, 1);
        Passes((x, g) => new SoftDice<double>(1, false, r).Evaluate(x, soft, classes, g, rowLosses), probabilities);
        Passes((x, g) => new SoftDice<double>(0.1, true, r).Evaluate(x, multiHot, classes, g, rowLosses), probabilities);
        _ = losses;
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void TripletWithAUserDistance(Reduction r)
    {
        const int n = 4, d = 3;
        double[] triplets = Random(3 * n * d, 13);
        var losses = new double[r == Reduction.None ? n : 0];
        IDistance<double>[] distances = [new PairwiseDistance<double>(), new PairwiseDistance<double>(3, 0), new CosineDistance<double>(), new Manhattan()];
        foreach (var distance in distances)
            foreach (bool swap in new[] { false, true })
                Passes((x, g) => new TripletMarginWithDistance<double>(distance, 2.5, swap, r).Evaluate(x[..(n * d)], x[(n * d)..(2 * n * d)], x[(2 * n * d)..], d,
                    g[..(n * d)], g[(n * d)..(2 * n * d)], g[(2 * n * d)..], losses), triplets);
    }

    // A distance written by a user: the L1 distance Σ |u - v| (smooth away from u = v).
    private sealed class Manhattan : IDistance<double>
    {
        public double Distance(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
        {
            double s = 0;
            for (int k = 0; k < u.Length; k++) s += Math.Abs(u[k] - v[k]);
            return s;
        }

        public void AddGradient(ReadOnlySpan<double> u, ReadOnlySpan<double> v, double distance, double scale, Span<double> gu, Span<double> gv)
        {
            for (int k = 0; k < u.Length; k++)
            {
                double g = scale * Math.Sign(u[k] - v[k]);
                gu[k] += g;
                gv[k] -= g;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void CtcGradientAfterLogSoftmaxMatchesCentralDifferences(Reduction r)
    {
        // PyTorch's CTC gradient with respect to log-probabilities is exp(lp) - γ; through a log-softmax it becomes the true
        // gradient with respect to the logits, which central differences of loss(log_softmax(z)) check.
        const int time = 7, batch = 2, classes = 4;
        var ctc = new ConnectionistTemporalClassification<double>(blank: 0, reduction: r);
        int[] targets = [1, 1, 3, 2, 3];
        int[] inputLengths = [7, 6];
        int[] targetLengths = [2, 3];
        var losses = new double[r == Reduction.None ? batch : 0];
        Passes((z, g) =>
        {
            double[] lp = LogSoftmaxRows(z.ToArray(), classes);
            var glp = new double[lp.Length];
            double value = ctc.Evaluate(lp, classes, targets, inputLengths, targetLengths, glp, losses);
            // backward of log_softmax per row: g = glp - softmax Σ glp
            for (int row = 0; row < time * batch; row++)
            {
                double sum = 0;
                for (int c = 0; c < classes; c++) sum += glp[row * classes + c];
                for (int c = 0; c < classes; c++) g[row * classes + c] = glp[row * classes + c] - Math.Exp(lp[row * classes + c]) * sum;
            }
            return value;
        }, Random(time * batch * classes, 14, -2, 2));
    }

    [Fact]
    public void CtcEqualsBruteForceOverAlignments()
    {
        // T = 4, C = 3, target [1, 2]: enumerate all 3^4 paths, collapse repeats then drop blanks, sum the matching ones.
        const int time = 4, classes = 3;
        double[] lp = LogSoftmaxRows(Random(time * classes, 15, -1, 1), classes);
        double probability = 0;
        for (int code = 0; code < 81; code++)
        {
            var path = new int[time];
            int rest = code;
            for (int t = 0; t < time; t++) { path[t] = rest % 3; rest /= 3; }
            var collapsed = new List<int>();
            for (int t = 0; t < time; t++)
                if (path[t] != 0 && (t == 0 || path[t] != path[t - 1])) collapsed.Add(path[t]);
            if (collapsed.SequenceEqual([1, 2]))
                probability += Math.Exp(Enumerable.Range(0, time).Sum(t => lp[t * classes + path[t]]));
        }
        var g = new double[lp.Length];
        double loss = new ConnectionistTemporalClassification<double>(reduction: Reduction.Sum).Evaluate(lp, classes, [1, 2], [time], [2], g);
        Assert.Equal(-Math.Log(probability), loss, 12);
    }

    [Fact]
    public void CtcOnLongSequencesStaysFiniteInFloatAndDouble()
    {
        // 2000 steps, 100 labels, peaked log-probabilities: the path probability underflows any linear-space recursion
        // (e^-5000), the log-space one is exact; the gradient rows sum to 1 - 1 = 0 (exp(lp) sums to 1, γ sums to 1).
        const int time = 2000, classes = 12, labels = 100;
        double[] lp = LogSoftmaxRows(Random(time * classes, 16, -8, 8), classes);
        int[] targets = Enumerable.Range(0, labels).Select(i => 1 + i % (classes - 1)).ToArray();
        var g = new double[lp.Length];
        double loss = new ConnectionistTemporalClassification<double>(reduction: Reduction.Sum).Evaluate(lp, classes, targets, [time], [labels], g);
        Assert.True(double.IsFinite(loss) && loss > 700, $"loss {loss}");
        Assert.All(g, v => Assert.True(double.IsFinite(v)));
        for (int t = 0; t < time; t += 97) Assert.Equal(0, g.AsSpan(t * classes, classes).ToArray().Sum(), 9);
        float[] lpf = lp.Select(v => (float)v).ToArray();
        var gf = new float[lpf.Length];
        float lossf = new ConnectionistTemporalClassification<float>(reduction: Reduction.Sum).Evaluate(lpf, classes, targets, [time], [labels], gf);
        Assert.Equal(loss, lossf, loss * 1e-5);
        for (int i = 0; i < g.Length; i++) Assert.True(Math.Abs(gf[i] - g[i]) <= 1e-5 + 1e-3 * Math.Abs(g[i]), $"grad[{i}] float {gf[i]} double {g[i]}");
    }

    [Fact]
    public void CtcImpossibleAlignmentIsInfiniteOrZeroed()
    {
        double[] lp = LogSoftmaxRows(Random(2 * 3, 17), 3);
        var g = new double[lp.Length];
        // target [1, 1] needs 3 steps (a blank between the repeats); only 2 given
        Assert.Equal(double.PositiveInfinity, new ConnectionistTemporalClassification<double>(reduction: Reduction.Sum).Evaluate(lp, 3, [1, 1], [2], [2], g));
        Assert.Equal(0.0, new ConnectionistTemporalClassification<double>(reduction: Reduction.Sum, zeroInfinity: true).Evaluate(lp, 3, [1, 1], [2], [2], g));
        Assert.All(g, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void NtXentEqualsTheDirectFormula()
    {
        // SimCLR eq. 1 written out: ℓ(i, j) = -log(exp(sim(z_i, z_j)/τ) / Σ_{k≠i} exp(sim(z_i, z_k)/τ)), L = 1/2N Σ_k [ℓ(2k-1, 2k) + ℓ(2k, 2k-1)]
        // (here views are rows k and k + N rather than interleaved).
        const int n = 5, d = 4;
        const double tau = 0.3;
        double[] x = Random(2 * n * d, 18);
        double Sim(int i, int k)
        {
            double dot = 0, ni = 0, nk = 0;
            for (int c = 0; c < d; c++) { dot += x[i * d + c] * x[k * d + c]; ni += x[i * d + c] * x[i * d + c]; nk += x[k * d + c] * x[k * d + c]; }
            return dot / Math.Sqrt(ni * nk);
        }
        double L(int i, int j) => -Math.Log(Math.Exp(Sim(i, j) / tau) / Enumerable.Range(0, 2 * n).Where(k => k != i).Sum(k => Math.Exp(Sim(i, k) / tau)));
        double direct = Enumerable.Range(0, n).Sum(k => L(k, k + n) + L(k + n, k)) / (2 * n);
        var loss = new NormalizedTemperatureCrossEntropy<double>(tau);
        Assert.Equal(direct, loss.Evaluate(x, d, new double[x.Length]), 12);
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            var l = new NormalizedTemperatureCrossEntropy<double>(tau, r);
            var losses = new double[r == Reduction.None ? 2 * n : 0];
            Passes((v, g) => l.Evaluate(v, d, g, losses), x);
        }
        // float agrees
        var gf = new float[x.Length];
        Assert.Equal(direct, new NormalizedTemperatureCrossEntropy<float>(tau).Evaluate(x.Select(v => (float)v).ToArray(), d, gf), 4);
    }

    [Fact]
    public void InfoNceEqualsCrossEntropyOverInBatchLogits()
    {
        const int n = 4, d = 3;
        double[] q = Random(n * d, 19), k = Random(n * d, 20);
        // raw dot products: logits q_i·k_j / τ and CE with target i, computed with the library's softmax cross-entropy
        const double tau = 0.5;
        var logits = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                logits[i * n + j] = Enumerable.Range(0, d).Sum(c => q[i * d + c] * k[j * d + c]) / tau;
        double ce = new SoftmaxCrossEntropy<double>().Evaluate(logits, [0, 1, 2, 3], n, new double[n * n]);
        Assert.Equal(ce, new InfoNce<double>(tau, normalize: false).Evaluate(q, k, d, new double[n * d], new double[n * d]), 12);
        double[] both = [.. q, .. k];
        foreach (bool normalize in new[] { false, true })
            foreach (bool symmetric in new[] { false, true })
                foreach (var r in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
                {
                    var loss = new InfoNce<double>(0.2, normalize, symmetric, r);
                    var losses = new double[r == Reduction.None ? n : 0];
                    Passes((x, g) => loss.Evaluate(x[..(n * d)], x[(n * d)..], d, g[..(n * d)], g[(n * d)..], losses), both);
                }
    }

    [Fact]
    public void PolyOneIsCrossEntropyPlusEpsilonTimesOneMinusPt()
    {
        double[] logits = Random(3 * 5, 21, -3, 3);
        int[] targets = [4, 0, 2];
        double ce = new SoftmaxCrossEntropy<double>().Evaluate(logits, targets, 5, new double[15]);
        double[] lp = LogSoftmaxRows(logits, 5);
        double pt = (Math.Exp(lp[4]) + Math.Exp(lp[5]) + Math.Exp(lp[12])) / 3;
        Assert.Equal(ce + 2.0 * (1 - pt), new PolyOne<double>(2.0).Evaluate(logits, targets, 5, new double[15]), 12);
        Assert.Equal(ce, new PolyOne<double>(0.0).Evaluate(logits, targets, 5, new double[15]), 12);
    }

    [Fact]
    public void SoftDiceIsZeroForAPerfectMatchAndOneForDisjointMasks()
    {
        var g = new double[4];
        Assert.Equal(0.0, new SoftDice<double>(0).Evaluate([1, 0, 1, 0], [1, 0, 1, 0], 4, g), 12);
        Assert.Equal(1.0, new SoftDice<double>(0).Evaluate([1, 0, 1, 0], [0, 1, 0, 1], 4, g), 12);
        Assert.Equal(0.0, new SoftDice<double>(0).Evaluate([0, 0, 0, 0], [0, 0, 0, 0], 4, g), 12);
        // 1 - (2·0.5 + 1)/(1.5 + 1 + 1)
        Assert.Equal(1 - 2.0 / 3.5, new SoftDice<double>(1).Evaluate([0.5, 1, 0, 0], [1, 0, 0, 0], 4, g), 12);
    }

    [Fact]
    public void ExtremesStayFinite()
    {
        static void Finite(double value, double[] g)
        {
            Assert.True(double.IsFinite(value), $"value {value}");
            Assert.All(g, v => Assert.True(double.IsFinite(v), $"gradient {v}"));
        }
        var g6 = new double[6];
        Finite(new PoissonNegativeLogLikelihood<double>(logInput: false).Evaluate([0, 0, 1e-300, 1e6, 0, 3], [0, 2, 5, 1, 0, 1e6], g6), g6);
        Finite(new PoissonNegativeLogLikelihood<double>(full: true).Evaluate([-700, 700, 0, 1, -1, 2], [0, 0, 1e6, 2, 1, 0], g6), g6);
        var g3 = new double[3];
        var gv = new double[3];
        Finite(new GaussianNegativeLogLikelihood<double>().Evaluate([1e6, -1e6, 0], [0, 1e-300, 1e12], [0, 0, 1e6], g3, gv), g3);
        Assert.All(gv, v => Assert.True(double.IsFinite(v)));
        var g4 = new double[4];
        Finite(new MultiLabelSoftMargin<double>().Evaluate([1000, -1000, 1000, -1000], [1, 1, 0, 0], 4, g4), g4);
        var g10 = new double[10];
        Finite(new PolyOne<double>(1).Evaluate([1000, -1000, 0, 0, 0, -1000, 1000, 5, 5, 5], [1, 0], 5, g10), g10);
        var x = new double[4 * 3];
        x[0] = 1e-300; x[3] = 1e200; x[7] = -1e200;
        var gx = new double[x.Length];
        Finite(new NormalizedTemperatureCrossEntropy<double>(0.01).Evaluate(x, 3, gx), gx); // zero rows and huge rows
        var gq = new double[6];
        var gk = new double[6];
        Finite(new InfoNce<double>(0.01).Evaluate([1e200, 0, 0, 0, 0, 0], [0, 1e-300, 0, 1, 1, 1], 3, gq, gk), gq);
        Assert.All(gk, v => Assert.True(double.IsFinite(v)));
        var lp = new double[3 * 4];
        for (int i = 0; i < lp.Length; i++) lp[i] = i % 4 == 0 ? 0 : -1000; // certain blanks: the target path has probability e^-1000
        var gc = new double[lp.Length];
        Finite(new ConnectionistTemporalClassification<double>().Evaluate(lp, 4, [2], [3], [1], gc), gc);
    }

    [Fact]
    public void InvalidArgumentsFailClearlyAndWriteNothing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoissonNegativeLogLikelihood<double>(epsilon: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNegativeLogLikelihood<double>(epsilon: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TripletMarginWithDistance<double>(margin: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NormalizedTemperatureCrossEntropy<double>(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InfoNce<double>(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolyOne<double>(-2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftDice<double>(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionistTemporalClassification<double>(-1));
        var g = new double[] { 7, 7 };
        var gv = new double[] { 7, 7 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNegativeLogLikelihood<double>().Evaluate([0, 0], [1, -1], [0, 0], g, gv));
        Assert.Contains("variance[1]", e.Message);
        Assert.Equal([7.0, 7.0], g);
        var gm = new double[] { 7, 7, 7 };
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelMargin<double>().Evaluate([0, 0, 0], [0, 3, -1], 3, gm));
        Assert.Equal([7.0, 7.0, 7.0], gm);
        var ctc = new ConnectionistTemporalClassification<double>();
        var gc = new double[2 * 3];
        Assert.Contains("other than the blank", Assert.Throws<ArgumentOutOfRangeException>(() => ctc.Evaluate(new double[6], 3, [0], [2], [1], gc)).Message);
        Assert.Contains("inputLengths[0]", Assert.Throws<ArgumentOutOfRangeException>(() => ctc.Evaluate(new double[6], 3, [1], [3], [1], gc)).Message);
        Assert.Contains("sum of targetLengths", Assert.Throws<ArgumentException>(() => ctc.Evaluate(new double[6], 3, [1, 2], [2], [1], gc)).Message);
        Assert.Contains("even number", Assert.Throws<ArgumentException>(() => new NormalizedTemperatureCrossEntropy<double>().Evaluate(new double[3], 1, new double[3])).Message);
    }
}

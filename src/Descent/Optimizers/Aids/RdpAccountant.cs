namespace Descent.Optimizers.Aids;

/// <summary>How an RDP guarantee is turned into (ε, δ).</summary>
public enum RdpConversion
{
    /// <summary>ε = RDP(α) + log(1/δ)/(α - 1) (Mironov 2017, Proposition 3; the conversion of Abadi et al.'s moments accountant and of
    /// TF-Privacy's <c>get_privacy_spent</c> before 2020).</summary>
    Classic,
    /// <summary>ε = RDP(α) + log((α - 1)/α) - (log δ + log α)/(α - 1) (Balle et al. 2020, Theorem 21; Opacus and TF-Privacy since
    /// 2020); never larger than <see cref="Classic"/>.</summary>
    Improved,
}

/// <summary>
/// Rényi-DP accountant of the sampled Gaussian mechanism, the privacy analysis of DP-SGD: each step samples every example
/// with probability q (Poisson sampling) and adds Gaussian noise of standard deviation σ·C to the sum of gradients clipped
/// to norm C. RDP of order α per step: log(A_α)/(α - 1) with A_α = Σ_{k=0}^{α} C(α, k) (1 - q)^{α-k} q^k e^{(k² - k)/(2σ²)}
/// (Mironov, Talwar, Zhang 2019, section 3.3, integer α; α/(2σ²) for q = 1); steps compose by addition and ε for a given δ is
/// the minimum over orders of the conversion.
/// </summary>
/// <remarks>
/// Abadi et al., "Deep Learning with Differential Privacy", CCS 2016 (the moments accountant); Mironov, "Rényi Differential
/// Privacy", CSF 2017; Mironov, Talwar, Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530.
/// Orders are integers 2..256 and 512 (TF-Privacy also uses fractional orders 1.1-10.9, which can give a slightly smaller ε;
/// with integers only the ε reported is an upper bound of theirs). Sums of A_α are done in log space, so large orders and small
/// σ do not overflow.
/// </remarks>
public sealed class RdpAccountant
{
    private static readonly int[] DefaultOrders = [.. Enumerable.Range(2, 255), 512];
    private readonly double[] _rdp;

    /// <summary>Creates an accountant with nothing spent, over <paramref name="orders"/> (integers ≥ 2; default 2..256 and 512).</summary>
    public RdpAccountant(IReadOnlyList<int>? orders = null)
    {
        Orders = orders?.ToArray() ?? DefaultOrders;
        if (Orders.Count == 0) throw new ArgumentException("At least one order is needed.", nameof(orders));
        foreach (int a in Orders) if (a < 2) throw new ArgumentOutOfRangeException(nameof(orders), a, "RDP orders must be integers >= 2.");
        _rdp = new double[Orders.Count];
    }

    /// <summary>The orders α tracked.</summary>
    public IReadOnlyList<int> Orders { get; }

    /// <summary>The accumulated RDP at each order.</summary>
    public IReadOnlyList<double> Rdp => _rdp;

    /// <summary>Steps recorded so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Records <paramref name="steps"/> steps of the sampled Gaussian mechanism.</summary>
    /// <param name="samplingRate">q = expected batch / dataset size, in [0, 1].</param>
    /// <param name="noiseMultiplier">σ = noise standard deviation / clipping norm, finite, &gt; 0.</param>
    /// <param name="steps">Number of steps, ≥ 0.</param>
    public void Step(double samplingRate, double noiseMultiplier, long steps = 1)
    {
        if (!(samplingRate >= 0 && samplingRate <= 1)) throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "samplingRate must be in [0, 1].");
        if (!(noiseMultiplier > 0) || !double.IsFinite(noiseMultiplier)) throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "noiseMultiplier must be finite and > 0.");
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        for (int i = 0; i < _rdp.Length; i++) _rdp[i] += steps * StepRdp(samplingRate, noiseMultiplier, Orders[i]);
        Steps += steps;
    }

    /// <summary>The RDP of one step of the sampled Gaussian mechanism at integer order α (TF-Privacy <c>_compute_rdp</c>).</summary>
    public static double StepRdp(double samplingRate, double noiseMultiplier, int order)
    {
        if (order < 2) throw new ArgumentOutOfRangeException(nameof(order), order, "order must be an integer >= 2.");
        if (samplingRate == 0) return 0;
        double sigma2 = noiseMultiplier * noiseMultiplier;
        if (samplingRate == 1) return order / (2 * sigma2);
        // log A_α = logsumexp_k [log C(α, k) + k log q + (α - k) log(1 - q) + (k² - k) / (2σ²)]
        double logQ = Math.Log(samplingRate), log1mQ = double.LogP1(-samplingRate);
        double logBinomial = 0, logA = double.NegativeInfinity;
        for (int k = 0; k <= order; k++)
        {
            if (k > 0) logBinomial += Math.Log(order - k + 1) - Math.Log(k);
            double term = logBinomial + k * logQ + (order - k) * log1mQ + ((double)k * k - k) / (2 * sigma2);
            logA = LogAdd(logA, term);
        }
        return logA / (order - 1);
    }

    /// <summary>The smallest ε over the orders for <paramref name="delta"/>, and the order attaining it.</summary>
    public (double Epsilon, int Order) Epsilon(double delta, RdpConversion conversion = RdpConversion.Classic)
    {
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be in (0, 1).");
        double best = double.PositiveInfinity;
        int bestOrder = Orders[0];
        for (int i = 0; i < _rdp.Length; i++)
        {
            double a = Orders[i];
            double eps = conversion == RdpConversion.Classic
                ? _rdp[i] - Math.Log(delta) / (a - 1)
                : _rdp[i] + double.LogP1(-1 / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1);
            if (eps < best) { best = eps; bestOrder = Orders[i]; }
        }
        return (Math.Max(best, 0), bestOrder);
    }

    private static double LogAdd(double x, double y)
    {
        double max = Math.Max(x, y);
        if (double.IsNegativeInfinity(max)) return max;
        return max + Math.Log(Math.Exp(x - max) + Math.Exp(y - max));
    }
}

namespace Descent.Distributed;

/// <summary>
/// The alpha-beta cost model of collectives (Hockney; Thakur, Rabenseifner and Gropp, 2005, "Optimization of collective
/// communication operations in MPICH"): a message of n bytes costs <see cref="Latency"/> + n / <see cref="Bandwidth"/>.
/// A ring allreduce of S bytes on N ranks is a reduce-scatter and an allgather, each N − 1 steps of S/N bytes:
/// 2(N − 1)·α + 2(N − 1)/N · S/β. ZeRO-1 sends the same bytes: a reduce-scatter of the gradients and an allgather of the
/// parameters, (N − 1)·α + (N − 1)/N · S/β each.
/// </summary>
/// <param name="Latency">α, seconds per message.</param>
/// <param name="Bandwidth">β, bytes per second per link.</param>
public sealed record CostModel(double Latency, double Bandwidth)
{
    /// <summary>Seconds of a ring allreduce of <paramref name="bytes"/> on <paramref name="ranks"/> ranks (0 on one rank).</summary>
    public double RingAllreduce(int ranks, double bytes) => ranks <= 1 ? 0 : 2.0 * (ranks - 1) * Latency + 2.0 * (ranks - 1) / ranks * bytes / Bandwidth;

    /// <summary>Seconds of a ring reduce-scatter (or allgather) of <paramref name="bytes"/> in all on <paramref name="ranks"/> ranks.</summary>
    public double RingReduceScatter(int ranks, double bytes) => ranks <= 1 ? 0 : (ranks - 1) * Latency + (double)(ranks - 1) / ranks * bytes / Bandwidth;

    /// <summary>Seconds of ZeRO-1's communication per step: reduce-scatter of the gradients plus allgather of the parameters.</summary>
    public double Zero1(int ranks, double bytes) => 2 * RingReduceScatter(ranks, bytes);

    /// <summary>
    /// Least-squares α and β from measured allreduce times: each sample (ranks, bytes, seconds) is modelled as
    /// 2(N − 1)·α + 2(N − 1)/N · bytes · (1/β), linear in α and 1/β.
    /// </summary>
    public static CostModel FitAllreduce(IReadOnlyList<(int Ranks, double Bytes, double Seconds)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double saa = 0, sab = 0, sbb = 0, say = 0, sby = 0;
        foreach (var (n, bytes, seconds) in samples)
        {
            if (n < 2) continue;
            double a = 2.0 * (n - 1), b = 2.0 * (n - 1) / n * bytes;
            // Relative least squares (each sample weighted by 1/seconds²), so the small messages that fix the latency count.
            double w = 1 / (seconds * seconds);
            saa += w * a * a; sab += w * a * b; sbb += w * b * b; say += w * a * seconds; sby += w * b * seconds;
        }
        double det = saa * sbb - sab * sab;
        if (det <= 0) throw new ArgumentException("Give samples on at least two message sizes with 2 or more ranks.", nameof(samples));
        double alpha = (say * sbb - sby * sab) / det, inverseBeta = (saa * sby - sab * say) / det;
        return new CostModel(Math.Max(alpha, 0), 1 / Math.Max(inverseBeta, 1e-30));
    }
}

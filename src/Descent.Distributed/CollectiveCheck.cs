namespace Descent.Distributed;

/// <summary>One line of <see cref="CollectiveCheck.Run"/>: what was checked and whether every rank got the expected values.</summary>
public sealed record CollectiveCheckResult(string Name, bool Passed, string Detail);

/// <summary>
/// Exercises every collective of an <see cref="ICommunicator"/> with values whose result is known in closed form (sums of small
/// integers, exact in float), including the split path for counts above the per-call limit and the error path (an invalid root
/// must raise <see cref="MpiException"/> naming <c>MPI_ERR_ROOT</c>). <c>descent mpi check</c> runs it under <c>mpirun</c>;
/// a rank's failures are summed over all ranks, so every rank returns the same verdicts.
/// </summary>
public static class CollectiveCheck
{
    /// <summary>Runs the checks on <paramref name="communicator"/>; with <paramref name="splitAt"/> each MPI call moves at most that many elements.</summary>
    public static IReadOnlyList<CollectiveCheckResult> Run(ICommunicator communicator, long? splitAt = null)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        var results = new List<CollectiveCheckResult>();
        var mpi = communicator as MpiCommunicator;
        long before = mpi?.MaxElementsPerCall ?? 0;
        try
        {
            foreach (long limit in splitAt is { } s ? new[] { before, s } : [before])
            {
                if (mpi is not null) mpi.MaxElementsPerCall = limit == 0 ? int.MaxValue : limit;
                string suffix = mpi is not null && limit != before ? $" (split into calls of ≤ {limit} elements)" : "";
                foreach (int length in new[] { 1, 37, 1000 })
                    RunOnce(communicator, length, suffix, results);
            }
        }
        finally
        {
            if (mpi is not null) mpi.MaxElementsPerCall = before;
        }
        if (mpi is not null)
        {
            string detail;
            bool ok;
            try
            {
                var data = new float[4];
                mpi.Bcast<float>(data, root: mpi.Size);
                (ok, detail) = (false, "no exception for an invalid root");
            }
            catch (MpiException ex)
            {
                (ok, detail) = (ex.Call == "MPI_Bcast" && ex.ErrorText.Contains("MPI_ERR_ROOT", StringComparison.Ordinal), ex.Message);
            }
            results.Add(Agree(communicator, "error: Bcast to an invalid root raises MpiException", ok, detail));
        }
        return results;
    }

    private static void RunOnce(ICommunicator c, int length, string suffix, List<CollectiveCheckResult> results)
    {
        int n = c.Size, r = c.Rank;
        // Allreduce: element i of rank r is (r + 1) * (i % 17 + 1); the sum is n(n+1)/2 * (i % 17 + 1), exact in float.
        var f = new float[length];
        for (int i = 0; i < length; i++) f[i] = (r + 1) * (i % 17 + 1);
        c.Allreduce<float>(f);
        bool ok = true;
        for (int i = 0; i < length; i++) ok &= f[i] == n * (n + 1) / 2 * (i % 17 + 1);
        results.Add(Agree(c, $"Allreduce float sum, {length} elements{suffix}", ok, ""));

        var d = new double[length];
        for (int i = 0; i < length; i++) d[i] = (i + r) % n;
        c.Allreduce<double>(d, ReduceOperation.Max);
        ok = true;
        for (int i = 0; i < length; i++) ok &= d[i] == n - 1;
        results.Add(Agree(c, $"Allreduce double max, {length} elements{suffix}", ok, ""));

        // Reduce-scatter of equal blocks: block b of rank r holds b * 1000 + r + element index.
        var send = new float[length * n];
        for (int b = 0; b < n; b++) for (int i = 0; i < length; i++) send[b * length + i] = b * 1000 + r + i;
        var receive = new float[length];
        c.ReduceScatterBlock<float>(send, receive);
        ok = true;
        for (int i = 0; i < length; i++) ok &= receive[i] == n * (r * 1000 + i) + n * (n - 1) / 2;
        results.Add(Agree(c, $"ReduceScatterBlock float, {length} per rank{suffix}", ok, ""));

        // Unequal blocks: rank b's block has length + b elements.
        var counts = new long[n];
        for (int b = 0; b < n; b++) counts[b] = length + b;
        var sendV = new double[counts.Sum()];
        long start = 0;
        for (int b = 0; b < n; b++) { for (int i = 0; i < counts[b]; i++) sendV[start + i] = b + i + r; start += counts[b]; }
        var receiveV = new double[counts[r]];
        c.ReduceScatter<double>(sendV, receiveV, counts);
        ok = true;
        for (int i = 0; i < receiveV.Length; i++) ok &= receiveV[i] == n * (r + i) + n * (n - 1) / 2.0;
        results.Add(Agree(c, $"ReduceScatter double, blocks of {length}..{length + n - 1}{suffix}", ok, ""));

        var gather = new float[length * n];
        for (int i = 0; i < length; i++) gather[r * length + i] = r * 10_000 + i;
        c.Allgather<float>(gather);
        ok = true;
        for (int b = 0; b < n; b++) for (int i = 0; i < length; i++) ok &= gather[b * length + i] == b * 10_000 + i;
        results.Add(Agree(c, $"Allgather float, {length} per rank{suffix}", ok, ""));

        var gatherV = new long[counts.Sum()];
        long own = counts.Take(r).Sum();
        for (int i = 0; i < counts[r]; i++) gatherV[own + i] = r * 1_000_000L + i;
        c.Allgather<long>(gatherV, counts);
        ok = true;
        start = 0;
        for (int b = 0; b < n; b++) { for (int i = 0; i < counts[b]; i++) ok &= gatherV[start + i] == b * 1_000_000L + i; start += counts[b]; }
        results.Add(Agree(c, $"Allgatherv int64, blocks of {length}..{length + n - 1}{suffix}", ok, ""));

        var bytes = new byte[length];
        int root = n - 1;
        if (r == root) for (int i = 0; i < length; i++) bytes[i] = (byte)(i * 7 + 3);
        c.Bcast<byte>(bytes, root);
        ok = true;
        for (int i = 0; i < length; i++) ok &= bytes[i] == (byte)(i * 7 + 3);
        results.Add(Agree(c, $"Bcast bytes from rank {root}, {length} elements{suffix}", ok, ""));

        c.Barrier();
    }

    /// <summary>The check passes only if it passed on every rank.</summary>
    private static CollectiveCheckResult Agree(ICommunicator c, string name, bool ok, string detail)
    {
        Span<int> failures = [ok ? 0 : 1];
        c.Allreduce(failures);
        return new CollectiveCheckResult(name, failures[0] == 0, failures[0] == 0 ? detail : $"failed on {failures[0]} of {c.Size} ranks. {detail}".TrimEnd());
    }
}

namespace Descent.Distributed;

/// <summary>A group of one rank (no MPI): every collective is the identity. For single-process runs and tests.</summary>
public sealed class SingleRankCommunicator : ICommunicator
{
    /// <summary>The shared instance.</summary>
    public static SingleRankCommunicator Instance { get; } = new();

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void Allreduce<T>(Span<T> data, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged => Check<T>();

    /// <inheritdoc/>
    public void ReduceScatterBlock<T>(ReadOnlySpan<T> send, Span<T> receive, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged
    {
        Check<T>();
        if (send.Length != receive.Length) throw new ArgumentException($"The send buffer holds {send.Length} elements; 1 rank × {receive.Length} expected.", nameof(send));
        send.CopyTo(receive);
    }

    /// <inheritdoc/>
    public void ReduceScatter<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<long> counts, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged
    {
        Check<T>();
        if (counts.Length != 1 || counts[0] != receive.Length || send.Length != receive.Length)
            throw new ArgumentException("One rank: counts must be [receive length] and send as long as receive.", nameof(counts));
        send.CopyTo(receive);
    }

    /// <inheritdoc/>
    public void Allgather<T>(Span<T> data) where T : unmanaged => Check<T>();

    /// <inheritdoc/>
    public void Allgather<T>(Span<T> data, ReadOnlySpan<long> counts) where T : unmanaged
    {
        Check<T>();
        if (counts.Length != 1 || counts[0] != data.Length) throw new ArgumentException("One rank: counts must be [data length].", nameof(counts));
    }

    /// <inheritdoc/>
    public void Bcast<T>(Span<T> data, int root = 0) where T : unmanaged
    {
        Check<T>();
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "The only rank is 0.");
    }

    /// <inheritdoc/>
    public void Barrier() { }

    /// <inheritdoc/>
    public void Abort(int exitCode) => Environment.Exit(exitCode);

    private static void Check<T>() where T : unmanaged => MpiCommunicator.CheckType<T>();
}

namespace Descent.Distributed;

/// <summary>A reduction for <see cref="ICommunicator.Allreduce{T}"/> and the reduce-scatters.</summary>
public enum ReduceOperation
{
    /// <summary>Element-wise sum (<c>MPI_SUM</c>).</summary>
    Sum,
    /// <summary>Element-wise maximum (<c>MPI_MAX</c>).</summary>
    Max,
}

/// <summary>
/// The collectives data-parallel training needs, over a group of <see cref="Size"/> processes (ranks). Every rank must make
/// the same calls in the same order with matching lengths (as in MPI). Element types: <see cref="float"/>, <see cref="double"/>,
/// <see cref="long"/>, <see cref="int"/> and <see cref="byte"/> (byte only for <see cref="Bcast{T}"/> and the gathers).
/// Counts are <see cref="long"/>: a buffer of more than 2^31 elements is moved in several MPI calls.
/// Implementations: <see cref="MpiCommunicator"/> (Open MPI) and <see cref="SingleRankCommunicator"/> (one process).
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's rank, 0 ≤ rank &lt; <see cref="Size"/>.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>In place: every rank's <paramref name="data"/> becomes the element-wise reduction over all ranks (<c>MPI_Allreduce</c>).</summary>
    void Allreduce<T>(Span<T> data, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged;

    /// <summary>
    /// <c>MPI_Reduce_scatter_block</c>: <paramref name="send"/> holds <see cref="Size"/> blocks of <paramref name="receive"/>'s
    /// length; rank r receives the reduction over all ranks of block r.
    /// </summary>
    void ReduceScatterBlock<T>(ReadOnlySpan<T> send, Span<T> receive, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged;

    /// <summary>
    /// <c>MPI_Reduce_scatter</c> with unequal blocks: <paramref name="send"/> is the concatenation of blocks of
    /// <paramref name="counts"/>[0..Size) elements; rank r receives the reduction of block r (length counts[r]).
    /// </summary>
    void ReduceScatter<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<long> counts, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged;

    /// <summary>In place <c>MPI_Allgather</c>: <paramref name="data"/> holds <see cref="Size"/> equal blocks; rank r contributes block r and receives all.</summary>
    void Allgather<T>(Span<T> data) where T : unmanaged;

    /// <summary>In place <c>MPI_Allgatherv</c>: blocks of <paramref name="counts"/>[r] elements, in rank order; rank r contributes block r.</summary>
    void Allgather<T>(Span<T> data, ReadOnlySpan<long> counts) where T : unmanaged;

    /// <summary><c>MPI_Bcast</c>: every rank's <paramref name="data"/> becomes rank <paramref name="root"/>'s.</summary>
    void Bcast<T>(Span<T> data, int root = 0) where T : unmanaged;

    /// <summary><c>MPI_Barrier</c>.</summary>
    void Barrier();

    /// <summary>Ends every rank of the job at once with exit code <paramref name="exitCode"/> (<c>MPI_Abort</c>); in one process, exits.</summary>
    void Abort(int exitCode);
}

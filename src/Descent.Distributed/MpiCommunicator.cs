using System.Runtime.InteropServices;

namespace Descent.Distributed;

/// <summary>
/// <c>MPI_COMM_WORLD</c> of Open MPI 4.1 (<c>libmpi.so.40</c>) by P/Invoke. <see cref="World"/> initialises MPI once per process
/// (<c>MPI_Init</c>) and sets <c>MPI_ERRORS_RETURN</c> on the communicator, so that every failing call throws an
/// <see cref="MpiException"/> with Open MPI's text instead of aborting silently. <see cref="Dispose"/> (or process exit)
/// calls <c>MPI_Finalize</c>. Not thread-safe: call it from one thread (<c>MPI_THREAD_SINGLE</c>).
/// </summary>
/// <remarks>
/// MPI counts and displacements are C <c>int</c>s. Buffers longer than <see cref="MaxElementsPerCall"/> (2^31 − 1) are moved in
/// several calls: Allreduce and Bcast in consecutive pieces; the reduce-scatters as one <c>MPI_Reduce</c> per block and the
/// allgathers as one <c>MPI_Bcast</c> per block, each split into pieces.
/// </remarks>
public sealed unsafe class MpiCommunicator : ICommunicator, IDisposable
{
    private static readonly Lock Gate = new();
    private static MpiCommunicator? _world;
    private readonly MpiNative.Handles _h;
    private bool _finalized;

    private MpiCommunicator(MpiNative.Handles handles)
    {
        _h = handles;
        Check(MpiNative.MPI_Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0) Check(MpiNative.MPI_Init(0, 0), "MPI_Init");
        Check(MpiNative.MPI_Comm_set_errhandler(_h.CommWorld, _h.ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(MpiNative.MPI_Comm_rank(_h.CommWorld, out int rank), "MPI_Comm_rank");
        Check(MpiNative.MPI_Comm_size(_h.CommWorld, out int size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>
    /// The world communicator, initialising MPI on first use. Under <c>mpirun</c> it spans the job's ranks; started alone
    /// (singleton mode) it has one rank.
    /// </summary>
    /// <exception cref="DllNotFoundException">Open MPI is not installed (the message says how to install it).</exception>
    public static MpiCommunicator World
    {
        get
        {
            lock (Gate) return _world ??= new MpiCommunicator(MpiNative.Load());
        }
    }

    /// <summary>Whether this process was started by Open MPI's <c>mpirun</c> (the <c>OMPI_COMM_WORLD_SIZE</c> variable is set).</summary>
    public static bool IsLaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <summary>Whether Open MPI's library (<c>libmpi.so.40</c>) can be loaded on this machine.</summary>
    public static bool IsInstalled => MpiNative.IsInstalled();

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>Most elements moved by one MPI call (default <see cref="int.MaxValue"/>; lowered in tests to exercise the splitting).</summary>
    internal long MaxElementsPerCall { get; set; } = int.MaxValue;

    /// <summary>Open MPI's version text (<c>MPI_Get_library_version</c>).</summary>
    public string LibraryVersion
    {
        get
        {
            byte* text = stackalloc byte[512]; // MPI_MAX_LIBRARY_VERSION_STRING is 256
            Check(MpiNative.MPI_Get_library_version(text, out int length), "MPI_Get_library_version");
            return Marshal.PtrToStringUTF8((nint)text, length).Trim('\0', ' ', '\n');
        }
    }

    /// <inheritdoc/>
    public void Allreduce<T>(Span<T> data, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged
    {
        nint type = TypeOf<T>(reduce: true), op = OpOf(operation);
        fixed (T* p = data)
        {
            for (long offset = 0; offset < data.Length; offset += MaxElementsPerCall)
            {
                int count = Piece(data.Length, offset);
                Check(MpiNative.MPI_Allreduce(MpiNative.InPlace, p + offset, count, type, op, _h.CommWorld), "MPI_Allreduce");
            }
        }
    }

    /// <inheritdoc/>
    public void ReduceScatterBlock<T>(ReadOnlySpan<T> send, Span<T> receive, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged
    {
        nint type = TypeOf<T>(reduce: true), op = OpOf(operation);
        if (send.Length != (long)receive.Length * Size)
            throw new ArgumentException($"The send buffer holds {send.Length} elements; {Size} ranks × {receive.Length} expected.", nameof(send));
        if (receive.Length <= MaxElementsPerCall)
        {
            fixed (T* s = send)
            fixed (T* r = receive)
                Check(MpiNative.MPI_Reduce_scatter_block(s, r, receive.Length, type, op, _h.CommWorld), "MPI_Reduce_scatter_block");
            return;
        }
        Span<long> counts = stackalloc long[Size];
        counts.Fill(receive.Length);
        ReducePerBlock(send, receive, counts, type, op);
    }

    /// <inheritdoc/>
    public void ReduceScatter<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<long> counts, ReduceOperation operation = ReduceOperation.Sum) where T : unmanaged
    {
        nint type = TypeOf<T>(reduce: true), op = OpOf(operation);
        long total = CheckCounts(counts);
        if (send.Length != total) throw new ArgumentException($"The send buffer holds {send.Length} elements; the counts add up to {total}.", nameof(send));
        if (receive.Length != counts[Rank]) throw new ArgumentException($"The receive buffer holds {receive.Length} elements; rank {Rank}'s count is {counts[Rank]}.", nameof(receive));
        bool small = true;
        foreach (long c in counts) small &= c <= MaxElementsPerCall;
        if (!small)
        {
            ReducePerBlock(send, receive, counts, type, op);
            return;
        }
        int* native = stackalloc int[Size];
        for (int i = 0; i < Size; i++) native[i] = (int)counts[i];
        fixed (T* s = send)
        fixed (T* r = receive)
            Check(MpiNative.MPI_Reduce_scatter(s, r, native, type, op, _h.CommWorld), "MPI_Reduce_scatter");
    }

    private void ReducePerBlock<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<long> counts, nint type, nint op) where T : unmanaged
    {
        fixed (T* s = send)
        fixed (T* r = receive)
        {
            long start = 0;
            for (int root = 0; root < Size; root++)
            {
                for (long offset = 0; offset < counts[root]; offset += MaxElementsPerCall)
                {
                    int count = Piece(counts[root], offset);
                    Check(MpiNative.MPI_Reduce(s + start + offset, root == Rank ? r + offset : null, count, type, op, root, _h.CommWorld), "MPI_Reduce");
                }
                start += counts[root];
            }
        }
    }

    /// <inheritdoc/>
    public void Allgather<T>(Span<T> data) where T : unmanaged
    {
        nint type = TypeOf<T>(reduce: false);
        if (data.Length % Size != 0) throw new ArgumentException($"The buffer's {data.Length} elements do not split into {Size} equal blocks.", nameof(data));
        int block = data.Length / Size;
        if (block <= MaxElementsPerCall)
        {
            fixed (T* p = data)
                Check(MpiNative.MPI_Allgather(MpiNative.InPlace, 0, type, p, block, type, _h.CommWorld), "MPI_Allgather");
            return;
        }
        Span<long> counts = stackalloc long[Size];
        counts.Fill(block);
        BcastPerBlock(data, counts, type);
    }

    /// <inheritdoc/>
    public void Allgather<T>(Span<T> data, ReadOnlySpan<long> counts) where T : unmanaged
    {
        nint type = TypeOf<T>(reduce: false);
        long total = CheckCounts(counts);
        if (data.Length != total) throw new ArgumentException($"The buffer holds {data.Length} elements; the counts add up to {total}.", nameof(data));
        if (total > MaxElementsPerCall)
        {
            BcastPerBlock(data, counts, type);
            return;
        }
        int* native = stackalloc int[Size];
        int* displacements = stackalloc int[Size];
        int start = 0;
        for (int i = 0; i < Size; i++)
        {
            native[i] = (int)counts[i];
            displacements[i] = start;
            start += native[i];
        }
        fixed (T* p = data)
            Check(MpiNative.MPI_Allgatherv(MpiNative.InPlace, 0, type, p, native, displacements, type, _h.CommWorld), "MPI_Allgatherv");
    }

    private void BcastPerBlock<T>(Span<T> data, ReadOnlySpan<long> counts, nint type) where T : unmanaged
    {
        fixed (T* p = data)
        {
            long start = 0;
            for (int root = 0; root < Size; root++)
            {
                for (long offset = 0; offset < counts[root]; offset += MaxElementsPerCall)
                    Check(MpiNative.MPI_Bcast(p + start + offset, Piece(counts[root], offset), type, root, _h.CommWorld), "MPI_Bcast");
                start += counts[root];
            }
        }
    }

    /// <inheritdoc/>
    public void Bcast<T>(Span<T> data, int root = 0) where T : unmanaged
    {
        nint type = TypeOf<T>(reduce: false);
        fixed (T* p = data)
        {
            if (data.Length == 0)
            {
                Check(MpiNative.MPI_Bcast(p, 0, type, root, _h.CommWorld), "MPI_Bcast");
                return;
            }
            for (long offset = 0; offset < data.Length; offset += MaxElementsPerCall)
                Check(MpiNative.MPI_Bcast(p + offset, Piece(data.Length, offset), type, root, _h.CommWorld), "MPI_Bcast");
        }
    }

    /// <inheritdoc/>
    public void Barrier() => Check(MpiNative.MPI_Barrier(_h.CommWorld), "MPI_Barrier");

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        MpiNative.MPI_Abort(_h.CommWorld, exitCode);
        Environment.Exit(exitCode);
    }

    /// <summary>Calls <c>MPI_Finalize</c> (once; later calls do nothing). Every rank must call it; process exit does.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_finalized) return;
            _finalized = true;
            MpiNative.MPI_Finalized(out int done);
            if (done == 0) MpiNative.MPI_Finalize();
        }
    }

    private int Piece(long length, long offset) => (int)Math.Min(MaxElementsPerCall, length - offset);

    private long CheckCounts(ReadOnlySpan<long> counts)
    {
        if (counts.Length != Size) throw new ArgumentException($"Give one count per rank ({Size}); got {counts.Length}.", nameof(counts));
        long total = 0;
        foreach (long c in counts)
        {
            if (c < 0) throw new ArgumentOutOfRangeException(nameof(counts), c, "Counts must be >= 0.");
            total += c;
        }
        return total;
    }

    private void Check(int code, string call)
    {
        if (code != MpiNative.Success) throw new MpiException(call, code, MpiNative.ErrorString(code), Rank);
    }

    private nint OpOf(ReduceOperation operation) => operation switch
    {
        ReduceOperation.Sum => _h.Sum,
        ReduceOperation.Max => _h.Max,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown reduction."),
    };

    private nint TypeOf<T>(bool reduce) where T : unmanaged
    {
        CheckType<T>();
        if (typeof(T) == typeof(float)) return _h.Float;
        if (typeof(T) == typeof(double)) return _h.Double;
        if (typeof(T) == typeof(long)) return _h.Int64;
        if (typeof(T) == typeof(int)) return _h.Int;
        if (reduce) throw new NotSupportedException($"Reductions of {typeof(T).Name} are not supported (float, double, long, int).");
        return _h.Byte;
    }

    internal static void CheckType<T>() where T : unmanaged
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(long) && typeof(T) != typeof(int) && typeof(T) != typeof(byte))
            throw new NotSupportedException($"Element type {typeof(T).Name} is not supported (float, double, long, int, byte).");
    }
}

using System.Runtime.InteropServices;

namespace Descent.Distributed;

/// <summary>
/// The Open MPI 4.1 C API by P/Invoke (<c>libmpi.so.40</c>). Handles such as <c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c> and
/// <c>MPI_SUM</c> are, in Open MPI, addresses of exported globals (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>,
/// <c>ompi_mpi_op_sum</c>); <see cref="Handles"/> resolves them with <see cref="NativeLibrary.GetExport"/>.
/// </summary>
internal static unsafe class MpiNative
{
    public const string Library = "libmpi.so.40";
    public const int Success = 0;
    /// <summary>Open MPI's <c>MPI_IN_PLACE</c> is <c>(void *) 1</c>.</summary>
    public static readonly void* InPlace = (void*)1;
    private const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern nint DlOpen(string file, int mode);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern nint DlError();

    /// <summary>
    /// Loads libmpi with RTLD_GLOBAL (Open MPI's plugins resolve symbols of libmpi, as mpi4py does) and resolves the handles.
    /// </summary>
    /// <exception cref="DllNotFoundException">Open MPI is not installed.</exception>
    public static Handles Load()
    {
        string path = LibraryPath;
        nint library = DlOpen(path, RtldNow | RtldGlobal);
        if (library == 0)
        {
            string why = Marshal.PtrToStringUTF8(DlError()) ?? (NativeLibrary.TryLoad(path, out _) ? "dlopen failed" : $"{path}: cannot open shared object file");
            throw new DllNotFoundException($"Open MPI is not available ({why}); install it with: apt-get install openmpi-bin libopenmpi3");
        }
        NativeLibrary.SetDllImportResolver(typeof(MpiNative).Assembly, (name, _, _) => name == Library ? library : 0);
        nint Get(string name) => NativeLibrary.GetExport(library, name);
        return new Handles(Get("ompi_mpi_comm_world"), Get("ompi_mpi_float"), Get("ompi_mpi_double"), Get("ompi_mpi_int64_t"),
            Get("ompi_mpi_byte"), Get("ompi_mpi_int"), Get("ompi_mpi_op_sum"), Get("ompi_mpi_op_max"), Get("ompi_mpi_errors_return"));
    }

    /// <summary>Whether libmpi.so.40 can be loaded (no initialisation).</summary>
    public static bool IsInstalled()
    {
        if (!NativeLibrary.TryLoad(LibraryPath, out nint handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>The library to load: <c>DESCENT_MPI_LIBRARY</c> when set (an Open MPI 4.x libmpi elsewhere), else <c>libmpi.so.40</c>.</summary>
    public static string LibraryPath => Environment.GetEnvironmentVariable("DESCENT_MPI_LIBRARY") is { Length: > 0 } p ? p : Library;

    public readonly record struct Handles(nint CommWorld, nint Float, nint Double, nint Int64, nint Byte, nint Int, nint Sum, nint Max, nint ErrorsReturn);

    [DllImport(Library)] public static extern int MPI_Initialized(out int flag);
    [DllImport(Library)] public static extern int MPI_Finalized(out int flag);
    [DllImport(Library)] public static extern int MPI_Init(nint argc, nint argv);
    [DllImport(Library)] public static extern int MPI_Finalize();
    [DllImport(Library)] public static extern int MPI_Abort(nint comm, int code);
    [DllImport(Library)] public static extern int MPI_Comm_rank(nint comm, out int rank);
    [DllImport(Library)] public static extern int MPI_Comm_size(nint comm, out int size);
    [DllImport(Library)] public static extern int MPI_Comm_set_errhandler(nint comm, nint handler);
    [DllImport(Library)] public static extern int MPI_Error_string(int code, byte* text, out int length);
    [DllImport(Library)] public static extern int MPI_Get_library_version(byte* text, out int length);
    [DllImport(Library)] public static extern int MPI_Barrier(nint comm);
    [DllImport(Library)] public static extern int MPI_Bcast(void* buffer, int count, nint type, int root, nint comm);
    [DllImport(Library)] public static extern int MPI_Allreduce(void* send, void* receive, int count, nint type, nint op, nint comm);
    [DllImport(Library)] public static extern int MPI_Reduce(void* send, void* receive, int count, nint type, nint op, int root, nint comm);
    [DllImport(Library)] public static extern int MPI_Reduce_scatter_block(void* send, void* receive, int count, nint type, nint op, nint comm);
    [DllImport(Library)] public static extern int MPI_Reduce_scatter(void* send, void* receive, int* counts, nint type, nint op, nint comm);
    [DllImport(Library)] public static extern int MPI_Allgather(void* send, int sendCount, nint sendType, void* receive, int receiveCount, nint receiveType, nint comm);
    [DllImport(Library)] public static extern int MPI_Allgatherv(void* send, int sendCount, nint sendType, void* receive, int* counts, int* displacements, nint receiveType, nint comm);

    /// <summary>The text of an MPI error code (<c>MPI_Error_string</c>).</summary>
    public static string ErrorString(int code)
    {
        byte* text = stackalloc byte[512]; // MPI_MAX_ERROR_STRING is 256 in Open MPI
        return MPI_Error_string(code, text, out int length) == Success ? Marshal.PtrToStringUTF8((nint)text, length) : $"unknown MPI error {code}";
    }
}

namespace Descent.Distributed;

/// <summary>An MPI call failed: which call, its error code and Open MPI's text for it (<c>MPI_Error_string</c>).</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/> failing with <paramref name="errorCode"/>.</summary>
    public MpiException(string call, int errorCode, string errorText, int rank)
        : base($"{call} failed on rank {rank} with MPI error {errorCode}: {errorText}")
    {
        Call = call;
        ErrorCode = errorCode;
        ErrorText = errorText;
        Rank = rank;
    }

    /// <summary>The MPI function that failed (e.g. <c>MPI_Bcast</c>).</summary>
    public string Call { get; }

    /// <summary>The MPI error code it returned.</summary>
    public int ErrorCode { get; }

    /// <summary>Open MPI's description of the code.</summary>
    public string ErrorText { get; }

    /// <summary>The rank on which it failed.</summary>
    public int Rank { get; }
}

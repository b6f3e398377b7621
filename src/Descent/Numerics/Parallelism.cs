using System.Globalization;

namespace Descent.Numerics;

/// <summary>
/// The process default of the degree of parallelism, read once at start-up and never changed: the number of threads a kernel
/// may use when its caller does not say. Every API that can use threads takes its own explicit setting
/// (<c>Optimizer&lt;T&gt;.MaxDegreeOfParallelism</c>, <c>SoftmaxCrossEntropy.MaxDegreeOfParallelism</c>, the
/// <c>maxDegreeOfParallelism</c> argument of <see cref="FusedLoop.Run{T, TKernel}"/>, <see cref="MatrixMultiply"/> and
/// <see cref="Bandwidth"/>), so two callers with different settings never race on shared state. Results never depend on the
/// setting: work is always split into the same fixed blocks, whatever the number of threads that process them.
/// </summary>
public static class Parallelism
{
    /// <summary>The environment variable that sets <see cref="ProcessDefault"/> (a whole number &gt;= 1), read once.</summary>
    public const string EnvironmentVariable = "DESCENT_MAX_THREADS";

    /// <summary>
    /// The default degree of parallelism: <see cref="EnvironmentVariable"/> when it holds a whole number &gt;= 1, else
    /// <see cref="Environment.ProcessorCount"/>. Fixed for the life of the process.
    /// </summary>
    public static int ProcessDefault { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(EnvironmentVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1
            ? n
            : Environment.ProcessorCount;

    /// <summary>Throws unless <paramref name="value"/> is a valid degree of parallelism (&gt;= 1); returns it.</summary>
    public static int Validate(int value, string parameterName)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(parameterName, value, $"{parameterName} must be >= 1 (threads); got {value}.");
        return value;
    }

    /// <summary>An optional degree of parallelism: <see cref="ProcessDefault"/> when null, else validated.</summary>
    public static int Resolve(int? value, string parameterName) => value is { } v ? Validate(v, parameterName) : ProcessDefault;
}

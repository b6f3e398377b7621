using System.Runtime.InteropServices;

namespace Descent.Serialization;

/// <summary>The type of one checkpoint entry.</summary>
public enum CheckpointEntryType : byte
{
    /// <summary>A 64-bit integer.</summary>
    Int64 = 1,
    /// <summary>A double.</summary>
    Double = 2,
    /// <summary>A UTF-8 string.</summary>
    String = 3,
    /// <summary>An array of float.</summary>
    SingleArray = 4,
    /// <summary>An array of double.</summary>
    DoubleArray = 5,
    /// <summary>An array of 32-bit integers.</summary>
    Int32Array = 6,
    /// <summary>An array of 64-bit integers.</summary>
    Int64Array = 7,
    /// <summary>An array of bytes (8-bit optimizer state codes).</summary>
    ByteArray = 8,
    /// <summary>An array of 16-bit unsigned integers (bfloat16 optimizer state bits).</summary>
    UInt16Array = 9,
}

/// <summary>
/// An in-memory checkpoint: named, typed entries (numbers, strings, arrays) that components write and read by key.
/// Keys are hierarchical by convention, e.g. <c>optimizer/W1/exp_avg</c>, <c>schedule/step</c>, <c>loop/epoch</c>.
/// Saved and loaded by <see cref="CheckpointFile"/>.
/// </summary>
/// <remarks>
/// Components restore themselves from a checkpoint in two phases: validate everything they need (keys present,
/// types and lengths matching), then copy. A checkpoint that does not fit therefore changes nothing.
/// </remarks>
public sealed class Checkpoint
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    internal readonly record struct Entry(CheckpointEntryType Type, object Value);

    /// <summary>The keys, in the order they were first set.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Whether an entry named <paramref name="key"/> exists.</summary>
    public bool Contains(string key) => _entries.ContainsKey(key);

    /// <summary>The type of the entry named <paramref name="key"/>.</summary>
    public CheckpointEntryType TypeOf(string key) => Get(key).Type;

    /// <summary>Sets a 64-bit integer entry.</summary>
    public void Set(string key, long value) => Put(key, CheckpointEntryType.Int64, value);

    /// <summary>Sets a double entry (stored bit for bit, NaN and infinities included).</summary>
    public void Set(string key, double value) => Put(key, CheckpointEntryType.Double, value);

    /// <summary>Sets a string entry.</summary>
    public void Set(string key, string value) => Put(key, CheckpointEntryType.String, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Sets a float array entry (copied).</summary>
    public void Set(string key, ReadOnlySpan<float> values) => Put(key, CheckpointEntryType.SingleArray, values.ToArray());

    /// <summary>Sets a double array entry (copied).</summary>
    public void Set(string key, ReadOnlySpan<double> values) => Put(key, CheckpointEntryType.DoubleArray, values.ToArray());

    /// <summary>Sets an int array entry (copied).</summary>
    public void Set(string key, ReadOnlySpan<int> values) => Put(key, CheckpointEntryType.Int32Array, values.ToArray());

    /// <summary>Sets a long array entry (copied).</summary>
    public void Set(string key, ReadOnlySpan<long> values) => Put(key, CheckpointEntryType.Int64Array, values.ToArray());

    /// <summary>Sets a byte array entry (copied).</summary>
    public void Set(string key, ReadOnlySpan<byte> values) => Put(key, CheckpointEntryType.ByteArray, values.ToArray());

    /// <summary>Sets a 16-bit unsigned array entry (copied).</summary>
    public void Set(string key, ReadOnlySpan<ushort> values) => Put(key, CheckpointEntryType.UInt16Array, values.ToArray());

    /// <summary>Sets an array entry of float or double, by the element type.</summary>
    public void SetArray<T>(string key, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) Set(key, MemoryMarshal.Cast<T, float>(values));
        else if (typeof(T) == typeof(double)) Set(key, MemoryMarshal.Cast<T, double>(values));
        else if (typeof(T) == typeof(int)) Set(key, MemoryMarshal.Cast<T, int>(values));
        else if (typeof(T) == typeof(long)) Set(key, MemoryMarshal.Cast<T, long>(values));
        else if (typeof(T) == typeof(byte)) Set(key, MemoryMarshal.Cast<T, byte>(values));
        else if (typeof(T) == typeof(ushort)) Set(key, MemoryMarshal.Cast<T, ushort>(values));
        else throw new NotSupportedException($"Checkpoint arrays of {typeof(T).Name} are not supported");
    }

    /// <summary>Reads a 64-bit integer entry.</summary>
    public long GetInt64(string key) => (long)Get(key, CheckpointEntryType.Int64);

    /// <summary>Reads a double entry.</summary>
    public double GetDouble(string key) => (double)Get(key, CheckpointEntryType.Double);

    /// <summary>Reads a string entry.</summary>
    public string GetString(string key) => (string)Get(key, CheckpointEntryType.String);

    /// <summary>Reads an array entry of <typeparamref name="T"/> (float, double, int, long, byte or ushort) without copying.</summary>
    public ReadOnlySpan<T> GetArray<T>(string key) where T : unmanaged
    {
        CheckpointEntryType expected = ArrayType<T>();
        return (T[])Get(key, expected);
    }

    /// <summary>
    /// Checks that <paramref name="key"/> holds an array of <typeparamref name="T"/> with <paramref name="length"/> elements;
    /// throws <see cref="CheckpointException"/> naming the key otherwise. Use before modifying anything.
    /// </summary>
    public void RequireArray<T>(string key, int length) where T : unmanaged
    {
        var entry = Get(key);
        CheckpointEntryType expected = ArrayType<T>();
        if (entry.Type != expected)
        {
            throw new CheckpointException($"Checkpoint entry '{key}' is {entry.Type}, expected {expected}");
        }
        int actual = ((Array)entry.Value).Length;
        if (actual != length)
        {
            throw new CheckpointException($"Checkpoint entry '{key}' has {actual} elements, expected {length} (different shape?)");
        }
    }

    /// <summary>Copies the array entry <paramref name="key"/> into <paramref name="destination"/> (lengths must match).</summary>
    public void CopyArrayTo<T>(string key, Span<T> destination) where T : unmanaged
    {
        RequireArray<T>(key, destination.Length);
        GetArray<T>(key).CopyTo(destination);
    }

    internal Entry Get(string key)
        => _entries.TryGetValue(key, out var e) ? e : throw new CheckpointException($"Checkpoint has no entry '{key}'");

    internal void Put(string key, CheckpointEntryType type, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(key), "Checkpoint keys are at most 4096 characters long");
        }
        if (!_entries.ContainsKey(key)) _order.Add(key);
        _entries[key] = new Entry(type, value);
    }

    private object Get(string key, CheckpointEntryType type)
    {
        var entry = Get(key);
        return entry.Type == type ? entry.Value : throw new CheckpointException($"Checkpoint entry '{key}' is {entry.Type}, expected {type}");
    }

    private static CheckpointEntryType ArrayType<T>() where T : unmanaged
        => typeof(T) == typeof(float) ? CheckpointEntryType.SingleArray
         : typeof(T) == typeof(double) ? CheckpointEntryType.DoubleArray
         : typeof(T) == typeof(int) ? CheckpointEntryType.Int32Array
         : typeof(T) == typeof(long) ? CheckpointEntryType.Int64Array
         : typeof(T) == typeof(byte) ? CheckpointEntryType.ByteArray
         : typeof(T) == typeof(ushort) ? CheckpointEntryType.UInt16Array
         : throw new NotSupportedException($"Checkpoint arrays of {typeof(T).Name} are not supported");
}

/// <summary>A checkpoint file that cannot be read (truncated, corrupted, foreign, newer) or that does not fit the objects it is loaded into.</summary>
public sealed class CheckpointException(string message) : IOException(message);

using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Descent.Serialization;

/// <summary>
/// Reads and writes <see cref="Checkpoint"/>s.
/// </summary>
/// <remarks>
/// <para>Format (version 1, little-endian):</para>
/// <code>
/// magic      8 bytes  "DSCNTCKP"
/// version    u32      format version (1)
/// count      u32      number of entries
/// entries    count x { u8 type, u16 key length, key (UTF-8), i64 element count, payload }
/// checksum   u64      XxHash64 of every byte from the version field through the last entry
/// end        4 bytes  "DEND"
/// </code>
/// <para>The entry table is self-describing (key, type and length per entry), so a reader of a newer version can keep
/// loading older files: <see cref="Load"/> dispatches on the version field. Writes go to a temporary file in the same
/// directory, are flushed to disk and then renamed over the destination, so a crash mid-write leaves the previous
/// checkpoint intact. Every length is checked against the bytes actually present before anything is allocated.</para>
/// </remarks>
public static class CheckpointFile
{
    /// <summary>The version this build writes.</summary>
    public const uint CurrentVersion = 1;

    private static ReadOnlySpan<byte> Magic => "DSCNTCKP"u8;
    private static ReadOnlySpan<byte> EndMarker => "DEND"u8;
    private const int MaxEntries = 1 << 24;

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically (temporary file, flush to disk, rename).</summary>
    public static void Save(string path, Checkpoint checkpoint) => Save(path, checkpoint, TimeSpan.Zero);

    /// <summary>
    /// Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically, pausing for <paramref name="pauseMidWrite"/> after
    /// half of the bytes have reached the temporary file. The pause is a testing aid: it widens the window in which a killed
    /// process leaves a half-written temporary file, to show that the previous checkpoint survives (TimeSpan.Zero: no pause).
    /// </summary>
    public static void Save(string path, Checkpoint checkpoint, TimeSpan pauseMidWrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (pauseMidWrite < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(pauseMidWrite), pauseMidWrite, "The pause must be >= 0.");
        ArgumentNullException.ThrowIfNull(checkpoint);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (pauseMidWrite > TimeSpan.Zero)
                {
                    var buffer = new MemoryStream();
                    Write(buffer, checkpoint);
                    int half = (int)(buffer.Length / 2);
                    stream.Write(buffer.GetBuffer(), 0, half);
                    stream.Flush(flushToDisk: true);
                    Thread.Sleep(pauseMidWrite);
                    stream.Write(buffer.GetBuffer(), half, (int)buffer.Length - half);
                }
                else
                {
                    Write(stream, checkpoint);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Checkpoint checkpoint)
    {
        var hash = new XxHash64();
        stream.Write(Magic);
        Span<byte> scratch = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, CurrentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(scratch[4..], (uint)checkpoint.Keys.Count);
        Emit(stream, hash, scratch[..8]);
        foreach (string key in checkpoint.Keys)
        {
            var entry = checkpoint.Get(key);
            byte[] keyBytes = Encoding.UTF8.GetBytes(key);
            ReadOnlySpan<byte> payload = entry.Value switch
            {
                long v => MemoryMarshal.AsBytes(new ReadOnlySpan<long>(in v)).ToArray(),
                double v => MemoryMarshal.AsBytes(new ReadOnlySpan<double>(in v)).ToArray(),
                string s => Encoding.UTF8.GetBytes(s),
                float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
                double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
                int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
                long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
                byte[] a => a,
                ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
                _ => throw new InvalidOperationException($"Unexpected value for '{key}'"),
            };
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("Checkpoints are written on little-endian machines only");
            }
            long count = entry.Value switch
            {
                Array a => a.LongLength,
                string => payload.Length,
                _ => 1,
            };
            scratch[0] = (byte)entry.Type;
            BinaryPrimitives.WriteUInt16LittleEndian(scratch[1..], (ushort)keyBytes.Length);
            Emit(stream, hash, scratch[..3]);
            Emit(stream, hash, keyBytes);
            BinaryPrimitives.WriteInt64LittleEndian(scratch, count);
            Emit(stream, hash, scratch[..8]);
            Emit(stream, hash, payload);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(scratch, hash.GetCurrentHashAsUInt64());
        stream.Write(scratch[..8]);
        stream.Write(EndMarker);
    }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/>. A truncated, corrupted, foreign or newer file throws
    /// <see cref="CheckpointException"/> with a message naming the file and the problem.
    /// </summary>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No checkpoint at {path}", path);
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return Read(stream);
        }
        catch (CheckpointException ex)
        {
            throw new CheckpointException($"{path}: {ex.Message}");
        }
    }

    /// <summary>Reads a checkpoint from a seekable <paramref name="stream"/> (see <see cref="Load"/>).</summary>
    public static Checkpoint Read(Stream stream)
    {
        long available = stream.Length - stream.Position;
        Span<byte> scratch = stackalloc byte[16];
        if (available < Magic.Length + 8 + 12 || !TryRead(stream, scratch[..8]) || !scratch[..8].SequenceEqual(Magic))
        {
            throw new CheckpointException("not a Descent checkpoint (bad magic or too short)");
        }
        var hash = new XxHash64();
        Fill(stream, hash, scratch[..8]);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(scratch);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(scratch[4..]);
        return version switch
        {
            1 => ReadVersion1(stream, hash, count),
            _ => throw new CheckpointException($"checkpoint format version {version} is newer than this build supports (up to {CurrentVersion})"),
        };
    }

    private static Checkpoint ReadVersion1(Stream stream, XxHash64 hash, uint count)
    {
        if (count > MaxEntries)
        {
            throw new CheckpointException($"corrupted: {count} entries declared");
        }
        var checkpoint = new Checkpoint();
        Span<byte> scratch = stackalloc byte[16];
        for (uint i = 0; i < count; i++)
        {
            Fill(stream, hash, scratch[..3]);
            var type = (CheckpointEntryType)scratch[0];
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(scratch[1..]);
            byte[] keyBytes = ReadBytes(stream, hash, keyLength);
            string key;
            try
            {
                key = new UTF8Encoding(false, true).GetString(keyBytes);
            }
            catch (DecoderFallbackException)
            {
                throw new CheckpointException($"corrupted: entry {i} has an invalid key");
            }
            Fill(stream, hash, scratch[..8]);
            long elements = BinaryPrimitives.ReadInt64LittleEndian(scratch);
            int size = type switch
            {
                CheckpointEntryType.Int64 or CheckpointEntryType.Double or CheckpointEntryType.Int64Array or CheckpointEntryType.DoubleArray => 8,
                CheckpointEntryType.SingleArray or CheckpointEntryType.Int32Array => 4,
                CheckpointEntryType.String or CheckpointEntryType.ByteArray => 1,
                CheckpointEntryType.UInt16Array => 2,
                _ => throw new CheckpointException($"corrupted: entry '{key}' has unknown type {(int)type}"),
            };
            if (elements < 0 || (type is CheckpointEntryType.Int64 or CheckpointEntryType.Double && elements != 1)
                || elements > (stream.Length - stream.Position) / size || elements * size > Array.MaxLength)
            {
                throw new CheckpointException($"truncated or corrupted: entry '{key}' declares {elements} elements");
            }
            byte[] payload = ReadBytes(stream, hash, (int)(elements * size));
            if (key.Length == 0 || checkpoint.Contains(key))
            {
                throw new CheckpointException($"corrupted: empty or repeated key '{key}'");
            }
            object value = type switch
            {
                CheckpointEntryType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(payload),
                CheckpointEntryType.Double => BinaryPrimitives.ReadDoubleLittleEndian(payload),
                CheckpointEntryType.String => DecodeString(payload, key),
                CheckpointEntryType.SingleArray => MemoryMarshal.Cast<byte, float>(payload).ToArray(),
                CheckpointEntryType.DoubleArray => MemoryMarshal.Cast<byte, double>(payload).ToArray(),
                CheckpointEntryType.Int32Array => MemoryMarshal.Cast<byte, int>(payload).ToArray(),
                CheckpointEntryType.ByteArray => payload,
                CheckpointEntryType.UInt16Array => MemoryMarshal.Cast<byte, ushort>(payload).ToArray(),
                _ => MemoryMarshal.Cast<byte, long>(payload).ToArray(),
            };
            checkpoint.Put(key, type, value);
        }
        if (!TryRead(stream, scratch[..12]))
        {
            throw new CheckpointException("truncated: the checksum is missing");
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(scratch) != hash.GetCurrentHashAsUInt64())
        {
            throw new CheckpointException("corrupted: the checksum does not match the contents");
        }
        if (!scratch[8..12].SequenceEqual(EndMarker) || stream.Position != stream.Length)
        {
            throw new CheckpointException("corrupted: bad end marker or trailing bytes");
        }
        return checkpoint;
    }

    private static string DecodeString(byte[] payload, string key)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            throw new CheckpointException($"corrupted: entry '{key}' is not valid UTF-8");
        }
    }

    private static void Emit(Stream stream, XxHash64 hash, ReadOnlySpan<byte> bytes)
    {
        hash.Append(bytes);
        stream.Write(bytes);
    }

    private static void Fill(Stream stream, XxHash64 hash, Span<byte> buffer)
    {
        if (!TryRead(stream, buffer))
        {
            throw new CheckpointException("truncated: the file ends inside an entry");
        }
        hash.Append(buffer);
    }

    private static byte[] ReadBytes(Stream stream, XxHash64 hash, int length)
    {
        if (length > stream.Length - stream.Position)
        {
            throw new CheckpointException("truncated: the file ends inside an entry");
        }
        var bytes = new byte[length];
        Fill(stream, hash, bytes);
        return bytes;
    }

    private static bool TryRead(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0) return false;
            total += read;
        }
        return true;
    }
}

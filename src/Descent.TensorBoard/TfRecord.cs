using System.Buffers.Binary;
using System.IO.Hashing;

namespace Descent.TensorBoard;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files: each record is the payload's length (little-endian
/// <see cref="ulong"/>), the masked CRC-32C of those 8 bytes, the payload, and the masked CRC-32C of the payload.
/// </summary>
/// <remarks>
/// The same framing as TensorFlow's <c>tf.io.TFRecordWriter</c> (uncompressed) and TensorBoard's <c>RecordWriter</c>.
/// CRC-32C (Castagnoli) comes from System.IO.Hashing (<see cref="Crc32ParameterSet.Crc32C"/>); the mask is TensorFlow's
/// <c>((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8</c>, which keeps a CRC of data that itself holds CRCs well distributed.
/// </remarks>
public static class TfRecord
{
    /// <summary>Bytes a record adds around its payload: 8 (length) + 4 (length CRC) + 4 (payload CRC).</summary>
    public const int Overhead = 16;

    private const uint MaskDelta = 0xa282ead8;

    /// <summary>The masked CRC-32C of <paramref name="data"/>, as stored in a TFRecord.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
        return ((crc >> 15) | (crc << 17)) + MaskDelta;
    }

    /// <summary>Writes <paramref name="payload"/> as one record at the position of <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static void Write(Stream stream, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        stream.Write(header);
        stream.Write(payload);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(payload));
        stream.Write(footer);
    }
}

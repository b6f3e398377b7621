using System.Buffers.Binary;
using System.Text;

namespace Descent.TensorBoard.Tests;

/// <summary>
/// An event-file reader written independently of the writer: its own bitwise CRC-32C (no System.IO.Hashing, no table) and
/// its own protobuf wire-format decoder (no Google.Protobuf), following TensorFlow's record_reader.cc, event.proto and
/// summary.proto. Every malformation throws <see cref="InvalidDataException"/>.
/// </summary>
internal static class EventFileReader
{
    public sealed record Image(int Height, int Width, int Colorspace, byte[] Encoded);

    public sealed record Value(string Tag, float? Simple, Image? Image);

    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<Value>? Summary);

    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ ((crc & 1) != 0 ? 0x82F63B78u : 0u);
        }
        return ~crc;
    }

    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint c = Crc32C(data);
        return unchecked(((c >> 15) | (c << 17)) + 0xA282EAD8u);
    }

    /// <summary>Splits the file into record payloads, checking both CRCs of each record and that nothing trails.</summary>
    public static List<byte[]> Records(ReadOnlySpan<byte> file)
    {
        var records = new List<byte[]>();
        int at = 0;
        while (at < file.Length)
        {
            if (file.Length - at < 12) throw new InvalidDataException($"truncated record header at {at}");
            var header = file.Slice(at, 8);
            if (BinaryPrimitives.ReadUInt32LittleEndian(file[(at + 8)..]) != Masked(header)) throw new InvalidDataException($"length CRC mismatch at {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (length > (ulong)(file.Length - at - 16)) throw new InvalidDataException($"record at {at} runs past the end");
            var payload = file.Slice(at + 12, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(file[(at + 12 + (int)length)..]) != Masked(payload)) throw new InvalidDataException($"data CRC mismatch at {at}");
            records.Add(payload.ToArray());
            at += 16 + (int)length;
        }
        return records;
    }

    public static List<Event> Read(string path) => Records(File.ReadAllBytes(path)).Select(DecodeEvent).ToList();

    public static Event DecodeEvent(byte[] bytes)
    {
        double wall = 0;
        long step = 0;
        string? version = null;
        List<Value>? summary = null;
        foreach (var (field, wire, varint, data) in Fields(bytes))
        {
            switch (field, wire)
            {
                case (1, 1): wall = BitConverter.Int64BitsToDouble((long)varint); break;
                case (2, 0): step = (long)varint; break;
                case (3, 2): version = Encoding.UTF8.GetString(data); break;
                case (5, 2): summary = Fields(data).Select(f => f is (1, 2, _, var v) ? DecodeValue(v) : throw new InvalidDataException("unexpected summary field")).ToList(); break;
                default: throw new InvalidDataException($"unexpected event field {field} (wire type {wire})");
            }
        }
        return new Event(wall, step, version, summary);
    }

    private static Value DecodeValue(byte[] bytes)
    {
        string? tag = null;
        float? simple = null;
        Image? image = null;
        foreach (var (field, wire, varint, data) in Fields(bytes))
        {
            switch (field, wire)
            {
                case (1, 2): tag = Encoding.UTF8.GetString(data); break;
                case (2, 5): simple = BitConverter.Int32BitsToSingle((int)varint); break;
                case (4, 2):
                    int h = 0, w = 0, c = 0;
                    byte[] encoded = [];
                    foreach (var (f, wt, v, d) in Fields(data))
                    {
                        switch (f, wt)
                        {
                            case (1, 0): h = (int)v; break;
                            case (2, 0): w = (int)v; break;
                            case (3, 0): c = (int)v; break;
                            case (4, 2): encoded = d; break;
                            default: throw new InvalidDataException($"unexpected image field {f}");
                        }
                    }
                    image = new Image(h, w, c, encoded);
                    break;
                default: throw new InvalidDataException($"unexpected value field {field} (wire type {wire})");
            }
        }
        return new Value(tag ?? throw new InvalidDataException("value without tag"), simple, image);
    }

    /// <summary>The fields of a message: number, wire type, the scalar (varint, fixed64 or fixed32 bits) or the bytes.</summary>
    private static IEnumerable<(int Field, int Wire, ulong Scalar, byte[] Data)> Fields(byte[] message)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            if (field == 0) throw new InvalidDataException("field number 0");
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(message, ref at), []); break;
                case 1:
                    if (at + 8 > message.Length) throw new InvalidDataException("truncated fixed64");
                    yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at)), []);
                    at += 8;
                    break;
                case 5:
                    if (at + 4 > message.Length) throw new InvalidDataException("truncated fixed32");
                    yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at)), []);
                    at += 4;
                    break;
                case 2:
                    ulong length = Varint(message, ref at);
                    if (length > (ulong)(message.Length - at)) throw new InvalidDataException("truncated length-delimited field");
                    yield return (field, wire, 0, message.AsSpan(at, (int)length).ToArray());
                    at += (int)length;
                    break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }

    private static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length) throw new InvalidDataException("truncated varint");
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("varint too long");
    }
}

using System.Buffers.Binary;

namespace Descent.TensorBoard;

/// <summary>Width, height and channel count of a PNG image, read from its IHDR chunk (what <c>Summary.Image</c> records).</summary>
internal readonly record struct PngHeader(int Width, int Height, int Channels)
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the header; throws <see cref="ArgumentException"/> when <paramref name="png"/> is not a PNG image.</summary>
    public static PngHeader Read(ReadOnlySpan<byte> png, string parameterName)
    {
        // Signature (8), chunk length (4), "IHDR" (4), width (4), height (4), bit depth (1), colour type (1).
        if (png.Length < 26 || !png[..8].SequenceEqual(Signature) || !png[12..16].SequenceEqual("IHDR"u8))
            throw new ArgumentException("Not a PNG image (no PNG signature followed by an IHDR chunk).", parameterName);
        uint width = BinaryPrimitives.ReadUInt32BigEndian(png[16..]);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(png[20..]);
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw new ArgumentException($"The PNG image has invalid dimensions {width} x {height}.", parameterName);
        int channels = png[25] switch
        {
            0 => 1, // grayscale
            2 => 3, // RGB
            3 => 3, // palette: decoded as RGB
            4 => 2, // grayscale + alpha
            6 => 4, // RGBA
            var t => throw new ArgumentException($"The PNG image has an unknown colour type {t}.", parameterName),
        };
        return new PngHeader((int)width, (int)height, channels);
    }
}

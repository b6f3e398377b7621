using System.Runtime.Intrinsics;
using Descent.Numerics;

namespace Descent.Tests.Numerics;

/// <summary>
/// The bucket encoders (scalar, AVX2 and the 16-lane form of the single-pass compact-state loop) against the reference
/// binary search (<see cref="QuantizationMap.Encode"/>): every value, every midpoint and its float neighbours (ties), zeros,
/// subnormals, values above 1 and 2, infinities and NaNs of both signs, and a sweep over the float bit patterns of [-2, 2].
/// </summary>
public class QuantizationEncoderTests
{
    public static TheoryData<string> Maps() => ["dynamic-signed", "dynamic-unsigned", "linear-signed", "linear-unsigned"];

    private static QuantizationMap Map(string name) => name switch
    {
        "dynamic-signed" => QuantizationMap.DynamicSigned,
        "dynamic-unsigned" => QuantizationMap.DynamicUnsigned,
        "linear-signed" => QuantizationMap.LinearSigned,
        _ => QuantizationMap.LinearUnsigned,
    };

    private static List<float> Probes(QuantizationMap map)
    {
        var probes = new List<float> { 0f, -0f, float.Epsilon, -float.Epsilon, 1e-38f, 1f, -1f, 1.0000001f, 2f, 1e30f, float.MaxValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7F80_0001u),
            BitConverter.UInt32BitsToSingle(0xFFC0_1234u), 0.99999994f, 0.5f, 0.1f, 0.01f, 1e-7f, 1e-10f };
        // Every value and every midpoint between neighbouring values, with float neighbours (ties and both sides).
        var values = map.Values;
        for (int c = 0; c < 256; c++)
        {
            float v = values[c];
            probes.Add(v);
            if (c + 1 < 256)
            {
                float mid = (float)(((double)values[c] + values[c + 1]) / 2);
                float truncated = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(mid) & ~0xFFu);
                foreach (float t in new[] { mid, truncated })
                {
                    float x = t;
                    for (int k = 0; k < 3; k++) x = MathF.BitDecrement(x);
                    for (int k = 0; k < 7; k++) { probes.Add(x); probes.Add(-x); x = MathF.BitIncrement(x); }
                }
            }
        }
        // A sweep over the bit patterns of [0, 2] (and their negatives), with an odd stride.
        for (uint bits = 0; bits <= 0x4000_0000u; bits += 977)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            probes.Add(x);
            probes.Add(-x);
        }
        return probes;
    }

    [Theory]
    [MemberData(nameof(Maps))]
    public unsafe void BucketEncoder512EqualsBinarySearch(string name)
    {
        if (!CompactStateLoop.Avx512PathSupported) return;
        var map = Map(name);
        var probes = Probes(map);
        var input = new float[16];
        for (int i = 0; i < probes.Count; i += 16)
        {
            int n = Math.Min(16, probes.Count - i);
            Array.Clear(input);
            probes.CopyTo(i, input, 0, n);
            var codes = map.EncodeVector512(Vector512.Create(input), map.BiasedBuckets);
            for (int k = 0; k < n; k++) Assert.True(map.Encode(input[k]) == (byte)codes[k], $"{name}: x={input[k]:R} (0x{BitConverter.SingleToUInt32Bits(input[k]):X8}) expected {map.Encode(input[k])}, got {codes[k]}");
        }
    }

    [Theory]
    [MemberData(nameof(Maps))]
    public void ScalarAndAvx2BucketEncodersEqualBinarySearch(string name)
    {
        // Includes magnitudes above 2, infinities and NaNs, which the bucket encoders once compared unclamped.
        var map = Map(name);
        var probes = Probes(map);
        foreach (float x in probes) Assert.True(map.Encode(x) == map.EncodeFast(x), $"{name}: x={x:R} (0x{BitConverter.SingleToUInt32Bits(x):X8})");
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported) return;
        var input = new float[8];
        for (int i = 0; i < probes.Count; i += 8)
        {
            int n = Math.Min(8, probes.Count - i);
            Array.Clear(input);
            probes.CopyTo(i, input, 0, n);
            var codes = map.EncodeVector(Vector256.Create(input));
            for (int k = 0; k < n; k++) Assert.Equal(map.Encode(input[k]), (byte)codes[k]);
        }
    }

    [Theory]
    [MemberData(nameof(Maps))]
    public unsafe void PermuteDecoderEqualsTheValueTable(string name)
    {
        if (!CompactStateLoop.Avx512PathSupported) return;
        var map = Map(name);
        var codes = new byte[64];
        var decoded = new float[64];
        foreach (float scale in new[] { 1f, 0.37f, 0f, float.NaN, 3e-30f })
        {
            for (int shift = 0; shift < 256; shift++)
            {
                // Every code at every one of the 64 positions (over the shifts), in a scattered order.
                for (int k = 0; k < 64; k++) codes[k] = (byte)(k * 37 + shift);
                fixed (byte* c = codes)
                {
                    CompactStateLoop.Decode64(map.Planes, Vector512.Load(c), Vector512.Create(scale), out var a0, out var a1, out var a2, out var a3);
                    a0.CopyTo(decoded, 0); a1.CopyTo(decoded, 16); a2.CopyTo(decoded, 32); a3.CopyTo(decoded, 48);
                }
                for (int k = 0; k < 64; k++)
                {
                    float expected = map.Decode(codes[k]) * scale;
                    Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(decoded[k]), $"{name}: code {codes[k]} at {k}, scale {scale}");
                }
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Numerics;

/// <summary>
/// Block-wise 8-bit quantization (Dettmers et al., "8-bit Optimizers via Block-wise Quantization", ICLR 2022): a buffer
/// is cut into blocks of <see cref="BlockSize"/> elements (the last one may be shorter); each block stores its absolute
/// maximum as a float and every element as the <see cref="QuantizationMap"/> code of element / absmax.
/// </summary>
/// <remarks>
/// <para>Block size 2,048 as in the paper's optimizer experiments: 8.0156 bits per element with the absmax, so a state
/// buffer is 3.99x smaller than float; smaller blocks lower the error (the paper: 2048 vs 256 changes little) but cost
/// more absmax bytes. Buffers below <see cref="MinimumLength"/> elements stay float (as bitsandbytes'
/// <c>min_8bit_size</c>): their state is a negligible share of memory and gains nothing from compression.</para>
/// <para>Non-finite values: a block with a NaN or an infinity stores absmax = NaN and decodes to NaN entirely (the state
/// of that block is poisoned, as a NaN gradient poisons float state under <c>NonFinitePolicy.Propagate</c>). A block of
/// zeros stores absmax 0 and decodes to exact zeros.</para>
/// </remarks>
public static class BlockwiseQuantization
{
    /// <summary>Elements per block (the last block of a buffer may be shorter).</summary>
    public const int BlockSize = 2048;

    /// <summary>Buffers shorter than this keep float state in every compact precision (bitsandbytes' default threshold).</summary>
    public const int MinimumLength = 4096;

    /// <summary>Blocks for <paramref name="length"/> elements.</summary>
    public static int BlockCount(int length) => (length + BlockSize - 1) / BlockSize;

    /// <summary>
    /// The absolute maximum of <paramref name="values"/> as stored for a block: the largest |x|, 0 for an empty or all-zero
    /// block, NaN when any element is NaN or infinite. Computed on the bits (an integer maximum), so the order is irrelevant.
    /// </summary>
    public static float AbsMax(ReadOnlySpan<float> values)
    {
        var bits = MemoryMarshal.Cast<float, uint>(values);
        uint max = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && bits.Length >= 8)
        {
            var acc = Vector256<uint>.Zero;
            ref uint r = ref MemoryMarshal.GetReference(bits);
            for (; i + 8 <= bits.Length; i += 8) acc = Vector256.Max(acc, Vector256.LoadUnsafe(ref r, (nuint)i) & Vector256.Create(0x7FFF_FFFFu));
            for (int k = 0; k < 8; k++) max = Math.Max(max, acc.GetElement(k));
        }
        for (; i < bits.Length; i++) max = Math.Max(max, bits[i] & 0x7FFF_FFFFu);
        return FromMaxBits(max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float FromMaxBits(uint max) => max >= 0x7F80_0000u ? float.NaN : BitConverter.UInt32BitsToSingle(max);

    /// <summary>The multiplier applied to a block's values before encoding: 1 / absmax, 0 for a zero block, NaN for NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float InverseScale(float absMax) => absMax == 0f ? 0f : 1f / absMax;

    /// <summary>
    /// Quantizes <paramref name="values"/> block by block into <paramref name="codes"/> (same length) and
    /// <paramref name="absMax"/> (<see cref="BlockCount"/> elements).
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> values, QuantizationMap map, Span<byte> codes, Span<float> absMax)
    {
        ArgumentNullException.ThrowIfNull(map);
        Check(values.Length, codes.Length, absMax.Length);
        for (int b = 0, start = 0; start < values.Length; b++, start += BlockSize)
        {
            int n = Math.Min(BlockSize, values.Length - start);
            float max = AbsMax(values.Slice(start, n));
            absMax[b] = max;
            EncodeBlock(values.Slice(start, n), map.EncodeScale(max), map, codes.Slice(start, n));
        }
    }

    /// <summary>Dequantizes <paramref name="codes"/> with the per-block <paramref name="absMax"/> into <paramref name="values"/>.</summary>
    public static void Dequantize(ReadOnlySpan<byte> codes, ReadOnlySpan<float> absMax, QuantizationMap map, Span<float> values)
    {
        ArgumentNullException.ThrowIfNull(map);
        Check(values.Length, codes.Length, absMax.Length);
        for (int b = 0, start = 0; start < values.Length; b++, start += BlockSize)
        {
            int n = Math.Min(BlockSize, values.Length - start);
            DecodeBlock(codes.Slice(start, n), absMax[b], map, values.Slice(start, n));
        }
    }

    /// <summary>The scalar reference of quantization (binary-search encoder); equal to <see cref="Quantize"/>.</summary>
    public static void QuantizeReference(ReadOnlySpan<float> values, QuantizationMap map, Span<byte> codes, Span<float> absMax)
    {
        ArgumentNullException.ThrowIfNull(map);
        Check(values.Length, codes.Length, absMax.Length);
        for (int b = 0, start = 0; start < values.Length; b++, start += BlockSize)
        {
            int n = Math.Min(BlockSize, values.Length - start);
            uint max = 0;
            for (int i = 0; i < n; i++) max = Math.Max(max, BitConverter.SingleToUInt32Bits(values[start + i]) & 0x7FFF_FFFFu);
            float m = FromMaxBits(max);
            absMax[b] = m;
            if (map.IsOffsetFloat)
            {
                float scale = map.EncodeScale(m);
                for (int i = 0; i < n; i++) codes[start + i] = map.Encode(values[start + i], scale);
                continue;
            }
            float inverse = InverseScale(m);
            for (int i = 0; i < n; i++) codes[start + i] = map.Encode(values[start + i] * inverse);
        }
    }

    private static void Check(int values, int codes, int absMax)
    {
        if (codes != values) throw new ArgumentException($"{codes} codes for {values} values.", nameof(codes));
        if (absMax != BlockCount(values)) throw new ArgumentException($"{absMax} block maxima for {BlockCount(values)} blocks.", nameof(absMax));
    }

    /// <summary>Encodes one block: codes[i] = map code of values[i] with the block's <see cref="QuantizationMap.EncodeScale"/>.</summary>
    internal static void EncodeBlock(ReadOnlySpan<float> values, float encodeScale, QuantizationMap map, Span<byte> codes)
    {
        int i = 0;
        if (map.IsOffsetFloat)
        {
            for (; i < values.Length; i++) codes[i] = map.Encode(values[i], encodeScale);
            return;
        }
        if (Avx2.IsSupported)
        {
            ref float v = ref MemoryMarshal.GetReference(values);
            ref byte c = ref MemoryMarshal.GetReference(codes);
            var scale = Vector256.Create(encodeScale);
            for (; i + 16 <= values.Length; i += 16)
            {
                var lo = map.EncodeVector(Vector256.LoadUnsafe(ref v, (nuint)i) * scale);
                var hi = map.EncodeVector(Vector256.LoadUnsafe(ref v, (nuint)(i + 8)) * scale);
                StoreCodes(lo, hi, ref c, i);
            }
        }
        for (; i < values.Length; i++) codes[i] = map.EncodeFast(values[i] * encodeScale);
    }

    /// <summary>Decodes one block: values[i] = map value of codes[i] at the block's <see cref="QuantizationMap.DecodeScale"/>.</summary>
    internal static void DecodeBlock(ReadOnlySpan<byte> codes, float absMax, QuantizationMap map, Span<float> values)
    {
        int i = 0;
        if (map.IsOffsetFloat)
        {
            float scale = map.DecodeScale(absMax);
            for (; i < values.Length; i++) values[i] = map.Decode(codes[i], scale);
            return;
        }
        if (Avx2.IsSupported)
        {
            ref float v = ref MemoryMarshal.GetReference(values);
            ref byte c = ref MemoryMarshal.GetReference(codes);
            var scale = Vector256.Create(absMax);
            for (; i + 8 <= values.Length; i += 8)
            {
                (map.DecodeVector(LoadCodes(ref c, i)) * scale).StoreUnsafe(ref v, (nuint)i);
            }
        }
        for (; i < values.Length; i++) values[i] = map.Decode(codes[i]) * absMax;
    }

    /// <summary>Eight codes at <paramref name="c"/> + <paramref name="offset"/>, widened to int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> LoadCodes(ref byte c, int offset)
        => Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref c, offset))).AsByte());

    /// <summary>Stores sixteen codes (low bytes of two int registers) at <paramref name="c"/> + <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreCodes(Vector256<int> lo, Vector256<int> hi, ref byte c, int offset)
    {
        var shorts = Vector256.Narrow(lo, hi);                       // 16 x short, lanes in order
        var bytes = Vector256.Narrow(shorts, shorts);                // 32 x byte: the 16 codes twice
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref c, offset), bytes.GetLower());
    }
}

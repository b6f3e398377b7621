using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Numerics;

/// <summary>
/// An 8-bit quantization map: 256 values in [-1, 1] (signed) or [0, 1] (unsigned) indexed by code, and the encoder that
/// maps a value of a block, scaled by the block's absolute maximum, to a code. Two kinds: table maps (Dettmers' dynamic
/// tree, linear), whose values are sorted and whose encoder searches them, and offset-float maps (<see cref="OffsetFloatSigned"/>,
/// <see cref="OffsetFloatUnsigned"/>), whose codes are small floating-point numbers encoded and decoded by integer arithmetic.
/// </summary>
/// <remarks>
/// <para>Offset-float map with e exponent and k mantissa bits: magnitude code q = (E, M) stands for
/// 2^(E - Emax) (1 + M / 2^k) - 2^-Emax with Emax = 2^e - 1, so q = 0 is exactly 0, the lowest binade is linear (like
/// subnormals) and every other binade has 2^k equal steps; a signed map keeps the sign in bit 7 (sign and magnitude).
/// A block is scaled so that its absolute maximum maps to the largest magnitude, TOP: encode scale TOP / absmax, decode
/// scale absmax / TOP. Encoding x: t = fma(|x|, encode scale, 2^-Emax) (one rounding), then the float bits of t rounded
/// to k mantissa bits (half up) give q directly; decoding: fma(A(q), decode scale, -2^-Emax decode scale), A(q) the float
/// with q's bits placed in exponent and mantissa. No table and no search: a few integer operations per value. The scalar
/// methods (<see cref="Encode(float, float)"/>, <see cref="Decode(byte, float)"/>) and the vector kernels do exactly these
/// operations, so they give the same codes and values.</para>
/// <para>Encoding is "nearest magnitude, sign kept": the magnitude |x| gets the rank of the ladder of non-negative
/// magnitudes (0 = m_0 &lt; m_1 &lt; ... &lt; m_L-1 = 1) at the thresholds t_j = (m_j + m_j+1) / 2 (computed in double, rounded to
/// float, then rounded towards zero to 15 fraction bits so that a threshold and a code pack into one 32-bit table entry);
/// |x| exactly on a threshold goes to the smaller magnitude. A signed map holds -m_1..-m_L-2, 0, m_1..m_L-1, so a
/// negative value whose magnitude rounds to 1 gets -m_L-2. Magnitudes above 1 (rounding of x / absmax) clamp to 1.</para>
/// <para>The fast encoder finds the rank without a search: the float bits of |x| (exponent and the top fraction bits)
/// index a table of buckets so narrow that each holds at most one threshold, so the rank is the bucket's first rank plus
/// one comparison. Scalar and vector forms do exactly these operations, so they give the same codes; tests hold them
/// equal to the plain binary search (<see cref="Encode"/>).</para>
/// </remarks>
public sealed class QuantizationMap
{
    private readonly float[] _values;      // 256 values (index = code; sorted for table maps)
    // Offset-float maps (null _thresholds): shift of the magnitude into the float bits, exponent base bits, offset 2^-Emax,
    // largest magnitude TOP, largest magnitude code, and whether non-zero values keep at least the smallest non-zero code.
    private readonly int _floatShift;
    private readonly uint _floatBase;
    private readonly float _offset, _floatTop;
    private readonly uint _magnitudeMax;
    private readonly bool _keepNonZero;
    private readonly float[] _thresholds = null!;  // L - 1 thresholds of the magnitude ladder (table maps)
    private readonly int[] _buckets = null!;       // (threshold bits with low 8 bits cleared) | rank at the bucket's start (pinned)
    private readonly byte[] _planes = null!;       // byte b of value c at b * 256 + c (pinned; table of the byte-permute decoder)
    private readonly int _zeroCode;        // code of 0 (L - 2 signed, 0 unsigned)
    private readonly int _topRank;         // L - 1
    private readonly uint _base, _top;     // bucket bit range
    private readonly int _shift;

    private QuantizationMap(string name, float[] ladder, bool signed)
    {
        Name = name;
        IsSigned = signed;
        int l = ladder.Length;
        if (ladder[0] != 0f || ladder[^1] != 1f) throw new ArgumentException("A ladder starts at 0 and ends at 1.", nameof(ladder));
        for (int i = 1; i < l; i++) if (!(ladder[i] > ladder[i - 1])) throw new ArgumentException("A ladder is strictly increasing.", nameof(ladder));
        if (signed ? 2 * l - 2 != 256 : l != 256) throw new ArgumentException("An 8-bit map has 256 values.", nameof(ladder));
        _topRank = l - 1;
        _zeroCode = signed ? l - 2 : 0;
        _values = new float[256];
        if (signed)
        {
            for (int q = 1; q <= l - 2; q++) _values[_zeroCode - q] = -ladder[q];
            for (int q = 0; q < l; q++) _values[_zeroCode + q] = ladder[q];
        }
        else
        {
            ladder.CopyTo(_values, 0);
        }
        _thresholds = new float[l - 1];
        for (int j = 0; j < l - 1; j++)
        {
            float mid = (float)(((double)ladder[j] + ladder[j + 1]) / 2);
            _thresholds[j] = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(mid) & ~0xFFu);
            if (!(_thresholds[j] > ladder[j])) throw new ArgumentException("Ladder values too close to pack thresholds.", nameof(ladder));
        }
        // Buckets: from the binade of the smallest threshold up to 1.0; the narrowest width with at most one threshold each.
        _base = BitConverter.SingleToUInt32Bits(_thresholds[0]) & 0x7F80_0000u;
        _top = BitConverter.SingleToUInt32Bits(1f);
        for (int m = 4; ; m++)
        {
            if (m > 12) throw new ArgumentException("Ladder too dense for the bucket encoder.", nameof(ladder));
            int shift = 23 - m;
            int count = (int)((_top - _base) >> shift) + 1;
            var buckets = GC.AllocateArray<int>(count, pinned: true);
            bool ok = true;
            int t = 0;
            for (int k = 0; k < count && ok; k++)
            {
                uint start = _base + ((uint)k << shift), end = start + (1u << shift);
                while (t < _thresholds.Length && BitConverter.SingleToUInt32Bits(_thresholds[t]) < start) t++;
                int rank = t;
                int inside = 0;
                uint threshold = BitConverter.SingleToUInt32Bits(2f);
                while (t + inside < _thresholds.Length && BitConverter.SingleToUInt32Bits(_thresholds[t + inside]) < end)
                {
                    threshold = BitConverter.SingleToUInt32Bits(_thresholds[t + inside]);
                    inside++;
                }
                // A threshold equal to the bucket's start is passed by every value but the start itself: keep it as the compare.
                if (inside > 1) ok = false;
                buckets[k] = (int)(threshold & ~0xFFu) | rank;
            }
            if (!ok) continue;
            _buckets = buckets;
            _shift = shift;
            break;
        }
        _planes = GC.AllocateArray<byte>(4 * 256, pinned: true);
        for (int c = 0; c < 256; c++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(_values[c]);
            for (int b = 0; b < 4; b++) _planes[b * 256 + c] = (byte)(bits >> (8 * b));
        }
    }

    private QuantizationMap(string name, bool signed, int exponentBits, int mantissaBits, bool keepNonZero)
    {
        if (exponentBits + mantissaBits != (signed ? 7 : 8)) throw new ArgumentException("An 8-bit map has 7 magnitude bits and a sign, or 8 magnitude bits.");
        if (exponentBits < 1 || exponentBits > 4) throw new ArgumentOutOfRangeException(nameof(exponentBits), "1 to 4 exponent bits (A(q) - 2^-Emax is then exact).");
        Name = name;
        IsSigned = signed;
        IsOffsetFloat = true;
        int emax = (1 << exponentBits) - 1;
        _floatShift = 23 - mantissaBits;
        _floatBase = (uint)(127 - emax) << 23;
        _offset = MathF.ScaleB(1f, -emax);
        _magnitudeMax = signed ? 127u : 255u;
        _floatTop = FloatA(_magnitudeMax) - _offset;
        _keepNonZero = keepNonZero;
        _zeroCode = 0;
        _topRank = (int)_magnitudeMax;
        _values = new float[256];
        for (int c = 0; c < 256; c++)
        {
            uint q = (uint)c & _magnitudeMax;
            float v = (FloatA(q) - _offset) / _floatTop;
            _values[c] = signed && c >= 128 ? -v : v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float FloatA(uint magnitude) => BitConverter.UInt32BitsToSingle((magnitude << _floatShift) | _floatBase);

    /// <summary>Whether this is an offset-float map (arithmetic codec) rather than a table map (search encoder).</summary>
    public bool IsOffsetFloat { get; }

    /// <summary>
    /// The multiplier applied to a block's values before encoding, from its absolute maximum: 1 / absmax for table maps,
    /// TOP / absmax for offset-float maps; 0 for a zero block, NaN for a NaN block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float EncodeScale(float absMax) => !IsOffsetFloat ? BlockwiseQuantization.InverseScale(absMax) : absMax == 0f ? 0f : _floatTop / absMax;

    /// <summary>The multiplier of a code's value when decoding, from the block's absolute maximum: absmax for table maps, absmax / TOP for offset-float maps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float DecodeScale(float absMax) => IsOffsetFloat ? absMax / _floatTop : absMax;

    /// <summary>The code of <paramref name="value"/> in a block whose <see cref="EncodeScale"/> is <paramref name="encodeScale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Encode(float value, float encodeScale)
    {
        if (!IsOffsetFloat) return EncodeFast(value * encodeScale);
        uint bits = BitConverter.SingleToUInt32Bits(value);
        float t = MathF.FusedMultiplyAdd(BitConverter.UInt32BitsToSingle(bits & 0x7FFF_FFFFu), encodeScale, _offset);
        uint q = (BitConverter.SingleToUInt32Bits(t) + ((1u << (_floatShift - 1)) - _floatBase)) >> _floatShift;
        if (_keepNonZero) q = Math.Max(q, Math.Min(bits & 0x7FFF_FFFFu, 1u));
        if (IsSigned) q |= (bits >> 24) & 0x80u;
        return (byte)Math.Min(q, 255u); // beyond 255 only for a NaN block (whose values decode to NaN whatever the code)
    }

    /// <summary>The value of <paramref name="code"/> in a block whose <see cref="DecodeScale"/> is <paramref name="decodeScale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Decode(byte code, float decodeScale)
    {
        if (!IsOffsetFloat) return _values[code] * decodeScale;
        float magnitude = MathF.FusedMultiplyAdd(FloatA(code & _magnitudeMax), decodeScale, -(_offset * decodeScale));
        return IsSigned && code >= 128 ? BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(magnitude) | 0x8000_0000u) : magnitude;
    }

    /// <summary>The offset-float codec's constants (shift, exponent base bits, offset, whether non-zero values keep a non-zero code).</summary>
    internal (int Shift, uint Base, float Offset, bool KeepNonZero) FloatFormat => (_floatShift, _floatBase, _offset, _keepNonZero);

    /// <summary>
    /// The offset-float map for first moments (signed; sign and 7 magnitude bits: 2 exponent and 5 mantissa bits). Chosen
    /// over the dynamic tree for its arithmetic codec; the measured errors of both on AdamW's moments are in the README.
    /// </summary>
    public static QuantizationMap OffsetFloatSigned { get; } = new("e2m5", signed: true, exponentBits: 2, mantissaBits: 5, keepNonZero: false);

    /// <summary>The offset-float map for second moments (unsigned; 3 exponent and 5 mantissa bits; a non-zero value never encodes to 0).</summary>
    public static QuantizationMap OffsetFloatUnsigned { get; } = new("e3m5", signed: false, exponentBits: 3, mantissaBits: 5, keepNonZero: true);

    /// <summary>The decoder's byte planes (pinned): byte b of the value of code c at b * 256 + c.</summary>
    internal unsafe byte* Planes => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_planes));

    /// <summary>The bucket table (pinned).</summary>
    internal unsafe int* Buckets => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buckets));

    /// <summary>
    /// The bucket table shifted back by the index of the first bucket's bits (<c>base &gt;&gt; shift</c>, a whole number since
    /// the base is a power of two), so that <c>BiasedBuckets[bits &gt;&gt; shift]</c> is the bucket of clamped magnitude bits
    /// without a subtraction. Only for address arithmetic: every index used is at least <c>base &gt;&gt; shift</c>.
    /// </summary>
    internal unsafe int* BiasedBuckets => Buckets - (_base >> _shift);

    /// <summary>The map's name (<c>dynamic</c>, <c>linear</c>, or the offset-float format such as <c>e2m5</c>).</summary>
    public string Name { get; }

    /// <summary>Whether the map holds negative values (first moments) or only non-negative ones (second moments).</summary>
    public bool IsSigned { get; }

    /// <summary>The 256 values (normalized to the block's absolute maximum), indexed by code; sorted for table maps.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The code of 0.</summary>
    public byte ZeroCode => (byte)_zeroCode;

    /// <summary>
    /// Dettmers' dynamic tree map ("8-bit Optimizers via Block-wise Quantization", ICLR 2022; bitsandbytes
    /// <c>create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)</c>): for decades 10^-6..10^0, the midpoints of
    /// equal steps of [0.1, 1] (2^i steps in decade i for the signed map, 2^(i+1) for the unsigned one), plus 0 and 1.
    /// Relative precision is about constant over seven decades below the block's maximum.
    /// </summary>
    public static QuantizationMap DynamicSigned { get; } = new("dynamic", DynamicLadder(signed: true), signed: true);

    /// <summary>The unsigned dynamic tree map (for second moments): 254 magnitudes over seven decades, 0 and 1.</summary>
    public static QuantizationMap DynamicUnsigned { get; } = new("dynamic", DynamicLadder(signed: false), signed: false);

    /// <summary>A linear signed map (magnitudes k/128), for comparison: much larger error on small values.</summary>
    public static QuantizationMap LinearSigned { get; } = new("linear", Enumerable.Range(0, 129).Select(k => k / 128f).ToArray(), signed: true);

    /// <summary>A linear unsigned map (k/255), for comparison.</summary>
    public static QuantizationMap LinearUnsigned { get; } = new("linear", Enumerable.Range(0, 256).Select(k => k / 255f).ToArray(), signed: false);

    private static float[] DynamicLadder(bool signed)
    {
        const int maxExponentBits = 7, nonSignBits = 7;
        var magnitudes = new List<double>();
        for (int i = 0; i < maxExponentBits; i++)
        {
            int fractionItems = signed ? (1 << (i + nonSignBits - maxExponentBits)) + 1 : (1 << (i + nonSignBits - maxExponentBits + 1)) + 1;
            double scale = Math.Pow(10, -(maxExponentBits - 1) + i);
            for (int k = 0; k + 1 < fractionItems; k++)
            {
                double lo = 0.1 + 0.9 * k / (fractionItems - 1), hi = 0.1 + 0.9 * (k + 1) / (fractionItems - 1);
                magnitudes.Add(scale * (lo + hi) / 2);
            }
        }
        magnitudes.Add(0);
        magnitudes.Add(1);
        return magnitudes.Select(m => (float)m).Order().ToArray();
    }

    /// <summary>The value of <paramref name="code"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Decode(byte code) => _values[code];

    /// <summary>The code of <paramref name="normalized"/> (a value divided by its block's absolute maximum) by binary search over the thresholds (the reference encoder of table maps; offset-float maps encode it with scale TOP).</summary>
    public byte Encode(float normalized)
    {
        if (IsOffsetFloat) return Encode(normalized, _floatTop);
        float a = MathF.Abs(normalized);
        int rank;
        if (float.IsNaN(a)) rank = _topRank;
        else
        {
            int lo = 0, hi = _thresholds.Length; // rank = number of thresholds < a
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (a > _thresholds[mid]) lo = mid + 1; else hi = mid;
            }
            rank = lo;
        }
        return Code(rank, normalized);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte Code(int rank, float normalized)
    {
        if (!IsSigned) return (byte)rank;
        return BitConverter.SingleToInt32Bits(normalized) < 0 ? (byte)(_zeroCode - Math.Min(rank, _zeroCode)) : (byte)(_zeroCode + rank);
    }

    /// <summary>The code of <paramref name="normalized"/> by the bucket table (equal to <see cref="Encode"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte EncodeFast(float normalized)
    {
        if (IsOffsetFloat) return Encode(normalized, _floatTop);
        // The magnitude's bits clamped to 1.0 (NaN, infinities and values above 1 read as 1), then its bucket.
        uint bits = Math.Min(BitConverter.SingleToUInt32Bits(normalized) & 0x7FFF_FFFFu, _top);
        float a = BitConverter.UInt32BitsToSingle(bits);
        uint index = (Math.Max(bits, _base) - _base) >> _shift;
        int entry = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buckets), (nint)index);
        int rank = (entry & 0xFF) + (a > BitConverter.Int32BitsToSingle(entry & ~0xFF) ? 1 : 0);
        return Code(rank, normalized);
    }

    /// <summary>Vector form of <see cref="EncodeFast"/> (AVX2 gather): the codes in the low byte of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe Vector256<int> EncodeVector(Vector256<float> normalized)
    {
        var bits = Vector256.Min(normalized.AsUInt32() & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(_top));
        var a = bits.AsSingle();
        var index = (Vector256.Max(bits, Vector256.Create(_base)) - Vector256.Create(_base)) >> _shift;
        Vector256<int> entry;
        fixed (int* table = _buckets) entry = Avx2.GatherVector256(table, index.AsInt32(), 4);
        var threshold = (entry & Vector256.Create(~0xFF)).AsSingle();
        var rank = (entry & Vector256.Create(0xFF)) - Vector256.GreaterThan(a, threshold).AsInt32();
        if (!IsSigned) return rank;
        var zero = Vector256.Create(_zeroCode);
        var negative = Vector256.LessThan(normalized.AsInt32(), Vector256<int>.Zero);
        return Vector256.ConditionalSelect(negative, zero - Vector256.Min(rank, zero), zero + rank);
    }

    /// <summary>
    /// 16-lane form of <see cref="EncodeFast"/> (two AVX2 gathers from <paramref name="table"/> = <see cref="BiasedBuckets"/>;
    /// the same decisions as <see cref="EncodeVector"/> lane by lane): the codes in the low byte of each lane (the other bytes
    /// are not zero for the unsigned map).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe Vector512<int> EncodeVector512(Vector512<float> normalized, int* table)
    {
        var bits = Vector512.Min(normalized.AsUInt32() & Vector512.Create(0x7FFF_FFFFu), Vector512.Create(_top));
        var a = bits.AsSingle();
        var index = (Vector512.Max(bits, Vector512.Create(_base)) >> _shift).AsInt32(); // table = BiasedBuckets
        var entry = Avx512F.InsertVector256(Avx2.GatherVector256(table, index.GetLower(), 4).ToVector512Unsafe(), Avx2.GatherVector256(table, index.GetUpper(), 4), 1);
        var threshold = (entry & Vector512.Create(~0xFF)).AsSingle();
        var above = Vector512.GreaterThan(a, threshold).AsInt32();
        // Unsigned: the code is the low byte of entry - above (rank + 1 <= 255 when above), which the caller's narrowing keeps.
        if (!IsSigned) return entry - above;
        var rank = (entry & Vector512.Create(0xFF)) - above;
        var zero = Vector512.Create(_zeroCode);
        var negative = Vector512.LessThan(normalized.AsInt32(), Vector512<int>.Zero);
        return Vector512.ConditionalSelect(negative, zero - Vector512.Min(rank, zero), zero + rank);
    }

    /// <summary>Vector form of <see cref="Decode"/> (AVX2 gather) for codes in the low byte of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe Vector256<float> DecodeVector(Vector256<int> codes)
    {
        fixed (float* table = _values) return Avx2.GatherVector256(table, codes, 4);
    }
}

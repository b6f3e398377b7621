using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Numerics;

/// <summary>
/// bfloat16 (1 sign, 8 exponent, 7 fraction bits: the upper half of an IEEE float) stored as <see cref="ushort"/> bits.
/// Widening is exact; narrowing rounds to nearest, ties to even (as PyTorch's <c>tensor.to(torch.bfloat16)</c> and
/// <c>vcvtneps2bf16</c>), or stochastically from a seeded counter-based stream (<see cref="CounterRandom"/>), so a rounded
/// buffer is reproducible and independent of the thread count. NaN stays NaN (made quiet, sign and upper payload kept);
/// infinities stay infinite; a finite value beyond the largest bfloat16 rounds to infinity.
/// </summary>
public static class BFloat16
{
    /// <summary>The float value of bfloat16 bits <paramref name="bits"/> (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary><paramref name="value"/> rounded to the nearest bfloat16, ties to even; NaN kept (quiet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u) return (ushort)((bits >> 16) | 0x0040u);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>
    /// <paramref name="value"/> rounded stochastically: up with probability equal to the dropped fraction of the spacing
    /// (the low 16 bits of <paramref name="random"/> are added before truncation), so the rounding is unbiased.
    /// NaN kept (quiet); infinities and exactly representable values are unchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingleStochastic(float value, uint random)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u) return (ushort)((bits >> 16) | 0x0040u);
        if ((bits & 0x7FFF_FFFFu) == 0x7F80_0000u) return (ushort)(bits >> 16);
        return (ushort)((bits + (random & 0xFFFFu)) >> 16);
    }

    /// <summary>Widens every element of <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (source.Length != destination.Length) throw new ArgumentException("Source and destination lengths differ.", nameof(destination));
        for (int i = 0; i < source.Length; i++) destination[i] = ToSingle(source[i]);
    }

    /// <summary>Rounds every element of <paramref name="source"/> to nearest even into <paramref name="destination"/> (same length).</summary>
    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (source.Length != destination.Length) throw new ArgumentException("Source and destination lengths differ.", nameof(destination));
        for (int i = 0; i < source.Length; i++) destination[i] = FromSingle(source[i]);
    }

    /// <summary>
    /// Rounds every element stochastically; element i uses <see cref="CounterRandom.At(uint, uint)"/>(<paramref name="key"/>,
    /// <paramref name="offset"/> + i), so any split of the buffer into slices (threads) gives the same bits.
    /// </summary>
    public static void FromSingleStochastic(ReadOnlySpan<float> source, Span<ushort> destination, uint key, int offset)
    {
        if (source.Length != destination.Length) throw new ArgumentException("Source and destination lengths differ.", nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        for (int i = 0; i < source.Length; i++) destination[i] = FromSingleStochastic(source[i], CounterRandom.At(key, (uint)(offset + i)));
    }

    /// <summary>Vector form of <see cref="ToSingle(ushort)"/> for 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Widen(Vector256<uint> bits) => (bits << 16).AsSingle();

    /// <summary>Vector form of <see cref="FromSingle(float)"/>: the rounded bits in the low 16 bits of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> Round(Vector256<float> value)
    {
        var bits = value.AsUInt32();
        var rounded = (bits + Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One)) >> 16;
        var nan = Vector256.GreaterThan(bits & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(0x7F80_0000u));
        return Vector256.ConditionalSelect(nan, (bits >> 16) | Vector256.Create(0x0040u), rounded);
    }

    /// <summary>Vector form of <see cref="FromSingleStochastic(float, uint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> RoundStochastic(Vector256<float> value, Vector256<uint> random)
    {
        var bits = value.AsUInt32();
        var magnitude = bits & Vector256.Create(0x7FFF_FFFFu);
        var rounded = (bits + (random & Vector256.Create(0xFFFFu))) >> 16;
        var nan = Vector256.GreaterThan(magnitude, Vector256.Create(0x7F80_0000u));
        var inf = Vector256.Equals(magnitude, Vector256.Create(0x7F80_0000u));
        rounded = Vector256.ConditionalSelect(inf, bits >> 16, rounded);
        return Vector256.ConditionalSelect(nan, (bits >> 16) | Vector256.Create(0x0040u), rounded);
    }
    /// <summary>16-lane form of <see cref="Round(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> Round(Vector512<float> value)
    {
        var bits = value.AsUInt32();
        var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
        var nan = Vector512.GreaterThan(bits & Vector512.Create(0x7FFF_FFFFu), Vector512.Create(0x7F80_0000u));
        return Vector512.ConditionalSelect(nan, (bits >> 16) | Vector512.Create(0x0040u), rounded);
    }

    /// <summary>16-lane form of <see cref="RoundStochastic(Vector256{float}, Vector256{uint})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> RoundStochastic(Vector512<float> value, Vector512<uint> random)
    {
        var bits = value.AsUInt32();
        var magnitude = bits & Vector512.Create(0x7FFF_FFFFu);
        var rounded = (bits + (random & Vector512.Create(0xFFFFu))) >> 16;
        var nan = Vector512.GreaterThan(magnitude, Vector512.Create(0x7F80_0000u));
        var inf = Vector512.Equals(magnitude, Vector512.Create(0x7F80_0000u));
        rounded = Vector512.ConditionalSelect(inf, bits >> 16, rounded);
        return Vector512.ConditionalSelect(nan, (bits >> 16) | Vector512.Create(0x0040u), rounded);
    }
}

/// <summary>
/// A counter-based pseudo-random stream: the value for (key, counter) is a fixed hash (MurmurHash3's 32-bit finalizer of
/// counter times the golden ratio plus the key), so element i of a buffer always gets the same number, whichever thread
/// computes it and in whatever order. Not cryptographic; enough for stochastic rounding.
/// </summary>
public static class CounterRandom
{
    /// <summary>The stream's key for a seed, a step and a stream number (e.g. one per parameter and state buffer).</summary>
    public static uint Key(ulong seed, long step, int stream)
    {
        ulong z = seed + 0x9E37_79B9_7F4A_7C15UL * (ulong)(step + 1) + 0xD1B5_4A32_D192_ED03UL * (ulong)(uint)stream;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return (uint)(z ^ (z >> 31));
    }

    /// <summary>The 32-bit value at <paramref name="counter"/> of the stream <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint At(uint key, uint counter)
    {
        uint h = counter * 0x9E37_79B9u + key;
        h ^= h >> 16;
        h *= 0x85EB_CA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2_AE35u;
        h ^= h >> 16;
        return h;
    }

    /// <summary>16-lane form of <see cref="At(uint, uint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> At(Vector512<uint> key, Vector512<uint> counter)
    {
        var h = counter * Vector512.Create(0x9E37_79B9u) + key;
        h ^= h >> 16;
        h *= Vector512.Create(0x85EB_CA6Bu);
        h ^= h >> 13;
        h *= Vector512.Create(0xC2B2_AE35u);
        h ^= h >> 16;
        return h;
    }

    /// <summary>Vector form of <see cref="At(uint, uint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> At(Vector256<uint> key, Vector256<uint> counter)
    {
        var h = counter * Vector256.Create(0x9E37_79B9u) + key;
        h ^= h >> 16;
        h *= Vector256.Create(0x85EB_CA6Bu);
        h ^= h >> 13;
        h *= Vector256.Create(0xC2B2_AE35u);
        h ^= h >> 16;
        return h;
    }
}

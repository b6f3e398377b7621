using Descent.Numerics;

namespace Descent.Optimizers;

/// <summary>
/// One state buffer of a parameter held in a compact <see cref="StatePrecision"/>: bfloat16 bits, or block-wise 8-bit codes
/// with one absmax per <see cref="BlockwiseQuantization.BlockSize"/> elements. The optimizer's fused kernels decode, update
/// and encode it in one pass; <see cref="Read"/> and <see cref="Write"/> are the scalar reference conversions.
/// </summary>
public sealed class CompactStateBuffer
{
    internal CompactStateBuffer(string parameterName, string name, StatePrecision precision, bool signed, int length)
    {
        if (precision == StatePrecision.Float32) throw new ArgumentOutOfRangeException(nameof(precision), "Float32 state is not compact.");
        Name = name;
        Precision = precision;
        IsSigned = signed;
        Length = length;
        Stream = StreamOf(parameterName, name);
        if (precision == StatePrecision.BFloat16) BFloat16Bits = new ushort[length];
        else
        {
            Codes = new byte[length];
            AbsMax = new float[BlockwiseQuantization.BlockCount(length)];
            if (Map!.ZeroCode != 0) Array.Fill(Codes, Map.ZeroCode);
        }
    }

    /// <summary>The buffer's name (PyTorch's state key, e.g. <c>exp_avg</c>).</summary>
    public string Name { get; }

    /// <summary>bfloat16 or int8.</summary>
    public StatePrecision Precision { get; }

    /// <summary>Whether the values may be negative (first moments: signed map) or not (second moments: unsigned map).</summary>
    public bool IsSigned { get; }

    /// <summary>Elements (the parameter's length).</summary>
    public int Length { get; }

    /// <summary>bfloat16 bits (empty for int8).</summary>
    public ushort[] BFloat16Bits { get; } = [];

    /// <summary>8-bit codes (empty for bfloat16).</summary>
    public byte[] Codes { get; } = [];

    /// <summary>Per-block absolute maxima (empty for bfloat16).</summary>
    public float[] AbsMax { get; } = [];

    /// <summary>The 8-bit map (null for bfloat16): <see cref="MapFor"/>.</summary>
    public QuantizationMap? Map => Precision == StatePrecision.Int8 ? MapFor(IsSigned) : null;

    /// <summary>
    /// The 8-bit map of int8 optimizer state: the offset-float maps (<see cref="QuantizationMap.OffsetFloatSigned"/> for first
    /// moments, <see cref="QuantizationMap.OffsetFloatUnsigned"/> for second moments), whose arithmetic codec runs at the
    /// memory's speed; their measured error against Dettmers' dynamic tree is in the README.
    /// </summary>
    public static QuantizationMap MapFor(bool signed) => signed ? QuantizationMap.OffsetFloatSigned : QuantizationMap.OffsetFloatUnsigned;

    /// <summary>The map called <paramref name="name"/> for <paramref name="signed"/> values (int8 state of this or an earlier version), or null.</summary>
    internal static QuantizationMap? MapNamed(string name, bool signed)
    {
        var current = MapFor(signed);
        var tree = signed ? QuantizationMap.DynamicSigned : QuantizationMap.DynamicUnsigned;
        return name == current.Name ? current : name == tree.Name ? tree : null;
    }

    /// <summary>Bytes held (codes or bits plus absmax).</summary>
    public long ByteCount => 2L * BFloat16Bits.Length + Codes.Length + 4L * AbsMax.Length;

    /// <summary>The stochastic-rounding stream number: a fixed hash (FNV-1a) of the parameter and buffer names.</summary>
    internal int Stream { get; }

    /// <summary>The kernels' view for the step numbered <paramref name="step"/> (the stochastic key depends on it).</summary>
    public CompactState ForStep(ulong? stochasticSeed, long step) => Precision == StatePrecision.Int8
        ? CompactState.ForInt8(Codes, AbsMax, Map!)
        : CompactState.ForBFloat16(BFloat16Bits, stochasticSeed is not null, stochasticSeed is { } seed ? CounterRandom.Key(seed, step, Stream) : 0);

    /// <summary>Decodes the buffer into <paramref name="destination"/> (scalar reference).</summary>
    public void Read(Span<float> destination) => ForStep(null, 0).DequantizeReference(destination);

    /// <summary>Encodes <paramref name="source"/> into the buffer (scalar reference); stochastic rounding uses the stream of <paramref name="step"/>.</summary>
    public void Write(ReadOnlySpan<float> source, ulong? stochasticSeed = null, long step = 0) => ForStep(stochasticSeed, step).QuantizeReference(source);

    private static int StreamOf(string parameter, string buffer)
    {
        uint h = 2166136261;
        foreach (char c in parameter + "\u0000" + buffer) { h ^= c; h *= 16777619; }
        return (int)h;
    }
}

/// <summary>A deep copy of one compact state buffer, stored as is (no upcast).</summary>
/// <param name="Name">The buffer's name.</param>
/// <param name="Precision">bfloat16 or int8.</param>
/// <param name="IsSigned">Signed (first moment) or unsigned (second moment) map.</param>
/// <param name="BFloat16Bits">bfloat16 bits (empty for int8).</param>
/// <param name="Codes">8-bit codes (empty for bfloat16).</param>
/// <param name="AbsMax">Per-block maxima (empty for bfloat16).</param>
public sealed record CompactBufferSnapshot(string Name, StatePrecision Precision, bool IsSigned, ushort[] BFloat16Bits, byte[] Codes, float[] AbsMax)
{
    /// <summary>
    /// The name of the 8-bit map the codes are in (int8; null: the current map, <see cref="CompactStateBuffer.MapFor"/>).
    /// Checkpoints written before the offset-float maps hold codes of the dynamic tree (<c>dynamic</c>); such state is loaded
    /// only when converting, which decodes it with its own map.
    /// </summary>
    public string? MapName { get; init; }

    /// <summary>The map of the codes (int8), or null for bfloat16; throws for an unknown map name.</summary>
    internal QuantizationMap? Map => Precision != StatePrecision.Int8 ? null
        : MapName is null ? CompactStateBuffer.MapFor(IsSigned)
        : CompactStateBuffer.MapNamed(MapName, IsSigned) ?? throw new ArgumentException($"Compact buffer '{Name}' uses an unknown 8-bit map '{MapName}'.");

    /// <summary>Elements held.</summary>
    public int Length => Precision == StatePrecision.BFloat16 ? BFloat16Bits.Length : Codes.Length;

    /// <summary>A copy of <paramref name="buffer"/>.</summary>
    public static CompactBufferSnapshot Of(CompactStateBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return new(buffer.Name, buffer.Precision, buffer.IsSigned, (ushort[])buffer.BFloat16Bits.Clone(), (byte[])buffer.Codes.Clone(), (float[])buffer.AbsMax.Clone())
        {
            MapName = buffer.Map?.Name,
        };
    }

    /// <summary>Checks the arrays against <see cref="Precision"/>; throws <see cref="ArgumentException"/> if they do not fit.</summary>
    internal void Validate()
    {
        bool ok = Precision switch
        {
            StatePrecision.BFloat16 => Codes.Length == 0 && AbsMax.Length == 0,
            StatePrecision.Int8 => BFloat16Bits.Length == 0 && AbsMax.Length == BlockwiseQuantization.BlockCount(Codes.Length),
            _ => false,
        };
        if (!ok) throw new ArgumentException($"Compact buffer '{Name}' ({Precision}) has inconsistent arrays.");
        _ = Map; // an unknown map name is refused here
    }

    /// <summary>Decodes into <paramref name="destination"/> (scalar reference).</summary>
    public void Read(Span<float> destination)
    {
        var view = Precision == StatePrecision.Int8
            ? CompactState.ForInt8(Codes, AbsMax, Map!)
            : CompactState.ForBFloat16(BFloat16Bits);
        view.DequantizeReference(destination);
    }
}

/// <summary>Validation and copying of state buffers between a snapshot and an optimizer, across precisions when asked.</summary>
internal static class CompactStateTransfer
{
    private static StatePrecision? PrecisionOf<T>(ParameterSnapshot<T> p, string name, out int length) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var b in p.Buffers) if (b.Key == name) { length = b.Value?.Length ?? -1; return StatePrecision.Float32; }
        foreach (var c in p.CompactBuffers) if (c.Name == name) { length = c.Length; return c.Precision; }
        length = 0;
        return null;
    }

    private static StatePrecision? PrecisionOf<T>(ParameterState<T> s, string name, out int length) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var b in s.Buffers) if (b.Key == name) { length = b.Value.Length; return StatePrecision.Float32; }
        foreach (var c in s.CompactBuffers) if (c.Name == name) { length = c.Length; return c.Precision; }
        length = 0;
        return null;
    }

    private static IEnumerable<string> Names<T>(ParameterSnapshot<T> p) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => p.Buffers.Select(b => b.Key).Concat(p.CompactBuffers.Select(c => c.Name));

    private static IEnumerable<string> Names<T>(ParameterState<T> s) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => s.Buffers.Select(b => b.Key).Concat(s.CompactBuffers.Select(c => c.Name));

    /// <summary>Throws <see cref="ArgumentException"/> when the snapshot's buffers do not fit (precision only when not converting).</summary>
    public static void Check<T>(ParameterSnapshot<T> p, ParameterState<T> s, bool convert) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var c in p.CompactBuffers ?? []) c.Validate();
        if (p.CompactBuffers is null) throw new ArgumentException($"'{p.Name}' has no compact buffer list.");
        foreach (string name in Names(s).Union(Names(p)))
        {
            var here = PrecisionOf(s, name, out int hereLength);
            var there = PrecisionOf(p, name, out int thereLength);
            if (here is null || there is null)
            {
                // Float buffers on one side only are reported by the caller's count and name checks when not converting.
                if (!convert && (here ?? there) == StatePrecision.Float32) continue;
                if (here is null) throw new ArgumentException($"'{p.Name}' has a state buffer '{name}' ({there!.Value.TextName()}) in the snapshot that this optimizer does not keep.");
                throw new ArgumentException($"'{p.Name}' state buffer '{name}' ({here.Value.TextName()}) is missing from the snapshot.");
            }
            if (here != there && !convert)
                throw new ArgumentException($"'{p.Name}.{name}' is {there.Value.TextName()} in the snapshot but {here.Value.TextName()} here; load with convertStatePrecision to convert.");
            if (here == StatePrecision.Int8 && there == StatePrecision.Int8 && !convert
                && SnapshotMap(p, name) is { } theirs && s.TryGetCompactBuffer(name)!.Map is { } ours && theirs != ours)
                throw new ArgumentException($"'{p.Name}.{name}' holds int8 codes of the '{theirs.Name}' map (written by an earlier version) but this optimizer keeps the '{ours.Name}' map; load with convertStatePrecision to re-encode it.");
            if (hereLength != thereLength && (convert || here != StatePrecision.Float32))
                throw new ArgumentException($"'{p.Name}.{name}' has length {thereLength} in the snapshot, {hereLength} here.");
        }
    }

    private static QuantizationMap? SnapshotMap<T>(ParameterSnapshot<T> p, string name) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var c in p.CompactBuffers) if (c.Name == name) return c.Map;
        return null;
    }

    /// <summary>Copies (converting precisions where they differ) every buffer of <paramref name="p"/> into <paramref name="s"/>.</summary>
    public static void Copy<T>(ParameterSnapshot<T> p, ParameterState<T> s) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var b in s.Buffers)
        {
            var source = p.Buffers.FirstOrDefault(x => x.Key == b.Key).Value;
            if (source is not null) { source.AsSpan().CopyTo(b.Value); continue; }
            var compact = p.CompactBuffers.First(c => c.Name == b.Key);
            if (typeof(T) == typeof(float)) compact.Read((float[])(object)b.Value);
            else
            {
                var tmp = new float[compact.Length];
                compact.Read(tmp);
                for (int i = 0; i < tmp.Length; i++) b.Value[i] = T.CreateTruncating(tmp[i]);
            }
        }
        foreach (var c in s.CompactBuffers)
        {
            var same = p.CompactBuffers.FirstOrDefault(x => x.Name == c.Name);
            if (same is not null && same.Precision == c.Precision && same.Map == c.Map)
            {
                same.BFloat16Bits.CopyTo(c.BFloat16Bits, 0);
                same.Codes.CopyTo(c.Codes, 0);
                same.AbsMax.CopyTo(c.AbsMax, 0);
                continue;
            }
            var values = new float[c.Length];
            if (same is not null) same.Read(values);
            else
            {
                var source = p.Buffers.First(x => x.Key == c.Name).Value;
                for (int i = 0; i < values.Length; i++) values[i] = float.CreateTruncating(source[i]);
            }
            c.Write(values);
        }
    }
}

/// <summary>
/// A fused step that can keep some of its state buffers compact (<see cref="StatePrecision.BFloat16"/>,
/// <see cref="StatePrecision.Int8"/>): which buffers, and whether each holds signed values.
/// </summary>
public interface ICompactStateStep
{
    /// <summary>The compactable buffers in kernel order (state 0, state 1); empty when this configuration has no compact kernel.</summary>
    IReadOnlyList<(string Name, bool Signed)> CompactBuffers { get; }
}

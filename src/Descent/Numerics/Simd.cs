using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Numerics;

/// <summary>
/// A SIMD register of <typeparamref name="T"/> with the few element-wise operations the fused optimizer kernels use.
/// Every operation is the correctly rounded IEEE operation on each lane (no fused multiply-add), so a kernel written
/// once against this interface gives, lane by lane, the same bits as the same formula in scalar code.
/// </summary>
public interface ISimd<TSelf, T>
    where TSelf : struct, ISimd<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }
    /// <summary>All lanes equal to <paramref name="value"/>.</summary>
    static abstract TSelf Create(T value);
    /// <summary>Loads <see cref="Count"/> elements at <paramref name="source"/> + <paramref name="offset"/>.</summary>
    static abstract TSelf Load(ref T source, nuint offset);
    /// <summary>Stores the lanes at <paramref name="destination"/> + <paramref name="offset"/>.</summary>
    void Store(ref T destination, nuint offset);
    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);
    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);
    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);
    /// <summary>Lane-wise quotient.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);
    /// <summary>Lane-wise negation.</summary>
    static abstract TSelf operator -(TSelf a);
    /// <summary>Lane-wise square root.</summary>
    static abstract TSelf Sqrt(TSelf a);
    /// <summary>Lane-wise maximum.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);
    /// <summary>Lane-wise absolute value.</summary>
    static abstract TSelf Abs(TSelf a);
    /// <summary>Lane-wise sign: 1 for x &gt; 0, -1 for x &lt; 0, x itself for ±0 and NaN (as <c>x &gt; 0 ? 1 : x &lt; 0 ? -1 : x</c>).</summary>
    static abstract TSelf Sign(TSelf a);
}

/// <summary>512-bit register.</summary>
public readonly struct Simd512<T>(Vector512<T> v) : ISimd<Simd512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = v;
    /// <inheritdoc />
    public static int Count => Vector512<T>.Count;
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> Create(T value) => new(Vector512.Create(value));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> Load(ref T source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref T destination, nuint offset) => _v.StoreUnsafe(ref destination, offset);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> operator +(Simd512<T> a, Simd512<T> b) => new(a._v + b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> operator -(Simd512<T> a, Simd512<T> b) => new(a._v - b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> operator *(Simd512<T> a, Simd512<T> b) => new(a._v * b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> operator /(Simd512<T> a, Simd512<T> b) => new(a._v / b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> operator -(Simd512<T> a) => new(-a._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> Sqrt(Simd512<T> a) => new(Vector512.Sqrt(a._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> Max(Simd512<T> a, Simd512<T> b) => new(Vector512.Max(a._v, b._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> Abs(Simd512<T> a) => new(Vector512.Abs(a._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512<T> Sign(Simd512<T> a)
        => new(Vector512.ConditionalSelect(Vector512.Equals(a._v, Vector512<T>.Zero) | ~Vector512.Equals(a._v, a._v), a._v, Vector512.CopySign(Vector512<T>.One, a._v)));
}

/// <summary>256-bit register.</summary>
public readonly struct Simd256<T>(Vector256<T> v) : ISimd<Simd256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v = v;
    /// <inheritdoc />
    public static int Count => Vector256<T>.Count;
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> Create(T value) => new(Vector256.Create(value));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> Load(ref T source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref T destination, nuint offset) => _v.StoreUnsafe(ref destination, offset);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> operator +(Simd256<T> a, Simd256<T> b) => new(a._v + b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> operator -(Simd256<T> a, Simd256<T> b) => new(a._v - b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> operator *(Simd256<T> a, Simd256<T> b) => new(a._v * b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> operator /(Simd256<T> a, Simd256<T> b) => new(a._v / b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> operator -(Simd256<T> a) => new(-a._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> Sqrt(Simd256<T> a) => new(Vector256.Sqrt(a._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> Max(Simd256<T> a, Simd256<T> b) => new(Vector256.Max(a._v, b._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> Abs(Simd256<T> a) => new(Vector256.Abs(a._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256<T> Sign(Simd256<T> a)
        => new(Vector256.ConditionalSelect(Vector256.Equals(a._v, Vector256<T>.Zero) | ~Vector256.Equals(a._v, a._v), a._v, Vector256.CopySign(Vector256<T>.One, a._v)));
}

/// <summary>128-bit register (also the portable fallback).</summary>
public readonly struct Simd128<T>(Vector128<T> v) : ISimd<Simd128<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector128<T> _v = v;
    /// <inheritdoc />
    public static int Count => Vector128<T>.Count;
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> Create(T value) => new(Vector128.Create(value));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> Load(ref T source, nuint offset) => new(Vector128.LoadUnsafe(ref source, offset));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref T destination, nuint offset) => _v.StoreUnsafe(ref destination, offset);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> operator +(Simd128<T> a, Simd128<T> b) => new(a._v + b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> operator -(Simd128<T> a, Simd128<T> b) => new(a._v - b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> operator *(Simd128<T> a, Simd128<T> b) => new(a._v * b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> operator /(Simd128<T> a, Simd128<T> b) => new(a._v / b._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> operator -(Simd128<T> a) => new(-a._v);
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> Sqrt(Simd128<T> a) => new(Vector128.Sqrt(a._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> Max(Simd128<T> a, Simd128<T> b) => new(Vector128.Max(a._v, b._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> Abs(Simd128<T> a) => new(Vector128.Abs(a._v));
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128<T> Sign(Simd128<T> a)
        => new(Vector128.ConditionalSelect(Vector128.Equals(a._v, Vector128<T>.Zero) | ~Vector128.Equals(a._v, a._v), a._v, Vector128.CopySign(Vector128<T>.One, a._v)));
}

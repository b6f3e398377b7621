using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Numerics;

/// <summary>
/// Single-precision <c>exp</c> on whole registers for the softmax kernels: Cody-Waite range reduction
/// <c>x = n ln 2 + r</c> with |r| &lt;= ln 2 / 2, a degree-6 polynomial <c>1 + r + r^2 q(r)</c> for <c>e^r</c> (one
/// multiply-add fewer than Cephes' <c>expf</c>) and the product <c>2^n e^r</c> formed by <c>vscalefps</c> where AVX-512 is available
/// (elsewhere by writing n + 127 into the exponent bits, in two factors). Within 1 ulp of the correctly rounded result on
/// every 97th float of [-87.3, 88.7] (VectorExpTests, against double-precision <see cref="Math.Exp"/>). Inputs are
/// clamped to [-105, 89], so -infinity gives 0 and +infinity gives +infinity; NaN stays NaN. Without AVX-512, results
/// below e^-87.3 (subnormal) are flushed to 0. About three times the throughput of <c>Vector512.Exp</c>, which
/// evaluates in double precision.
/// </summary>
internal static class VectorExp
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;       // exactly representable upper part of ln 2
    private const float Ln2Low = -2.12194440e-4f;     // ln 2 - Ln2High
    private const float Lowest = -105f;               // e^-105 rounds to 0 in float
    private const float Highest = 89f;                // e^89 overflows to +infinity
    private const float NormalLowest = -87.33654f;    // ln(2^-126), used where results are built in the exponent bits
    // e^r = 1 + r + r^2 q(r), q of degree 4: a near-minimax fit of (e^r - 1 - r) / r^2 on [-ln2/2, ln2/2] for relative error
    // (Lawson-weighted least squares on Chebyshev nodes; approximation error 3.1e-9, far below float rounding).
    private const float Q4 = 1.3814612982e-03f, Q3 = 8.3687098426e-03f, Q2 = 4.1668387367e-02f, Q1 = 1.6666520690e-01f,
        Q0 = 4.9999993452e-01f;

    /// <summary>e^x lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        // Min/Max against constants keep a NaN input (the JIT orders the operands so that NaN propagates).
        var c = Vector512.Min(Vector512.Max(x, Vector512.Create(Lowest)), Vector512.Create(Highest));
        var n = Vector512.Round(c * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), c);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        // Estrin's scheme: q = (Q0 + Q1 r) + r^2 ((Q2 + Q3 r) + Q4 r^2), a shorter dependency chain than Horner's.
        var r2 = r * r;
        var q = Vector512.FusedMultiplyAdd(r2, Vector512.FusedMultiplyAdd(Vector512.Create(Q4), r2, Vector512.FusedMultiplyAdd(Vector512.Create(Q3), r, Vector512.Create(Q2))),
            Vector512.FusedMultiplyAdd(Vector512.Create(Q1), r, Vector512.Create(Q0)));
        var p = Vector512.FusedMultiplyAdd(q, r2, r + Vector512<float>.One);
        if (Avx512F.IsSupported) return Avx512F.Scale(p, n);
        var ni = Vector512.ConvertToInt32Native(n);
        var half = ni >> 1;
        var result = p * ((half + Vector512.Create(127)) << 23).AsSingle() * ((ni - half + Vector512.Create(127)) << 23).AsSingle();
        return Vector512.ConditionalSelect(Vector512.LessThan(c, Vector512.Create(NormalLowest)), Vector512<float>.Zero, result);
    }

    /// <summary>e^x lane by lane (256-bit registers; the same arithmetic as the 512-bit form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var c = Vector256.Min(Vector256.Max(x, Vector256.Create(Lowest)), Vector256.Create(Highest));
        var n = Vector256.Round(c * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), c);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        // Estrin's scheme: q = (Q0 + Q1 r) + r^2 ((Q2 + Q3 r) + Q4 r^2), a shorter dependency chain than Horner's.
        var r2 = r * r;
        var q = Vector256.FusedMultiplyAdd(r2, Vector256.FusedMultiplyAdd(Vector256.Create(Q4), r2, Vector256.FusedMultiplyAdd(Vector256.Create(Q3), r, Vector256.Create(Q2))),
            Vector256.FusedMultiplyAdd(Vector256.Create(Q1), r, Vector256.Create(Q0)));
        var p = Vector256.FusedMultiplyAdd(q, r2, r + Vector256<float>.One);
        if (Avx512F.VL.IsSupported) return Avx512F.VL.Scale(p, n);
        var ni = Vector256.ConvertToInt32Native(n);
        var half = ni >> 1;
        var result = p * ((half + Vector256.Create(127)) << 23).AsSingle() * ((ni - half + Vector256.Create(127)) << 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.LessThan(c, Vector256.Create(NormalLowest)), Vector256<float>.Zero, result);
    }

    /// <summary>Scalar form for tails: lane 0 of the widest accelerated register form, so tails match whole registers bit for bit.</summary>
    public static float Exp(float x) => Vector512.IsHardwareAccelerated
        ? Exp(Vector512.Create(x)).ToScalar()
        : Exp(Vector256.Create(x)).ToScalar();
}

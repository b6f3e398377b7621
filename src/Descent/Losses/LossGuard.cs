using System.Numerics;

namespace Descent.Losses;

/// <summary>Argument checks shared by the losses; every check runs before anything is written.</summary>
internal static class LossGuard
{
    public static T Const<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(value);

    public static void SameLength(int expected, int actual, string parameter, string what)
    {
        if (expected != actual)
        {
            throw new ArgumentException($"{parameter} has length {actual} but {expected} was expected ({what}).", parameter);
        }
    }

    /// <summary>Shapes of a pair loss: first and second [n × dimension], gradients of the same shape, per-pair losses.</summary>
    public static void Pairs(int firstLength, int secondLength, int firstGradientLength, int secondGradientLength, int n, int dimension,
        Reduction reduction, int lossesLength)
    {
        Shape(firstLength, n, dimension, "first");
        SameLength(firstLength, secondLength, "second", "same shape as first");
        SameLength(firstLength, firstGradientLength, "firstGradient", "same shape as first");
        SameLength(firstLength, secondGradientLength, "secondGradient", "same shape as first");
        Losses(reduction, n, lossesLength, "losses");
    }

    public static void NonNegativeFinite(double value, string parameter)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} must be finite and >= 0.");
        }
    }

    public static void Finite(double value, string parameter)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} must be finite.");
        }
    }

    public static T[]? Weights<T>(ReadOnlySpan<T> weight, string parameter) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (weight.IsEmpty) return null;
        for (int i = 0; i < weight.Length; i++)
        {
            if (!T.IsFinite(weight[i]) || T.IsNegative(weight[i]))
            {
                throw new ArgumentOutOfRangeException(parameter, weight[i], $"{parameter}[{i}] is {weight[i]}; weights must be finite and >= 0.");
            }
        }
        return weight.ToArray();
    }

    public static void Shape(int length, int rows, int columns, string parameter)
    {
        if (rows < 0 || columns <= 0 || (long)rows * columns != length)
        {
            throw new ArgumentException($"{parameter} has length {length}, which is not {rows} x {columns}.", parameter);
        }
    }

    public static void Classes(ReadOnlySpan<int> targets, int classes, int ignoreIndex, string parameter)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if ((uint)t >= (uint)classes && t != ignoreIndex)
            {
                throw new ArgumentOutOfRangeException(parameter, t,
                    $"{parameter}[{i}] = {t} is not a class index in [0, {classes - 1}] (nor the ignore index {ignoreIndex}).");
            }
        }
    }

    public static void Losses(Reduction reduction, int required, int actual, string parameter)
    {
        if (reduction == Reduction.None && actual != required)
        {
            throw new ArgumentException($"Reduction.None needs {parameter} of length {required} for the per-element losses, got {actual}.", parameter);
        }
    }
}

namespace Descent.Lab.Statistics;

/// <summary>The chi-squared distribution.</summary>
public static class ChiSquared
{
    /// <summary>P(X &gt; x) for k degrees of freedom.</summary>
    public static double Survival(double x, double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0)) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "degrees of freedom must be > 0.");
        return x <= 0 ? 1 : SpecialFunctions.UpperRegularizedGamma(degreesOfFreedom / 2, x / 2);
    }
}

using Descent.Lab.Statistics;

namespace Descent.Lab.Experiments;

/// <summary>
/// The three-outcome rule of a family of one-sided tests that an effect exceeds a bound (superiority over a threshold, or
/// non-inferiority within a margin): Holm over the family; supported iff every adjusted p-value is below 0.05; not supported
/// iff some test's 95 % interval lies wholly below its bound; else inconclusive.
/// </summary>
internal static class OneSidedFamily
{
    /// <summary>Applies the rule to <paramref name="tests"/> (alternative "greater", each against <paramref name="bound"/>).</summary>
    public static (Verdict Verdict, TestResult[] Tests, double[] Adjusted) Decide(TestResult[] tests, double bound)
    {
        var adjusted = Holm.Adjust(tests.Select(t => t.PValue).ToArray());
        var verdict = adjusted.All(p => p < 0.05) ? Verdict.Supported
            : tests.Any(t => t.Interval!.Value.High < bound) ? Verdict.NotSupported
            : Verdict.Inconclusive;
        return (verdict, tests, adjusted);
    }
}

namespace Descent.Tests;

/// <summary>
/// Bytes allocated by the current thread in a steady state. The runtime may allocate on the calling thread while it
/// recompiles a hot method (tiered JIT, on-stack replacement), which shows up in one measuring window under load but never
/// in every one; an allocation made by the code under test shows up in every window. So the smallest of a few windows is
/// the code's own allocation.
/// </summary>
internal static class SteadyStateAllocation
{
    /// <summary>The fewest bytes allocated by <paramref name="run"/> called <paramref name="calls"/> times, over up to
    /// <paramref name="windows"/> windows (stops at the first window that allocates nothing).</summary>
    public static long Measure(Action run, int calls, int windows = 5)
    {
        long fewest = long.MaxValue;
        for (int window = 0; window < windows && fewest != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) run();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}

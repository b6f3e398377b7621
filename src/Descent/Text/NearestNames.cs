namespace Descent.Text;

/// <summary>"Did you mean ...?" for unknown names: the known names closest in edit distance.</summary>
internal static class NearestNames
{
    /// <summary>
    /// The phrase " did you mean a?" (or "a or b?") naming the known names nearest to <paramref name="name"/> (Levenshtein distance
    /// at most a third of the longer name, at least 2, or one is a prefix of the other), or "" when none is near.
    /// </summary>
    public static string DidYouMean(string name, IEnumerable<string> known)
    {
        var scored = known.Distinct(StringComparer.Ordinal)
            .Select(k => (Name: k, Distance: Distance(name.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(2, Math.Max(x.Name.Length, name.Length) / 3)
                        || (name.Length >= 3 && x.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .ToArray();
        if (scored.Length == 0) return "";
        var best = scored.Where(x => x.Distance == scored[0].Distance).Select(x => x.Name).Take(3).ToArray();
        return $" did you mean {string.Join(" or ", best)}?";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

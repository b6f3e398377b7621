using Descent.Text;

namespace Descent.Cli;

/// <summary>Exit codes and the one-line error report used by every command.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A check ran and failed (e.g. a parity case out of tolerance).</summary>
    public const int Failure = 1;
    /// <summary>Bad command line, bad text, bad or missing input file.</summary>
    public const int Usage = 2;
    /// <summary>Interrupted by Ctrl+C (SIGINT); a training run saves its exact position first.</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// A message for a person: without .NET's " (Parameter 'x')" suffix and with .NET type names
    /// (<c>System.Nullable`1[System.Int32]</c>) said in words.
    /// </summary>
    public static string Plain(string message)
    {
        message = System.Text.RegularExpressions.Regex.Replace(message, @" \(Parameter '[^']*'\)", "");
        message = System.Text.RegularExpressions.Regex.Replace(message, @" as expected type ('[^']*')", ": expected $1");
        return System.Text.RegularExpressions.Regex.Replace(message, @"'?System\.Nullable`1\[System\.(\w+)\]'?|'?System\.(\w+)'?", m =>
        {
            string type = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return type switch
            {
                "Int32" or "Int64" or "Int16" or "UInt32" or "UInt64" => "a whole number",
                "Double" or "Single" or "Decimal" => "a number",
                "Boolean" => "true or false",
                "String" => "text",
                _ => m.Value,
            };
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/>; an expected user error (bad argument, bad text, bad or missing file)
    /// prints one clear line to standard error and returns <see cref="Usage"/>, without a stack trace.
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException
                                       or InvalidDataException or UnauthorizedAccessException or NotSupportedException
                                       or InvalidOperationException)
        {
            string message = ex is TextFormatException tf ? tf.Message : Plain(ex.Message.Split('\n')[0].TrimEnd());
            Console.Error.WriteLine($"descent: {message}");
            return Usage;
        }
    }
}

using System.Text.Json;
using Descent.Text;
using Microsoft.AspNetCore.Http;

namespace Descent.Web;

/// <summary>A request the server refuses, with the HTTP status (4xx) and a message for the JSON body.</summary>
public sealed class ApiException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;
}

/// <summary>Reads a JSON request body with a size cap and typed, range-checked fields; every failure is an <see cref="ApiException"/>.</summary>
internal sealed class JsonBody
{
    private readonly JsonElement _root;
    private readonly HashSet<string> _known;

    private JsonBody(JsonElement root, IEnumerable<string> known)
    {
        _root = root;
        _known = [.. known];
        foreach (var p in root.EnumerateObject())
            if (!_known.Contains(p.Name))
                throw new ApiException(400, $"unknown field '{p.Name}'; expected: {string.Join(", ", _known)}");
    }

    /// <summary>Reads at most <paramref name="cap"/> bytes of the body as one JSON object whose fields are among <paramref name="known"/>.</summary>
    public static async Task<JsonBody> ReadAsync(HttpContext context, int cap, params string[] known)
    {
        if (context.Request.ContentLength is { } declared && declared > cap)
            throw new ApiException(413, $"request body of {declared} bytes is above the cap of {cap} bytes");
        var buffer = new byte[cap + 1];
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = await context.Request.Body.ReadAsync(buffer.AsMemory(total), context.RequestAborted);
                if (n == 0) break;
                total += n;
            }
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiException(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, $"bad request body: {e.Message}");
        }
        if (total > cap) throw new ApiException(413, $"request body is above the cap of {cap} bytes");
        if (total == 0) throw new ApiException(400, "empty request body; expected a JSON object");
        if (!System.Text.Unicode.Utf8.IsValid(buffer.AsSpan(0, total))) throw new ApiException(400, "the request body is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.AsMemory(0, total), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ApiException(400, $"malformed JSON: {e.Message.Split('\n')[0].Trim()}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ApiException(400, "expected a JSON object");
            return new JsonBody(document.RootElement.Clone(), known);
        }
    }

    private JsonElement? Find(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A string field (null when absent and not required); at most <paramref name="maxLength"/> characters.</summary>
    public string? String(string name, bool required = false, int maxLength = 2000)
    {
        if (Find(name) is not { } v)
            return required ? throw new ApiException(400, $"field '{name}' is required") : null;
        if (v.ValueKind != JsonValueKind.String) throw new ApiException(400, $"field '{name}' must be a string");
        string s = v.GetString()!;
        if (s.Length > maxLength) throw new ApiException(400, $"field '{name}' is longer than {maxLength} characters");
        return s;
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>] (or <paramref name="fallback"/> when absent).</summary>
    public double Number(string name, double fallback, double min, double max)
    {
        if (Find(name) is not { } v) return fallback;
        return Check(name, Read(name, v), min, max);
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>] (or <paramref name="fallback"/> when absent).</summary>
    public long Integer(string name, long fallback, long min, long max)
    {
        if (Find(name) is not { } v) return fallback;
        double d = Read(name, v);
        if (d != Math.Floor(d)) throw new ApiException(400, $"field '{name}' must be an integer, got {Format(d)}");
        if (d < min || d > max) throw new ApiException(400, $"field '{name}' must be in [{min}, {max}], got {Format(d)}");
        return (long)d;
    }

    /// <summary>A pair of finite numbers <c>[x, y]</c>.</summary>
    public (double X, double Y)? Pair(string name)
    {
        if (Find(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 2) throw new ApiException(400, $"field '{name}' must be an array of two numbers [x, y]");
        return (Check(name + "[0]", Read(name, v[0]), double.MinValue, double.MaxValue), Check(name + "[1]", Read(name, v[1]), double.MinValue, double.MaxValue));
    }

    private static double Read(string name, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String && v.GetString() is { } s && (s.Contains("nan", StringComparison.OrdinalIgnoreCase) || s.Contains("inf", StringComparison.OrdinalIgnoreCase)))
            throw new ApiException(400, $"field '{name}' must be a finite number, got \"{(s.Length > 20 ? s[..20] + "..." : s)}\"");
        if (v.ValueKind != JsonValueKind.Number) throw new ApiException(400, $"field '{name}' must be a number");
        if (!v.TryGetDouble(out double d) || !double.IsFinite(d)) throw new ApiException(400, $"field '{name}' must be a finite number");
        return d;
    }

    private static double Check(string name, double d, double min, double max)
    {
        if (!double.IsFinite(d)) throw new ApiException(400, $"field '{name}' must be a finite number");
        if (d < min || d > max) throw new ApiException(400, $"field '{name}' must be in [{Format(min)}, {Format(max)}], got {Format(d)}");
        return d;
    }

    private static string Format(double d) => d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The JSON error body: <c>{"error": message}</c>, plus, for text errors, the CLI's exact message with its caret.</summary>
internal static class ErrorBodies
{
    /// <summary>Writes <paramref name="status"/> and the body for <paramref name="error"/>.</summary>
    public static Task WriteAsync(HttpContext context, int status, Exception error)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        var body = new Dictionary<string, object?> { ["error"] = error.Message.Split('\n')[0].TrimEnd(), ["status"] = status };
        if (error is TextFormatException tf)
        {
            body["error"] = tf.Problem;
            body["text"] = tf.Text;
            body["position"] = tf.Position;
            body["message"] = tf.Message;
            body["cli"] = "descent: " + tf.Message;
        }
        else
        {
            body["cli"] = "descent: " + error.Message.Split('\n')[0].TrimEnd();
        }
        return context.Response.WriteAsJsonAsync(body, Json.Options);
    }
}

/// <summary>JSON settings of every response: snake_case names; non-finite numbers (never expected) as strings instead of failing.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

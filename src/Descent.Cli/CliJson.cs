using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Descent.Cli;

/// <summary>
/// The JSON every <c>--json</c> output uses: numbers are JSON numbers, a NaN or infinite value is written as <c>null</c> (the
/// object's <c>status</c> field says why), and text is not escaped beyond what JSON requires (no <c>\u002B</c> for '+').
/// </summary>
internal static class CliJson
{
    /// <summary>Serializer options with the conventions above.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new FiniteOrNullDouble(), new FiniteOrNullFloat() },
    };

    /// <summary>Writer options with the same escaping, for commands that write with <see cref="Utf8JsonWriter"/>.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON line.</summary>
    public static string Serialize(object value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes a number, or null when it is NaN or infinite.</summary>
    public static void WriteNumberOrNull(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumber(name, value);
        else writer.WriteNull(name);
    }

    private sealed class FiniteOrNullDouble : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    private sealed class FiniteOrNullFloat : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}

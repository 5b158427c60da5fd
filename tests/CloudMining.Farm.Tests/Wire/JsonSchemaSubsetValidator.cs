using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>
/// Validates JSON against the subset of JSON Schema 2020-12 our contract schemas use (type, const, enum, required,
/// properties, additionalProperties, items, $ref to $defs, bounds, pattern, date-time). An unknown keyword is an
/// error, so a schema cannot silently rely on something this validator does not check.
/// </summary>
public sealed class JsonSchemaSubsetValidator(JsonElement root)
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "title", "description", "$defs"];

    public IReadOnlyList<string> Validate(JsonElement instance)
    {
        var errors = new List<string>();
        Check(root, instance, "$", errors);
        return errors;
    }

    private void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            JsonElement k = keyword.Value;
            switch (keyword.Name)
            {
                case "$ref":
                    string reference = k.GetString()!;
                    const string prefix = "#/$defs/";
                    if (!reference.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        throw new NotSupportedException($"Only local $defs references are supported, not {reference}.");
                    }

                    Check(root.GetProperty("$defs").GetProperty(reference[prefix.Length..]), value, path, errors);
                    break;
                case "type":
                    string[] types = k.ValueKind == JsonValueKind.Array ? [.. k.EnumerateArray().Select(t => t.GetString()!)] : [k.GetString()!];
                    if (!types.Any(t => IsType(value, t)))
                    {
                        errors.Add($"{path}: expected {string.Join("|", types)}, got {value.ValueKind}");
                    }

                    break;
                case "const":
                    if (!JsonElement.DeepEquals(k, value))
                    {
                        errors.Add($"{path}: expected constant {k.GetRawText()}, got {value.GetRawText()}");
                    }

                    break;
                case "enum":
                    if (!k.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
                    {
                        errors.Add($"{path}: {value.GetRawText()} is not one of {k.GetRawText()}");
                    }

                    break;
                case "required":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonElement name in k.EnumerateArray())
                        {
                            if (!value.TryGetProperty(name.GetString()!, out _))
                            {
                                errors.Add($"{path}: required property '{name.GetString()}' is missing");
                            }
                        }
                    }

                    break;
                case "properties":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty property in value.EnumerateObject())
                        {
                            if (k.TryGetProperty(property.Name, out JsonElement sub))
                            {
                                Check(sub, property.Value, $"{path}.{property.Name}", errors);
                            }
                        }
                    }

                    break;
                case "additionalProperties":
                    if (k.ValueKind == JsonValueKind.False && value.ValueKind == JsonValueKind.Object)
                    {
                        JsonElement declared = schema.TryGetProperty("properties", out JsonElement p) ? p : default;
                        foreach (JsonProperty property in value.EnumerateObject())
                        {
                            if (declared.ValueKind != JsonValueKind.Object || !declared.TryGetProperty(property.Name, out _))
                            {
                                errors.Add($"{path}: property '{property.Name}' is not allowed by the schema");
                            }
                        }
                    }

                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        int i = 0;
                        foreach (JsonElement item in value.EnumerateArray())
                        {
                            Check(k, item, $"{path}[{i++}]", errors);
                        }
                    }

                    break;
                case "minimum" when value.ValueKind == JsonValueKind.Number && value.GetDouble() < k.GetDouble():
                    errors.Add($"{path}: {value.GetDouble()} is below the minimum {k.GetDouble()}");
                    break;
                case "maximum" when value.ValueKind == JsonValueKind.Number && value.GetDouble() > k.GetDouble():
                    errors.Add($"{path}: {value.GetDouble()} is above the maximum {k.GetDouble()}");
                    break;
                case "minLength" when value.ValueKind == JsonValueKind.String && value.GetString()!.Length < k.GetInt32():
                    errors.Add($"{path}: string shorter than {k.GetInt32()}");
                    break;
                case "maxLength" when value.ValueKind == JsonValueKind.String && value.GetString()!.Length > k.GetInt32():
                    errors.Add($"{path}: string longer than {k.GetInt32()}");
                    break;
                case "pattern" when value.ValueKind == JsonValueKind.String && !Regex.IsMatch(value.GetString()!, k.GetString()!):
                    errors.Add($"{path}: '{value.GetString()}' does not match {k.GetString()}");
                    break;
                case "format" when k.GetString() == "date-time" && value.ValueKind == JsonValueKind.String
                    && !DateTimeOffset.TryParseExact(value.GetString(), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                    errors.Add($"{path}: '{value.GetString()}' is not an RFC 3339 date-time");
                    break;
                case "minimum" or "maximum" or "minLength" or "maxLength" or "pattern" or "format":
                    break;
                default:
                    if (!Annotations.Contains(keyword.Name))
                    {
                        throw new NotSupportedException($"Schema keyword '{keyword.Name}' at {path} is not supported by the test validator.");
                    }

                    break;
            }
        }
    }

    private static bool IsType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        _ => throw new NotSupportedException($"JSON type '{type}' is unknown."),
    };
}

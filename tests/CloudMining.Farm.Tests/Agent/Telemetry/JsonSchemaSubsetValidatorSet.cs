using System.Text.Json;
using CloudMining.Farm.Tests.Wire;
using CloudMining.Farm.Tests.Infrastructure;

namespace CloudMining.Farm.Tests.Agent.Telemetry;

/// <summary>The docs/schemas validators, loaded once, picked by a payload's own "schema" field.</summary>
public sealed class JsonSchemaSubsetValidatorSet
{
    private readonly Dictionary<string, JsonSchemaSubsetValidator> _validators = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>Problems of one payload against the schema it names; one entry if it names none or an unknown one.</summary>
    public IReadOnlyList<string> Validate(ReadOnlySpan<byte> payload)
    {
        using JsonDocument doc = JsonDocument.Parse(payload.ToArray());
        if (!doc.RootElement.TryGetProperty("schema", out JsonElement schema) || schema.GetString() is not { } id)
        {
            return ["no schema field"];
        }

        string file = Path.Combine(RepoPaths.Root, "docs", "schemas", id + ".schema.json");
        if (!File.Exists(file))
        {
            return [$"no schema file {file}"];
        }

        JsonSchemaSubsetValidator validator;
        lock (_gate)
        {
            if (!_validators.TryGetValue(id, out validator!))
            {
                using JsonDocument s = JsonDocument.Parse(File.ReadAllText(file));
                validator = new JsonSchemaSubsetValidator(s.RootElement.Clone());
                _validators[id] = validator;
            }
        }

        return validator.Validate(doc.RootElement);
    }
}

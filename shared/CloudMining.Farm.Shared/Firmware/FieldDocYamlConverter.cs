using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>Lets a profile write a field as a bare string ("summary:SUMMARY.MHS 5s") or as a mapping ({ at: ..., unit: GH }).</summary>
internal sealed class FieldDocYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(ProfileDocument.FieldDoc);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        if (parser.TryConsume<Scalar>(out Scalar? scalar))
        {
            return new ProfileDocument.FieldDoc { Text = scalar.Value };
        }

        // Mappings go through a twin type so this converter does not recurse into itself.
        var mapped = (FieldMapping?)rootDeserializer(typeof(FieldMapping));
        return mapped?.ToDoc();
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        throw new NotSupportedException("Firmware profiles are only read.");

    /// <summary>The mapping form of a field, mirrored from <see cref="ProfileDocument.FieldDoc"/>.</summary>
    internal sealed class FieldMapping
    {
        public string? At { get; set; }

        public string? Key { get; set; }

        public string? Unit { get; set; }

        public string? From { get; set; }

        public string? On { get; set; }

        public bool PerBoard { get; set; }

        public string? Aggregate { get; set; }

        public string? Kv { get; set; }

        public bool MaxOfDashes { get; set; }

        public ProfileDocument.FieldDoc ToDoc() => new()
        {
            At = At,
            Key = Key,
            Unit = Unit,
            From = From,
            On = On,
            PerBoard = PerBoard,
            Aggregate = Aggregate,
            Kv = Kv,
            MaxOfDashes = MaxOfDashes,
        };
    }
}

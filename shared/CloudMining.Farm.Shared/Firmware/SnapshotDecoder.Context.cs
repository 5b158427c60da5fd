using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>The replies of one decode, indexed like the profile's commands, and the sections a name selects.</summary>
public static partial class SnapshotDecoder
{
    /// <summary>The replies of one decode, indexed like the profile's commands.</summary>
    private readonly struct DecodeContext(ApiReply?[] replies)
    {
        public bool TryGetSection(int command, string section, out JsonElement value)
        {
            ApiReply? reply = command >= 0 && command < replies.Length ? replies[command] : null;
            if (reply is null)
            {
                value = default;
                return false;
            }

            return reply.TryGetSection(section, out value);
        }

        public bool TryFind(int command, string section, string key, out JsonElement value)
        {
            if (TryGetSection(command, section, out JsonElement s))
            {
                foreach (JsonElement item in new JsonLookup.ObjectEnumerable(s))
                {
                    if (JsonLookup.TryGetProperty(item, key, out value) && JsonLookup.HasContent(value))
                    {
                        return true;
                    }
                }
            }

            value = default;
            return false;
        }

        /// <summary>The section, or with a trailing '*' every top-level section whose name starts with the rest (POOL0, POOL1…).</summary>
        public SectionEnumerable Sections(int command, string section) =>
            new(command >= 0 && command < replies.Length ? replies[command] : null, section);

        /// <summary>The module strings: values of keys starting with the prefix ("MM ID0", "MM ID1"…), in every object of the section.</summary>
        public IEnumerable<string> Modules(int command, string section, string prefix)
        {
            if (!TryGetSection(command, section, out JsonElement s))
            {
                yield break;
            }

            foreach (JsonElement item in new JsonLookup.ObjectEnumerable(s))
            {
                foreach (JsonProperty property in item.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String && property.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    {
                        yield return property.Value.GetString()!;
                    }
                }
            }
        }
    }

    /// <summary>Enumerates the sections a name or "NAME*" pattern selects, without allocating for a plain name.</summary>
    private readonly struct SectionEnumerable(ApiReply? reply, string section)
    {
        public Enumerator GetEnumerator() => new(reply, section);

        public struct Enumerator
        {
            private readonly ApiReply? _reply;
            private readonly string _section;
            private readonly bool _wildcard;
            private JsonElement.ObjectEnumerator _properties;
            private int _state;

            public Enumerator(ApiReply? reply, string section)
            {
                _reply = reply;
                _section = section;
                _wildcard = section.EndsWith('*');
                _properties = _wildcard && reply is not null && reply.Root.ValueKind == JsonValueKind.Object ? reply.Root.EnumerateObject() : default;
                _state = reply is null ? 0 : _wildcard ? 2 : 1;
                Current = default;
            }

            public JsonElement Current { get; private set; }

            public bool MoveNext()
            {
                if (_state == 1)
                {
                    _state = 0;
                    if (_reply!.TryGetSection(_section, out JsonElement s))
                    {
                        Current = s;
                        return true;
                    }

                    return false;
                }

                if (_state == 2)
                {
                    ReadOnlySpan<char> prefix = _section.AsSpan(0, _section.Length - 1);
                    while (_properties.MoveNext())
                    {
                        JsonProperty p = _properties.Current;
                        if (p.Name.AsSpan().StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && !p.Name.Equals("STATUS", StringComparison.OrdinalIgnoreCase))
                        {
                            Current = p.Value;
                            return true;
                        }
                    }

                    _state = 0;
                }

                return false;
            }
        }
    }
}

using System.Collections;
using System.Reflection;

namespace CloudMining.Farm.Shared.Configuration;

/// <summary>
/// Finds the keys of a configuration that no options class binds (a typo such as "PollIntervall" would otherwise be
/// silently ignored), deriving the known keys by reflection from the options classes the program binds.
/// </summary>
public sealed class ConfigurationKeyAudit
{
    private readonly KeyNode _root = new();

    /// <summary>Declares that <paramref name="section"/> (e.g. "Agent" or "Influx:Write") is bound to <paramref name="optionsType"/>.</summary>
    public ConfigurationKeyAudit Bind(string section, Type optionsType)
    {
        ArgumentException.ThrowIfNullOrEmpty(section);
        ArgumentNullException.ThrowIfNull(optionsType);
        KeyNode node = _root;
        foreach (string segment in section.Split(':'))
        {
            node = node.Child(segment);
        }

        node.AddMembersOf(optionsType, new HashSet<Type>());
        return this;
    }

    /// <summary>Declares a single known key outside any options class (e.g. a key read directly from the configuration).</summary>
    public ConfigurationKeyAudit Known(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        KeyNode node = _root;
        foreach (string segment in key.Split(':'))
        {
            node = node.Child(segment);
        }

        node.IsLeaf = true;
        return this;
    }

    /// <summary>
    /// Declares the keys the .NET host itself puts in every application's configuration (HostDefaults: contentRoot,
    /// applicationName, environment), which no options class of ours reads but which are not typos either.
    /// </summary>
    public ConfigurationKeyAudit KnownHostKeys() => Known("contentRoot").Known("applicationName").Known("environment");

    /// <summary>
    /// The unknown keys among <paramref name="keys"/> (configuration paths such as "Agent:Miners:0:Address"), each
    /// reported once at the first segment that is not known, with the nearest known sibling as the suggestion.
    /// </summary>
    public IReadOnlyList<UnknownConfigurationKey> Check(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new List<UnknownConfigurationKey>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string key in keys)
        {
            string[] segments = key.Split(':');
            KeyNode node = _root;
            for (int i = 0; i < segments.Length; i++)
            {
                if (node.Any is { } any)
                {
                    node = any;
                    continue;
                }

                if (node.Children.TryGetValue(segments[i], out KeyNode? next))
                {
                    node = next;
                    continue;
                }

                if (node.IsLeaf && node.Children.Count == 0)
                {
                    break; // below a value the binder reads as a whole (e.g. a string holding JSON-ish text): not ours to judge
                }

                string prefix = string.Join(':', segments[..i]);
                string unknown = i == 0 ? segments[0] : prefix + ":" + segments[i];
                if (seen.Add(unknown))
                {
                    string? nearest = Nearest(segments[i], node.Children.Keys);
                    found.Add(new UnknownConfigurationKey(unknown, nearest is null ? null : (i == 0 ? nearest : prefix + ":" + nearest)));
                }

                break;
            }
        }

        return found;
    }

    /// <summary>The closest name within a distance that still reads as a typo: 1 edit for short names, up to a third of the length.</summary>
    private static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = EditDistance.Between(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        int allowed = Math.Max(2, Math.Max(name.Length, best?.Length ?? 0) / 3);
        return best is not null && bestDistance <= allowed ? best : null;
    }

    /// <summary>One level of known keys: named children, or any name (list index, dictionary key).</summary>
    private sealed class KeyNode
    {
        public Dictionary<string, KeyNode> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public KeyNode? Any { get; private set; }

        public bool IsLeaf { get; set; }

        public KeyNode Child(string name)
        {
            if (!Children.TryGetValue(name, out KeyNode? child))
            {
                child = new KeyNode();
                Children[name] = child;
            }

            return child;
        }

        public void AddMembersOf(Type type, HashSet<Type> path)
        {
            if (IsScalar(type))
            {
                IsLeaf = true;
                return;
            }

            if (ElementType(type) is { } element)
            {
                Any ??= new KeyNode();
                Any.AddMembersOf(element, path);
                return;
            }

            if (!path.Add(type))
            {
                return; // a type that contains itself: its keys are already being listed
            }

            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetMethod is null || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                // The binder sets writable properties and fills read-only collections or objects; a read-only scalar is computed.
                if (property.SetMethod is not { IsPublic: true } && IsScalar(property.PropertyType))
                {
                    continue;
                }

                Child(property.Name).AddMembersOf(property.PropertyType, path);
            }

            path.Remove(type);
        }

        private static bool IsScalar(Type type)
        {
            Type t = Nullable.GetUnderlyingType(type) ?? type;
            return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
                || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(Uri) || t == typeof(Guid)
                || t == typeof(object) || System.ComponentModel.TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string));
        }

        /// <summary>The element of an array, list or dictionary (keyed by string), or null for anything else.</summary>
        private static Type? ElementType(Type type)
        {
            if (type.IsArray)
            {
                return type.GetElementType();
            }

            if (!typeof(IEnumerable).IsAssignableFrom(type))
            {
                return null;
            }

            foreach (Type candidate in type.GetInterfaces().Append(type).Where(i => i.IsGenericType))
            {
                Type definition = candidate.GetGenericTypeDefinition();
                if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
                {
                    return candidate.GetGenericArguments()[1];
                }
            }

            foreach (Type candidate in type.GetInterfaces().Append(type).Where(i => i.IsGenericType))
            {
                if (candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                {
                    return candidate.GetGenericArguments()[0];
                }
            }

            return typeof(object);
        }
    }
}

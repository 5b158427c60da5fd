namespace CloudMining.Farm.Simulator.Wire;

/// <summary>One object of a reply section: keys in the order the firmware writes them.</summary>
public sealed class ApiObject
{
    private readonly List<KeyValuePair<string, ApiValue>> _entries;

    public ApiObject(int capacity = 16)
    {
        _entries = new List<KeyValuePair<string, ApiValue>>(capacity);
    }

    public IReadOnlyList<KeyValuePair<string, ApiValue>> Entries => _entries;

    public ApiObject Add(string key, ApiValue value)
    {
        _entries.Add(new KeyValuePair<string, ApiValue>(key, value));
        return this;
    }

    public ApiObject Add(string key, string value) => Add(key, ApiValue.Str(value));

    public ApiObject Add(string key, long value) => Add(key, ApiValue.Whole(value));

    public ApiObject Add(string key, bool value) => Add(key, ApiValue.Bool(value));

    /// <summary>Orders the keys byte-wise, as BOSminer's serde map does.</summary>
    public ApiObject SortByKey()
    {
        _entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return this;
    }

    /// <summary>Looks a key up (first match); for tests and the control API, not the hot path.</summary>
    public ApiValue? Get(string key)
    {
        foreach (KeyValuePair<string, ApiValue> e in _entries)
        {
            if (e.Key == key)
            {
                return e.Value;
            }
        }

        return null;
    }
}

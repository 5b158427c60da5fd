namespace CloudMining.Farm.Mqtt.Messages;

/// <summary>MQTT rules (3.1.1 and 5 agree) for topic names (publish) and topic filters (subscribe, with + and # wildcards).</summary>
public static class MqttTopicValidator
{
    /// <summary>Longest UTF-8 encoded string an MQTT packet can carry.</summary>
    public const int MaxStringBytes = 65535;

    /// <summary>Why <paramref name="topic"/> cannot be published to, or null when it can.</summary>
    public static string? TopicNameProblem(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return "a topic name must not be empty";
        }

        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            return $"topic name '{topic}' contains a wildcard (+ or #); wildcards are only allowed in subscriptions";
        }

        return CommonProblem(topic);
    }

    /// <summary>Why <paramref name="filter"/> cannot be subscribed to, or null when it can.</summary>
    public static string? TopicFilterProblem(string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return "a topic filter must not be empty";
        }

        string[] levels = filter.Split('/');
        for (int i = 0; i < levels.Length; i++)
        {
            string level = levels[i];
            if (level.Contains('#', StringComparison.Ordinal) && (level.Length != 1 || i != levels.Length - 1))
            {
                return $"topic filter '{filter}': '#' must be a whole level and the last one (e.g. 'farm/v1/#')";
            }

            if (level.Contains('+', StringComparison.Ordinal) && level.Length != 1)
            {
                return $"topic filter '{filter}': '+' must occupy a whole level (e.g. 'farm/+/status')";
            }
        }

        return CommonProblem(filter);
    }

    /// <summary>Whether a topic name matches a (valid) topic filter, with MQTT wildcard semantics.</summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        string[] f = filter.Split('/');
        string[] t = topic.Split('/');

        // Topics starting with $ are not matched by a leading wildcard (section 4.7.2).
        if (topic.StartsWith('$') && (f[0] == "+" || f[0] == "#"))
        {
            return false;
        }

        for (int i = 0; i < f.Length; i++)
        {
            if (f[i] == "#")
            {
                return true;
            }

            if (i >= t.Length)
            {
                return false;
            }

            if (f[i] != "+" && !string.Equals(f[i], t[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return f.Length == t.Length;
    }

    private static string? CommonProblem(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return "a topic must not contain the NUL character (U+0000)";
        }

        int bytes;
        try
        {
            bytes = System.Text.Encoding.UTF8.GetByteCount(value);
        }
        catch (System.Text.EncoderFallbackException)
        {
            return "a topic must be well-formed UTF-16 text (it contains a lone surrogate)";
        }

        return bytes > MaxStringBytes ? $"a topic is at most {MaxStringBytes} bytes of UTF-8; this one has {bytes}" : null;
    }
}

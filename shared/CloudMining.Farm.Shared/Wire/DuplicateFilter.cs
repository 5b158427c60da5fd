namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Drops re-deliveries for consumers: remembers the highest seq seen per publisher and topic and accepts only higher
/// ones. Keyed by topic as well because MQTT only orders messages within one topic; a publisher's seq is global, so
/// per topic it still only grows. A re-delivery is close behind the highest seq seen; a seq more than
/// <see cref="RestartGap"/> behind it is not one: the highest was absurd (a corrupt or spoofed message with a huge
/// seq would otherwise silence the topic for good) or the publisher's counter was reset. Such a message is accepted
/// and the count starts again from it.
/// </summary>
public sealed class DuplicateFilter
{
    private readonly Dictionary<(string Publisher, string Topic), long> _highest = [];
    private readonly object _gate = new();

    /// <summary>How far behind the highest seq a message must be to count as a restarted count rather than a re-delivery.</summary>
    public const long RestartGap = 100_000;

    /// <summary>Messages dropped as duplicates so far.</summary>
    public long Dropped { get; private set; }

    /// <summary>Times a publisher's count started again far below the highest seq seen on a topic.</summary>
    public long Restarts { get; private set; }

    /// <summary>True if the message is new and should be processed; false for a duplicate or an older replay.</summary>
    public bool Accept(string publisher, string topic, long seq)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(topic);
        lock (_gate)
        {
            if (_highest.TryGetValue((publisher, topic), out long seen) && seq <= seen)
            {
                if (seen - seq <= RestartGap)
                {
                    Dropped++;
                    return false;
                }

                Restarts++;
            }

            _highest[(publisher, topic)] = seq;
            return true;
        }
    }

    public bool Accept(string topic, FarmMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Accept(message.Publisher, topic, message.Seq);
    }
}

namespace CloudMining.Farm.Shared.Contract;

/// <summary>
/// Drops re-deliveries for consumers: remembers the highest seq seen per publisher and topic and accepts only higher
/// ones. Keyed by topic as well because MQTT only orders messages within one topic; a publisher's seq is global, so
/// per topic it still only grows.
/// </summary>
public sealed class DuplicateFilter
{
    private readonly Dictionary<(string Publisher, string Topic), long> highest = [];
    private readonly object gate = new();

    /// <summary>Messages dropped as duplicates so far.</summary>
    public long Dropped { get; private set; }

    /// <summary>True if the message is new and should be processed; false for a duplicate or an older replay.</summary>
    public bool Accept(string publisher, string topic, long seq)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(topic);
        lock (gate)
        {
            if (highest.TryGetValue((publisher, topic), out long seen) && seq <= seen)
            {
                Dropped++;
                return false;
            }

            highest[(publisher, topic)] = seq;
            return true;
        }
    }

    public bool Accept(string topic, FarmMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Accept(message.Publisher, topic, message.Seq);
    }
}

using CloudMining.Farm.Mqtt.Adapter;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>One live connection: its adapter, its loops' cancellation and its liveness clocks.</summary>
internal sealed class MqttClientSession(MqttChannelAdapter adapter, TimeProvider time)
{
    private int failed;

    public MqttChannelAdapter Adapter { get; } = adapter;

    public CancellationTokenSource Cancellation { get; } = new();

    public long LastReceivedTimestamp { get; set; } = time.GetTimestamp();

    /// <summary>When CONNACK arrived: the reconnect loop counts the session healthy only once it lived long enough.</summary>
    public long ConnectedTimestamp { get; } = time.GetTimestamp();

    /// <summary>Completes when the session is torn down, for whatever reason.</summary>
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When the unanswered PINGREQ was queued; null when none is outstanding.</summary>
    public long? PingSentTimestamp { get; set; }

    public bool IsAlive => Volatile.Read(ref failed) == 0;

    /// <summary>True for exactly one caller: the one that gets to tear the session down.</summary>
    public bool TryMarkFailed() => Interlocked.Exchange(ref failed, 1) == 0;
}

using Net = MQTTnet;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// One connection attempt and the MQTTnet client it owns. Every attempt gets a fresh instance: handlers and teardown
/// act on their own generation only, so disposing an old client can never touch the session of a newer one (a shared
/// "current client" field disposed after it was reassigned closed fresh sessions in an earlier port).
/// </summary>
internal sealed class MqttConnectionGeneration(Net.IMqttClient client, long number, TimeProvider time) : IDisposable
{
    private int _failed;
    private int _disposed;

    public Net.IMqttClient Client { get; } = client;

    /// <summary>1 for the first connection attempt of a <see cref="FarmMqttClient"/>, counting up.</summary>
    public long Number { get; } = number;

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>When CONNACK arrived: the reconnect loop counts the session healthy only once it lived long enough.</summary>
    public long ConnectedTimestamp { get; private set; } = time.GetTimestamp();

    /// <summary>Completes when this generation is torn down, for whatever reason.</summary>
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsAlive => Volatile.Read(ref _failed) == 0;

    public void MarkConnected() => ConnectedTimestamp = time.GetTimestamp();

    /// <summary>True for exactly one caller: the one that gets to tear this generation down.</summary>
    public bool TryMarkFailed() => Interlocked.Exchange(ref _failed, 1) == 0;

    /// <summary>Closes the socket of THIS generation's client (no DISCONNECT packet); idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Cancellation.Cancel();
        Client.Dispose();
        Cancellation.Dispose();
    }
}

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// Whether the controller's ingest client is connected to the broker, and since when. Silence while the controller
/// itself cannot hear is no evidence about the miners: <see cref="StalenessPolicy"/> judges no miner stale while this
/// gate is closed, nor within a full telemetry window after it opens. Set by the ingest client's connection events;
/// read by the engine's tick. Thread-safe.
/// </summary>
public sealed class BrokerOutageGate
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _connectedSince;
    private long _disconnects;

    /// <summary>True while the ingest client holds a live session with the broker.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _connectedSince is not null;
            }
        }
    }

    /// <summary>When the current session started; null while disconnected (or before the first connection).</summary>
    public DateTimeOffset? ConnectedSince
    {
        get
        {
            lock (_gate)
            {
                return _connectedSince;
            }
        }
    }

    /// <summary>Connections lost so far.</summary>
    public long Disconnects => Interlocked.Read(ref _disconnects);

    /// <summary>The ingest client (re)connected at <paramref name="at"/>.</summary>
    public void Connected(DateTimeOffset at)
    {
        lock (_gate)
        {
            _connectedSince = at;
        }
    }

    /// <summary>The ingest client lost its session (it reconnects by itself).</summary>
    public void Disconnected()
    {
        lock (_gate)
        {
            if (_connectedSince is not null)
            {
                Interlocked.Increment(ref _disconnects);
            }

            _connectedSince = null;
        }
    }
}

using CloudMining.Farm.Influx.Http;

namespace CloudMining.Farm.Influx.Write;

/// <summary>A batch the server refused (400/partial write) or that cannot currently be delivered; carries the offending lines.</summary>
public sealed class WriteErrorEventArgs(Exception exception, int points, bool dropped) : EventArgs
{
    /// <summary>An <see cref="InfluxWriteException"/>, <see cref="Client.InfluxConfigurationException"/> or a network error.</summary>
    public Exception Exception { get; } = exception;

    /// <summary>Points in the batch concerned.</summary>
    public int Points { get; } = points;

    /// <summary>True when the batch was given up (server refused it); false when it stays queued for another try.</summary>
    public bool Dropped { get; } = dropped;

    public IReadOnlyList<string> OffendingLines => (Exception as InfluxWriteException)?.OffendingLines ?? [];
}

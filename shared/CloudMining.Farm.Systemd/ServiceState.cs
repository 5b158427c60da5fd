namespace CloudMining.Farm.Systemd;

/// <summary>One sd_notify assignment ("READY=1", "STATUS=…"), shaped like Microsoft.Extensions.Hosting.Systemd's ServiceState.</summary>
public readonly struct ServiceState : IEquatable<ServiceState>
{
    private readonly string _text;

    public ServiceState(string state)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        _text = state;
    }

    /// <summary>The service finished starting up (Type=notify units become "active" on this).</summary>
    public static ServiceState Ready { get; } = new("READY=1");

    /// <summary>The service is beginning its shutdown.</summary>
    public static ServiceState Stopping { get; } = new("STOPPING=1");

    /// <summary>Keep-alive ping for WatchdogSec=.</summary>
    public static ServiceState Watchdog { get; } = new("WATCHDOG=1");

    /// <summary>A one-line status `systemctl status` shows; newlines would end the assignment, so they become spaces.</summary>
    public static ServiceState Status(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ServiceState("STATUS=" + text.Replace('\n', ' ').Replace('\r', ' '));
    }

    public override string ToString() => _text ?? string.Empty;

    public bool Equals(ServiceState other) => string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ServiceState other && Equals(other);

    public override int GetHashCode() => _text is null ? 0 : StringComparer.Ordinal.GetHashCode(_text);

    public static bool operator ==(ServiceState left, ServiceState right) => left.Equals(right);

    public static bool operator !=(ServiceState left, ServiceState right) => !left.Equals(right);
}

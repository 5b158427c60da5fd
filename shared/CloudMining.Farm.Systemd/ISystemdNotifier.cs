namespace CloudMining.Farm.Systemd;

/// <summary>Sends sd_notify messages to the service manager; shaped like Microsoft.Extensions.Hosting.Systemd's ISystemdNotifier.</summary>
public interface ISystemdNotifier
{
    /// <summary>True when the process was started with a NOTIFY_SOCKET to talk to.</summary>
    bool IsEnabled { get; }

    /// <summary>Sends one state; does nothing when <see cref="IsEnabled"/> is false. Never throws for a vanished socket.</summary>
    void Notify(ServiceState state);
}

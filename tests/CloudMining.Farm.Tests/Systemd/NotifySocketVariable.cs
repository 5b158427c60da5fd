using Microsoft.Extensions.Hosting.Systemd;
using Xunit;

namespace CloudMining.Farm.Tests.Systemd;

/// <summary>
/// Tests that hand the package's <see cref="SystemdNotifier"/> a socket through NOTIFY_SOCKET, a process-wide variable:
/// they run one at a time, and each sets it only while the notifier is built.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotifySocketVariable
{
    public const string Name = "NOTIFY_SOCKET";

    /// <summary>Builds what reads NOTIFY_SOCKET (a notifier, a host) with the variable pointing at <paramref name="notifySocket"/>, then restores it.</summary>
    public static T With<T>(string? notifySocket, Func<T> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        string? before = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", notifySocket);
        try
        {
            return build();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", before);
        }
    }

    /// <summary>The package's own notifier, aimed at <paramref name="notifySocket"/> as systemd would aim it.</summary>
    public static SystemdNotifier NotifierFor(string? notifySocket) => With(notifySocket, () => new SystemdNotifier());
}

using System.Net.Sockets;
using System.Text;

namespace CloudMining.Farm.Systemd;

/// <summary>
/// sd_notify over the NOTIFY_SOCKET datagram socket: a path, or an abstract name written with a leading '@' (sent to the
/// kernel with a leading NUL byte). Without a socket it is a no-op, so the same binary runs in a terminal.
/// </summary>
public sealed class SystemdNotifier : ISystemdNotifier, IDisposable
{
    private readonly Lock _gate = new();
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private Socket? _socket;
    private bool _failed;

    public SystemdNotifier(string? notifySocket)
    {
        if (!string.IsNullOrEmpty(notifySocket))
        {
            SocketPath = notifySocket;
            _endpoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        }
    }

    /// <summary>The socket as systemd named it, or null.</summary>
    public string? SocketPath { get; }

    public bool IsEnabled => _endpoint is not null;

    /// <summary>The last send failure, if any (the service keeps running: a lost notification is not worth a crash).</summary>
    public string? LastError { get; private set; }

    public void Notify(ServiceState state)
    {
        if (_endpoint is null)
        {
            return;
        }

        byte[] payload = Encoding.UTF8.GetBytes(state.ToString());
        lock (_gate)
        {
            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.SendTo(payload, SocketFlags.None, _endpoint);
                _failed = false;
            }
            catch (SocketException e)
            {
                // systemd may be restarting (daemon-reexec); the next message tries again on a fresh socket.
                LastError = $"sd_notify to {SocketPath} failed: {e.SocketErrorCode} ({e.Message})";
                _failed = true;
                _socket?.Dispose();
                _socket = null;
            }
        }
    }

    /// <summary>True when the most recent send failed.</summary>
    public bool Failed
    {
        get
        {
            lock (_gate)
            {
                return _failed;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}

using System.Net.Sockets;
using System.Text;

namespace CloudMining.Farm.Tests.Systemd;

/// <summary>Plays systemd's side of sd_notify: a bound datagram Unix socket (a path in a temp folder, or an abstract name).</summary>
public sealed class NotifySocketListener : IDisposable
{
    private readonly Socket _socket;
    private readonly string? _directory;

    private NotifySocketListener(Socket socket, string notifySocket, string? directory)
    {
        _socket = socket;
        NotifySocket = notifySocket;
        _directory = directory;
    }

    /// <summary>What NOTIFY_SOCKET would hold: the path, or "@name" for an abstract socket.</summary>
    public string NotifySocket { get; }

    public static NotifySocketListener BindPath()
    {
        string dir = Path.Combine(Path.GetTempPath(), "farm-notify-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "notify");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return new NotifySocketListener(socket, path, dir);
    }

    public static NotifySocketListener BindAbstract()
    {
        string name = "farm-notify-test-" + Guid.NewGuid().ToString("N");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        return new NotifySocketListener(socket, "@" + name, null);
    }

    /// <summary>The next datagram, or null when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan timeout)
    {
        byte[] buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Receives until a message satisfies <paramref name="match"/>; returns everything received, in order, including it.</summary>
    public async Task<List<string>> ReceiveUntilAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var received = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            string? message = await ReceiveAsync(timeout - clock.Elapsed);
            if (message is null)
            {
                break;
            }

            received.Add(message);
            if (match(message))
            {
                return received;
            }
        }

        throw new TimeoutException("no matching sd_notify message; received: " + string.Join(" | ", received));
    }

    /// <summary>Messages already queued, without waiting for more.</summary>
    public List<string> Drain()
    {
        var list = new List<string>();
        byte[] buffer = new byte[4096];
        while (_socket.Available > 0)
        {
            int n = _socket.Receive(buffer);
            list.Add(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return list;
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using CloudMining.Farm.Simulator.Web;

namespace CloudMining.Farm.Simulator.Network;

/// <summary>
/// The HTTP side of a simulated miner that has a web interface (stock Antminer's lighttpd): listen on the miner's
/// address at its web port, read one request per connection, answer, close. It follows the miner's power and
/// connection-refused fault like the API listener; the other faults are the API's only.
/// </summary>
internal sealed class WebListener : IAsyncDisposable
{
    private const int MaxRequestBytes = 256 * 1024;
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(5);

    private readonly SimulatedMiner _miner;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private CancellationTokenSource? _lifetime;
    private IPEndPoint _endPoint;

    public WebListener(SimulatedMiner miner, IPEndPoint endPoint)
    {
        _miner = miner;
        _endPoint = endPoint;
    }

    public IPEndPoint EndPoint
    {
        get
        {
            lock (_gate)
            {
                return _endPoint;
            }
        }
    }

    /// <summary>Fixes the port number without listening, for a miner that starts powered off with port 0.</summary>
    public void Reserve()
    {
        lock (_gate)
        {
            if (_endPoint.Port != 0)
            {
                return;
            }

            using Socket probe = Bind();
            _endPoint = (IPEndPoint)probe.LocalEndPoint!;
        }
    }

    public void Start()
    {
        lock (_gate)
        {
            if (_socket is not null)
            {
                return;
            }

            Socket socket = Bind();
            socket.Listen(128);
            _endPoint = (IPEndPoint)socket.LocalEndPoint!;
            _socket = socket;
            _lifetime = new CancellationTokenSource();
            CancellationToken lifetime = _lifetime.Token;
            _ = Task.Run(() => AcceptLoopAsync(socket, lifetime), CancellationToken.None);
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _socket?.Dispose();
            _socket = null;
            _lifetime?.Cancel();
            _lifetime?.Dispose();
            _lifetime = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private Socket Bind()
    {
        var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(_endPoint);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException(
                $"Simulated miner {_miner.Id} cannot serve its web interface on {_endPoint}: {ex.SocketErrorCode} ({ex.Message}). " +
                "Pick another --web-port, or stop whatever already listens there.", ex);
        }
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken lifetime)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(lifetime);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException or OperationCanceledException)
            {
                return;
            }

            _ = ServeAsync(client, lifetime);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken lifetime)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
            timeout.CancelAfter(RequestReadTimeout);
            byte[] buffer = new byte[8192];
            int count = 0;
            while (!CgiRequestParser.IsComplete(buffer.AsSpan(0, count)))
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= MaxRequestBytes)
                    {
                        return;
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                int read = await client.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    return;
                }

                count += read;
            }

            CgiRequest? request = CgiRequestParser.Parse(buffer.AsSpan(0, count));
            bool reboot = false;
            CgiResponse response = request is null
                ? new CgiResponse(400, "Bad Request", "text/html", "400 - Bad Request")
                : _miner.RespondWeb(request, out reboot);
            byte[] bytes = response.Render();
            int sent = 0;
            while (sent < bytes.Length)
            {
                sent += await client.SendAsync(bytes.AsMemory(sent), SocketFlags.None, lifetime);
            }

            client.Shutdown(SocketShutdown.Send);
            if (reboot)
            {
                // reboot.cgi answers first, then the miner goes away.
                _miner.Restart();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The client went away or the miner lost power mid-answer.
        }
        finally
        {
            client.Dispose();
        }
    }
}

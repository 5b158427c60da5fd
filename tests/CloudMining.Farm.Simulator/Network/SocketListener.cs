using System.Net;
using System.Net.Sockets;

namespace CloudMining.Farm.Simulator.Network;

/// <summary>
/// One listening socket of a simulated miner (its API port, its web port): bind on the miner's address, accept
/// asynchronously (no thread per miner), hand each connection to <see cref="ServeAsync"/>; stopping drops the
/// connections being served too, as a power loss does.
/// </summary>
internal abstract class SocketListener : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly int _backlog;
    private Socket? _socket;
    private CancellationTokenSource? _lifetime;
    private IPEndPoint _endPoint;

    protected SocketListener(SimulatedMiner miner, IPEndPoint endPoint, int backlog)
    {
        Miner = miner;
        _endPoint = endPoint;
        _backlog = backlog;
    }

    protected SimulatedMiner Miner { get; }

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

    public bool IsListening
    {
        get
        {
            lock (_gate)
            {
                return _socket is not null;
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
            socket.Listen(_backlog);
            _endPoint = (IPEndPoint)socket.LocalEndPoint!;
            _socket = socket;
            _lifetime = new CancellationTokenSource();
            CancellationToken lifetime = _lifetime.Token;
            // Off the caller's thread: Start runs under the miner's lock, and a queued connection would otherwise be served inside it.
            _ = Task.Run(() => AcceptLoopAsync(socket, lifetime), CancellationToken.None);
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _socket?.Dispose();
            _socket = null;
            // Power loss also drops the connections being served, hung ones included.
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

    /// <summary>Serves one accepted connection and closes it.</summary>
    protected abstract Task ServeAsync(Socket client, CancellationToken lifetime);

    /// <summary>What the operator of the simulator should change when the address is taken (which option picks it).</summary>
    protected abstract string BindFailure(IPEndPoint endPoint, SocketException exception);

    private Socket Bind()
    {
        var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Rebinding the same address right after a power cycle must not wait out TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(_endPoint);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException(BindFailure(_endPoint, ex), ex);
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
}

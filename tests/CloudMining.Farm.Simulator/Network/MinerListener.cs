using System.Net;
using System.Net.Sockets;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Network;

/// <summary>The TCP side of one simulated miner: listen, read one request, answer (or misbehave as the fault says), close. Async accept, no thread per miner.</summary>
internal sealed class MinerListener : IAsyncDisposable
{
    private const int MaxRequestBytes = 64 * 1024;
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(5);

    private readonly SimulatedMiner _miner;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private CancellationTokenSource? _lifetime;
    private IPEndPoint _endPoint;
    private long _garbageCounter;

    public MinerListener(SimulatedMiner miner, IPEndPoint endPoint)
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
            socket.Listen(512);
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
            throw new InvalidOperationException(
                $"Simulated miner {_miner.Id} cannot listen on {_endPoint}: {ex.SocketErrorCode} ({ex.Message}). " +
                "Pick another --base address or --port, or stop whatever already listens there.", ex);
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
            byte[]? request = await ReadRequestAsync(client, lifetime);
            if (request is null)
            {
                return;
            }

            _miner.CountRequest();

            MinerFault? fault = _miner.NetworkFault;
            switch (fault?.Kind)
            {
                case FaultKind.Hang:
                    using (var hang = CancellationTokenSource.CreateLinkedTokenSource(_miner.HangReleased, lifetime))
                    {
                        await HangAsync(client, hang.Token);
                    }

                    return;
                case FaultKind.Slow:
                    await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMs), _miner.Clocks.Wire, lifetime);
                    break;
                case FaultKind.Garbage:
                    await SendAsync(client, Garbage());
                    return;
            }

            byte[] reply = _miner.Respond(request, out bool restart);
            if (fault?.Kind == FaultKind.Truncated)
            {
                reply = reply[..Math.Max(1, reply.Length / 2)];
                restart = false;
            }

            await SendAsync(client, reply);
            _miner.OnReplySent(restart);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The client went away or the miner lost power mid-reply: what a real miner does too.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task<byte[]?> ReadRequestAsync(Socket client, CancellationToken lifetime)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        timeout.CancelAfter(RequestReadTimeout);
        byte[] buffer = new byte[4096];
        int count = 0;
        while (true)
        {
            if (count == buffer.Length)
            {
                if (buffer.Length >= MaxRequestBytes)
                {
                    return buffer;
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            int read;
            try
            {
                read = await client.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return count > 0 ? buffer[..count] : null;
            }

            if (read == 0)
            {
                return count > 0 ? buffer[..count] : null;
            }

            count += read;
            if (ApiRequestParser.IsComplete(buffer.AsSpan(0, count)))
            {
                return buffer[..count];
            }
        }
    }

    private static async Task SendAsync(Socket client, byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await client.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }

        client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Holds the connection open without answering until the client gives up or the fault is cleared.</summary>
    private static async Task HangAsync(Socket client, CancellationToken released)
    {
        byte[] sink = new byte[256];
        try
        {
            while (await client.ReceiveAsync(sink, SocketFlags.None, released) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private byte[] Garbage()
    {
        long n = Interlocked.Increment(ref _garbageCounter);
        ulong h = Mining.DeterministicNoise.Hash(_miner.Spec.Seed, 2001, n);
        int length = 64 + (int)(h % 448);
        byte[] bytes = new byte[length];
        new Random((int)(h >> 32)).NextBytes(bytes);
        // Never let random bytes look like the start of a JSON reply.
        if (bytes[0] == (byte)'{')
        {
            bytes[0] = 0xFF;
        }

        return bytes;
    }
}

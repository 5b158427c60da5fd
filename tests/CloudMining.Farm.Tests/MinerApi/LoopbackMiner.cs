using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudMining.Farm.Tests.MinerApi;

/// <summary>
/// A one-port TCP listener on 127.0.0.1 that answers like a cgminer API: reads the request, lets the test decide the reply
/// (bytes in chunks, or nothing and no close), then closes. Only what the client tests need; the ASIC simulator is elsewhere.
/// </summary>
public sealed class LoopbackMiner : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, Reply> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackMiner(Func<string, Reply> answer)
    {
        _answer = answer;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every request received, as text, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var buffer = new byte[4096];
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                string request = Encoding.UTF8.GetString(buffer, 0, n);
                Requests.Enqueue(request);
                Reply reply = _answer(request);
                foreach (byte[] chunk in reply.Chunks)
                {
                    await socket.SendAsync(chunk, SocketFlags.None, _stop.Token);
                }

                if (reply.HoldOpen)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token); // a hung miner: never closes until the test ends
                }

                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>What to send back: the chunks (each a separate write), and whether to keep the connection open afterwards.</summary>
    public sealed record Reply(IReadOnlyList<byte[]> Chunks, bool HoldOpen = false)
    {
        public static Reply Of(byte[] bytes) => new([bytes]);

        public static Reply Of(string text) => new([Encoding.UTF8.GetBytes(text)]);
    }
}

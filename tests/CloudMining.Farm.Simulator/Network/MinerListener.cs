using System.Net;
using System.Net.Sockets;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Network;

/// <summary>The TCP side of one simulated miner: listen, read one request, answer (or misbehave as the fault says), close. Async accept, no thread per miner.</summary>
internal sealed class MinerListener : SocketListener
{
    private const int MaxRequestBytes = 64 * 1024;
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(5);
    private long _garbageCounter;

    public MinerListener(SimulatedMiner miner, IPEndPoint endPoint)
        : base(miner, endPoint, backlog: 512)
    {
    }

    protected override string BindFailure(IPEndPoint endPoint, SocketException exception) =>
        $"Simulated miner {Miner.Id} cannot listen on {endPoint}: {exception.SocketErrorCode} ({exception.Message}). " +
        "Pick another --base address or --port, or stop whatever already listens there.";

    protected override async Task ServeAsync(Socket client, CancellationToken lifetime)
    {
        try
        {
            byte[]? request = await ReadRequestAsync(client, lifetime);
            if (request is null)
            {
                return;
            }

            Miner.CountRequest();

            MinerFault? fault = Miner.NetworkFault;
            switch (fault?.Kind)
            {
                case FaultKind.Hang:
                    using (var hang = CancellationTokenSource.CreateLinkedTokenSource(Miner.HangReleased, lifetime))
                    {
                        await HangAsync(client, hang.Token);
                    }

                    return;
                case FaultKind.Slow:
                    await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMs), Miner.Clocks.Wire, lifetime);
                    break;
                case FaultKind.Garbage:
                    await SendAsync(client, Garbage());
                    return;
            }

            byte[] reply = Miner.Respond(request, out bool restart);
            if (fault?.Kind == FaultKind.Truncated)
            {
                reply = reply[..Math.Max(1, reply.Length / 2)];
                restart = false;
            }

            await SendAsync(client, reply);
            Miner.OnReplySent(restart);
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
        ulong h = Mining.DeterministicNoise.Hash(Miner.Spec.Seed, 2001, n);
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

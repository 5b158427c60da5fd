using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CloudMining.Farm.Simulator.Network;

/// <summary>
/// Whatsminer API v3 (late-2024 firmware) on its own port of the miner's address: every message is its length as 4
/// bytes little-endian, then JSON; a connection may carry several requests; four zero bytes are a heartbeat. It
/// follows the miner's power and connection-refused fault like the API listener.
/// </summary>
internal sealed class WhatsminerV3Listener : SocketListener
{
    private const int MaxRequestBytes = 64 * 1024;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    public WhatsminerV3Listener(SimulatedMiner miner, IPEndPoint endPoint)
        : base(miner, endPoint, backlog: 64)
    {
    }

    protected override string BindFailure(IPEndPoint endPoint, SocketException exception) =>
        $"Simulated miner {Miner.Id} cannot serve Whatsminer API v3 on {endPoint}: {exception.SocketErrorCode} ({exception.Message}). " +
        "Give it another address, or stop whatever already listens there.";

    protected override async Task ServeAsync(Socket client, CancellationToken lifetime)
    {
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
                idle.CancelAfter(IdleTimeout);
                byte[] header = new byte[4];
                if (!await ReadAsync(client, header, idle.Token))
                {
                    return;
                }

                uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
                if (length == 0)
                {
                    continue;
                }

                if (length > MaxRequestBytes)
                {
                    return;
                }

                byte[] body = new byte[length];
                if (!await ReadAsync(client, body, idle.Token))
                {
                    return;
                }

                Miner.CountRequest();
                byte[] reply = Miner.RespondWhatsminerV3(body, out bool restart);
                byte[] frame = new byte[4 + reply.Length];
                BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)reply.Length);
                reply.CopyTo(frame, 4);
                int sent = 0;
                while (sent < frame.Length)
                {
                    sent += await client.SendAsync(frame.AsMemory(sent), SocketFlags.None, lifetime);
                }

                if (restart)
                {
                    client.Shutdown(SocketShutdown.Both);
                    Miner.Restart();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The client went away or the miner lost power.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task<bool> ReadAsync(Socket client, byte[] buffer, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = await client.ReceiveAsync(buffer.AsMemory(done), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            done += read;
        }

        return true;
    }
}

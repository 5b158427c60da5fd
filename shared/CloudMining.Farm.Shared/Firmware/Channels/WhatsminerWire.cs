using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// The two transports of Whatsminer's APIs: v2 on 4028 is one JSON request per connection, answered and closed
/// (cgminer style, a NUL byte may end the answer); v3 on 4433 frames every message with its length as 4 bytes,
/// little-endian. Both bound the answer so a broken miner cannot make the agent read without end.
/// </summary>
internal static class WhatsminerWire
{
    private const int MaxReply = 1024 * 1024;

    public static async Task<string> ExchangeV2Async(string host, int port, string json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, deadline.Token);
        byte[] request = Encoding.UTF8.GetBytes(json);
        await socket.SendAsync(request, SocketFlags.None, deadline.Token);
        using var reply = new MemoryStream();
        byte[] buffer = new byte[8192];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                break;
            }

            reply.Write(buffer, 0, read);
            if (reply.Length > MaxReply)
            {
                throw new IOException($"the answer is longer than {MaxReply} bytes");
            }
        }

        return Encoding.UTF8.GetString(reply.GetBuffer(), 0, (int)reply.Length).TrimEnd('\0', '\n', '\r', ' ');
    }

    public static async Task<string> ExchangeV3Async(string host, int port, string json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, deadline.Token);
        byte[] body = Encoding.UTF8.GetBytes(json);
        byte[] frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        await socket.SendAsync(frame, SocketFlags.None, deadline.Token);
        byte[] header = new byte[4];
        await ReadExactlyAsync(socket, header, deadline.Token);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > MaxReply)
        {
            throw new IOException($"the answer announces {length} bytes, more than the {MaxReply} allowed");
        }

        byte[] reply = new byte[length];
        await ReadExactlyAsync(socket, reply, deadline.Token);
        return Encoding.UTF8.GetString(reply);
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(done), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"the connection closed after {done} of {buffer.Length} bytes");
            }

            done += read;
        }
    }

    /// <summary>Whether an exception is the miner's network failing (not the caller cancelling).</summary>
    public static bool Transport(Exception e, CancellationToken cancellationToken) =>
        e is SocketException or IOException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudMining.Farm.Tests.Simulator;

/// <summary>A bare TCP client for the simulator tests: send one request, read until the miner closes, report what happened.</summary>
public static class MinerWire
{
    public static async Task<byte[]> ExchangeAsync(IPEndPoint endPoint, string request, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cts.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cts.Token);
        using var ms = new MemoryStream();
        byte[] buffer = new byte[8192];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read == 0)
            {
                return ms.ToArray();
            }

            ms.Write(buffer, 0, read);
        }
    }

    /// <summary>Sends a JSON command and returns the reply text without the trailing NUL.</summary>
    public static async Task<string> JsonAsync(IPEndPoint endPoint, string command, string? parameter = null)
    {
        string request = parameter is null
            ? $"{{\"command\":\"{command}\"}}"
            : $"{{\"command\":\"{command}\",\"parameter\":\"{parameter}\"}}";
        byte[] reply = await ExchangeAsync(endPoint, request);
        return Encoding.UTF8.GetString(reply).TrimEnd('\0');
    }

    /// <summary>True when nothing listens: the connect is refused.</summary>
    public static async Task<bool> IsRefusedAsync(IPEndPoint endPoint)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(endPoint, cts.Token);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }
}

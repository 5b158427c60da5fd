using System.Net;
using System.Net.Sockets;
using CloudMining.Farm.Simulator.Web;

namespace CloudMining.Farm.Simulator.Network;

/// <summary>
/// The HTTP side of a simulated miner that has a web interface (stock Antminer's lighttpd): listen on the miner's
/// address at its web port, read one request per connection, answer, close. It follows the miner's power and
/// connection-refused fault like the API listener; the other faults are the API's only.
/// </summary>
internal sealed class WebListener : SocketListener
{
    private const int MaxRequestBytes = 256 * 1024;
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(5);

    public WebListener(SimulatedMiner miner, IPEndPoint endPoint)
        : base(miner, endPoint, backlog: 128)
    {
    }

    protected override string BindFailure(IPEndPoint endPoint, SocketException exception) =>
        $"Simulated miner {Miner.Id} cannot serve its web interface on {endPoint}: {exception.SocketErrorCode} ({exception.Message}). " +
        "Pick another --web-port, or stop whatever already listens there.";

    protected override async Task ServeAsync(Socket client, CancellationToken lifetime)
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
                : Miner.RespondWeb(request, out reboot);
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
                Miner.Restart();
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

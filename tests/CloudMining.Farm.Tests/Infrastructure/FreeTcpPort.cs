using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// A loopback TCP port nobody is listening on, for the servers the tests start (mosquitto, PostgreSQL, influxd, the
/// controller's API, simulators). The port comes from below the kernel's ephemeral range
/// (/proc/sys/net/ipv4/ip_local_port_range), where the kernel never puts the local end of an outgoing connection: a
/// port from that range (what binding port 0 gives) can be taken by any of the suite's thousands of client connections
/// between this probe and the server's own bind, and the server then fails to start with "address already in use".
/// Ports are handed out in turn from a random start per test process, so two fixtures of one run never get the same
/// one; each is checked free by binding it.
/// </summary>
public static class FreeTcpPort
{
    /// <summary>Lowest port handed out: above the well-known service ports (mosquitto 1883, PostgreSQL 5432, …).</summary>
    private const int Low = 10_000;

    private static readonly (int First, int Count) Range = OutsideEphemeral();
    private static int _cursor = Random.Shared.Next(Math.Max(Range.Count, 1));

    public static int Next(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        for (int tries = 0; Range.Count > 0 && tries < Math.Min(Range.Count, 2_000); tries++)
        {
            int port = Range.First + (int)((uint)Interlocked.Increment(ref _cursor) % (uint)Range.Count);
            if (Bindable(address, port))
            {
                return port;
            }
        }

        // No usable range below the ephemeral ports on this machine: let the kernel pick one.
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Bindable(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int First, int Count) OutsideEphemeral()
    {
        int ephemeralLow = 32_768;
        try
        {
            string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralLow = int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or hidden: the kernel's usual default.
        }

        // Fewer than 1,000 ports below the range: not enough to be worth it, fall back to port 0.
        return ephemeralLow - Low >= 1_000 ? (Low, ephemeralLow - Low) : (0, 0);
    }
}

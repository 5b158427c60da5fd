using System.Net;
using System.Net.Sockets;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Asks the kernel for a loopback TCP port nobody is listening on, for servers the tests start.</summary>
public static class FreeTcpPort
{
    public static int Next(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

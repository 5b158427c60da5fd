using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CloudMining.Farm.Bench.Mqtt;

/// <summary>A throw-away mosquitto on a free loopback port for the MQTT benchmark (no persistence: we measure the wire).</summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private BenchBroker(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static async Task<BenchBroker> StartAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        string folder = Directory.CreateTempSubdirectory("farm-bench-mosquitto-").FullName;
        string config = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, string.Join('\n',
            $"listener {port} 127.0.0.1",
            $"user {Environment.UserName}",
            "allow_anonymous true",
            "persistence false",
            "max_queued_messages 1000000",
            "max_inflight_messages 1000",
            "set_tcp_nodelay true",
            "log_dest none",
            // $SYS/broker/publish/messages/received every second: the harness checks each client's count against it.
            "sys_interval 1",
            string.Empty));
        var process = Process.Start(new ProcessStartInfo("mosquitto", ["-c", config]) { UseShellExecute = false, RedirectStandardError = true })
            ?? throw new InvalidOperationException("mosquitto is not installed: ./install.sh --deps");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
            {
                await Task.Delay(20);
            }
        }

        return new BenchBroker(process, folder, port);
    }

    public string PortText => Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>CPU time (user + system) mosquitto has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

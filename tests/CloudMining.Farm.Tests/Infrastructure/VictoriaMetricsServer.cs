using System.Diagnostics;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// A real <c>victoria-metrics</c> single node on a free loopback port, storing in a temp folder; the InfluxDB v2 write
/// path's second server. It keeps duplicate samples (no dedup flag), so it also shows a point sent twice.
/// Can be stopped and started again on the same port and data; killed on dispose.
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _binary;
    private Process? _process;
    private bool _exitedEarly;

    private VictoriaMetricsServer(string binary, string root, int port)
    {
        _binary = binary;
        Root = root;
        Port = port;
    }

    public int Port { get; }

    public string Root { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<VictoriaMetricsServer> StartAsync()
    {
        IntegrationGuard.Starting("victoria-metrics");
        string binary = ServerBinary.Find("victoria-metrics");
        for (int attempt = 1; ; attempt++)
        {
            string root = Directory.CreateTempSubdirectory("farm-vm-").FullName;
            var server = new VictoriaMetricsServer(binary, root, FreeTcpPort.Next());
            try
            {
                await server.StartAgainAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server._exitedEarly)
            {
                // Most likely another process took the "free" port before victoria-metrics bound it: try a new one.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>(Re)starts the process on the same port and data and waits for <c>/health</c>.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var info = new ProcessStartInfo(_binary, ["-httpListenAddr", $"127.0.0.1:{Port}", "-storageDataPath", Root, "-retentionPeriod", "100y", "-loggerLevel", "ERROR"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Process started = _process;
        if (!await Eventually.TrueAsync(async () => started.HasExited || await HealthyAsync(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50))
            || started.HasExited)
        {
            _exitedEarly = started.HasExited;
            await StopAsync();
            throw new InvalidOperationException($"victoria-metrics did not answer /health on {Url} within 30 s (or exited early: {_exitedEarly}).");
        }
    }

    /// <summary>
    /// Stops the process with SIGTERM, as systemd would, and waits for it to exit; it flushes the samples it
    /// acknowledged (a SIGKILL would lose its last seconds of in-memory rows, unlike influxd's fsynced WAL).
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            using (Process term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Returns <c>/api/v1/export</c> (one JSON object per series and line), polling up to 15 s until <paramref name="complete"/>
    /// holds (default: something matched): acknowledged samples become searchable a moment after the write.
    /// </summary>
    public async Task<string> ExportAsync(string match = "{__name__=~\".+\"}", Func<string, bool>? complete = null)
    {
        string export = "";
        complete ??= text => text.Trim().Length > 0;
        await Eventually.TrueAsync(async () => complete(export = await ExportOnceAsync(match)), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        return export;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Harmless leftover.
        }
    }

    private async Task<string> ExportOnceAsync(string match)
    {
        using (HttpResponseMessage flush = await _http.GetAsync(new Uri(Url + "/internal/force_flush")))
        {
            flush.EnsureSuccessStatusCode();
        }

        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["match[]"] = match });
        using HttpResponseMessage response = await _http.PostAsync(new Uri(Url + "/api/v1/export"), content);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<bool> HealthyAsync()
    {
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri(Url + "/health"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

using System.Diagnostics;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>A real <c>victoria-metrics</c> single node on a free loopback port, storing in a temp folder; the InfluxDB v2 write path's second server.</summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Process _process;

    private VictoriaMetricsServer(Process process, string root, int port)
    {
        _process = process;
        Root = root;
        Port = port;
    }

    public int Port { get; }

    public string Root { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<VictoriaMetricsServer> StartAsync()
    {
        string binary = ServerBinary.Find("victoria-metrics");
        string root = Directory.CreateTempSubdirectory("farm-vm-").FullName;
        int port = FreeTcpPort.Next();
        var info = new ProcessStartInfo(binary, ["-httpListenAddr", $"127.0.0.1:{port}", "-storageDataPath", root, "-retentionPeriod", "100y", "-loggerLevel", "ERROR"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new VictoriaMetricsServer(process, root, port);
        bool up = await Eventually.TrueAsync(server.HealthyAsync, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        if (!up)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"victoria-metrics did not answer /health on {server.Url} within 30 s.");
        }

        return server;
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
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

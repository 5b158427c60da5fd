using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// A real <c>influxd</c> (1.x) on free loopback ports with a generated config and data in a temp folder; can be stopped
/// and started again on the same ports and data, optionally with auth and an admin user. Killed on dispose.
/// </summary>
public sealed class InfluxdServer : IAsyncDisposable
{
    public const string AdminUser = "farmadmin";
    public const string AdminPassword = "adm1n-Secret";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _binary;
    private readonly string _config;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly StringBuilder _log = new();
    private Process? _process;

    private InfluxdServer(string binary, string root, int httpPort, bool authEnabled)
    {
        _binary = binary;
        Root = root;
        HttpPort = httpPort;
        AuthEnabled = authEnabled;
        _config = Path.Combine(root, "influxdb.conf");
        int rpcPort = FreeTcpPort.Next();
        while (rpcPort == httpPort)
        {
            rpcPort = FreeTcpPort.Next();
        }

        File.WriteAllText(_config, $"""
            reporting-enabled = false
            bind-address = "127.0.0.1:{rpcPort}"

            [meta]
              dir = "{Path.Combine(root, "meta")}"
              logging-enabled = false

            [data]
              dir = "{Path.Combine(root, "data")}"
              wal-dir = "{Path.Combine(root, "wal")}"
              query-log-enabled = false

            [monitor]
              store-enabled = false

            [http]
              enabled = true
              bind-address = "127.0.0.1:{httpPort}"
              auth-enabled = {(authEnabled ? "true" : "false")}
              log-enabled = {(HttpLogRequested ? "true" : "false")}
              pprof-enabled = false

            [logging]
              level = "warn"
            """);
        if (authEnabled)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AdminUser}:{AdminPassword}")));
        }
    }

    public int HttpPort { get; }

    /// <summary>FARM_INFLUXD_HTTP_LOG=1 turns on influxd's access log (with per-request durations) for diagnosis.</summary>
    public static bool HttpLogRequested => Environment.GetEnvironmentVariable("FARM_INFLUXD_HTTP_LOG") == "1";

    /// <summary>What influxd printed so far (bounded).</summary>
    public string Output
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public bool AuthEnabled { get; }

    public string Root { get; }

    public string Url => $"http://127.0.0.1:{HttpPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts influxd and waits for <c>/ping</c>; with <paramref name="authEnabled"/> also creates <see cref="AdminUser"/>.</summary>
    public static async Task<InfluxdServer> StartAsync(bool authEnabled = false)
    {
        IntegrationGuard.Starting("influxd");
        string binary = ServerBinary.Find("influxd");
        for (int attempt = 1; ; attempt++)
        {
            string root = Directory.CreateTempSubdirectory("farm-influxd-").FullName;
            var server = new InfluxdServer(binary, root, FreeTcpPort.Next(), authEnabled);
            try
            {
                await server.StartAgainAsync();
                if (authEnabled)
                {
                    // With auth on and no users yet, influxd lets exactly one request create the first admin.
                    await server.QueryAsync(null, $"CREATE USER \"{AdminUser}\" WITH PASSWORD '{AdminPassword}' WITH ALL PRIVILEGES", post: true);
                }

                return server;
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                // Another process took a "free" port between our probe and influxd's bind: pick new ports.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>(Re)starts the process on the same ports and data and waits for <c>/ping</c>.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(_binary, ["run", "-config", _config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        StringBuilder log = _log;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(log, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Process started = _process;
        // Stop waiting at once if influxd exits (a port taken, a bad config): its output says why.
        bool up = await Eventually.TrueAsync(async () => started.HasExited || await PingAsync(), StartTimeout, TimeSpan.FromMilliseconds(50))
            && !started.HasExited;
        if (!up)
        {
            // Stop first: waiting for the exit also drains the output readers, so the tail is complete.
            await StopAsync();
            string tail;
            lock (log)
            {
                tail = log.ToString();
            }

            throw new InvalidOperationException($"influxd did not answer /ping on {Url} within {StartTimeout} (or exited). Output:\n{tail}");
        }
    }

    /// <summary>Kills the process (data stays) and waits until it has exited.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async Task<bool> PingAsync()
    {
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri(Url + "/ping"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public Task CreateDatabaseAsync(string name) => QueryAsync(null, $"CREATE DATABASE \"{name}\"", post: true);

    /// <summary>Runs InfluxQL and returns the JSON reply; timestamps as integer nanoseconds.</summary>
    public async Task<string> QueryAsync(string? database, string query, bool post = false)
    {
        var form = new Dictionary<string, string> { ["q"] = query, ["epoch"] = "ns" };
        if (database is not null)
        {
            form["db"] = database;
        }

        using var content = new FormUrlEncodedContent(form);
        using HttpResponseMessage response = post
            ? await _http.PostAsync(new Uri(Url + "/query"), content)
            : await _http.GetAsync(new Uri(Url + "/query?" + await content.ReadAsStringAsync()));
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"influxd query failed ({(int)response.StatusCode}): {query} -> {body}");
        }

        return body;
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
            // A leftover temp folder is harmless; never fail a test on cleanup.
        }
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length < (HttpLogRequested ? 5_000_000 : 20_000))
            {
                log.AppendLine(line);
            }
        }
    }
}

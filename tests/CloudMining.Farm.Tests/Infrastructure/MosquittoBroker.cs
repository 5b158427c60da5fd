using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// A real mosquitto on a free loopback port with a generated config and its own persistence folder.
/// Stop/start keep the port (broker-restart tests); dispose kills it and deletes the folder.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _extraConfig;
    private string? _externalConfig;
    private Process? _process;

    private MosquittoBroker(string directory, int port, string extraConfig)
    {
        Directory = directory;
        Port = port;
        _extraConfig = extraConfig;
    }

#pragma warning disable CA1822 // Instance member on purpose: a broker object answers where it listens.
    public string Host => "127.0.0.1";
#pragma warning restore CA1822

    public int Port { get; }

    /// <summary>Temp folder holding the config, the persistence database and the log.</summary>
    public string Directory { get; }

    public string ConfigPath => _externalConfig ?? Path.Combine(Directory, "mosquitto.conf");

    public string LogPath => Path.Combine(Directory, "mosquitto.log");

    public int? ProcessId => _process is { HasExited: false } ? _process.Id : null;

    private static readonly string[] Candidates = ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"];

    public static string Executable =>
        Candidates.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mosquitto is not installed, and the MQTT tests need the real broker: install it: ./install.sh --deps");

    /// <summary>Starts a broker; <paramref name="extraConfig"/> adds lines (password_file, acl_file, TLS listener...).</summary>
    public static async Task<MosquittoBroker> StartAsync(string extraConfig = "allow_anonymous true", int? port = null)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("farm-mosquitto-").FullName;
        var broker = new MosquittoBroker(directory, port ?? FreeTcpPort.Next(), extraConfig);
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>Starts mosquitto with a complete config written elsewhere (e.g. by scripts/broker-setup.sh).</summary>
    public static async Task<MosquittoBroker> StartWithConfigFileAsync(string configPath, string dataDirectory, int port)
    {
        var broker = new MosquittoBroker(dataDirectory, port, string.Empty) { _externalConfig = configPath };
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>Starts the broker process (again) on the same port with the same persistence.</summary>
    public async Task StartAgainAsync()
    {
        IntegrationGuard.Starting("mosquitto");
        string executable = Executable;
        if (_externalConfig is null)
        {
            await WriteConfigAsync();
        }

        await LaunchAsync(executable);
    }

    private async Task WriteConfigAsync()
    {
        var config = new StringBuilder();
        config.AppendLine(CultureInfo.InvariantCulture, $"listener {Port} {Host}");
        config.AppendLine(CultureInfo.InvariantCulture, $"user {Environment.UserName}");
        config.AppendLine("persistence true");
        config.AppendLine(CultureInfo.InvariantCulture, $"persistence_location {Directory}/");
        config.AppendLine(CultureInfo.InvariantCulture, $"log_dest file {LogPath}");
        config.AppendLine("log_type error");
        config.AppendLine("log_type warning");
        config.AppendLine("log_type notice");
        config.AppendLine("log_type information");
        config.AppendLine("connection_messages true");
        config.AppendLine("max_queued_messages 1000000");
        config.AppendLine("max_inflight_messages 1000");
        config.AppendLine("set_tcp_nodelay true");
        config.AppendLine(_extraConfig);
        await File.WriteAllTextAsync(ConfigPath, config.ToString());
    }

    private async Task LaunchAsync(string executable)
    {
        var start = new ProcessStartInfo(executable, ["-c", ConfigPath])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        bool up = await Eventually.TrueAsync(async () => _process.HasExited || await AcceptsAsync(), TimeSpan.FromSeconds(10));
        if (!up || _process.HasExited)
        {
            string log = File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : "(no log)";
            throw new InvalidOperationException($"mosquitto did not start listening on {Host}:{Port} within 10 s. Config {ConfigPath}. Log:\n{log}");
        }
    }

    /// <summary>Graceful stop (SIGTERM): mosquitto saves its persistence database, like a service restart.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } running)
        {
            return;
        }

        Signal(running.Id, "TERM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await running.WaitForExitAsync(timeout.Token);
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAgainAsync();
    }

    /// <summary>Freezes the broker (SIGSTOP): sockets stay open but nothing answers, as with a dead link.</summary>
    public void Pause() => Signal(_process!.Id, "STOP");

    public void Resume() => Signal(_process!.Id, "CONT");

    public async Task<string> ReadLogAsync() => File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } running)
        {
            Signal(running.Id, "CONT");
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A straggling file handle must not fail the test; the temp folder is cleaned by the OS.
        }
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Writes a mosquitto password file with mosquitto_passwd -b (hashed, as in production).</summary>
    public static async Task WritePasswordFileAsync(string path, IEnumerable<(string User, string Password)> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        await File.WriteAllTextAsync(path, string.Empty);
        foreach ((string user, string password) in users)
        {
            using Process tool = Process.Start(new ProcessStartInfo("mosquitto_passwd", ["-b", path, user, password]) { RedirectStandardError = true, UseShellExecute = false })
                ?? throw new InvalidOperationException("mosquitto_passwd is missing: install it: ./install.sh --deps");
            await tool.WaitForExitAsync();
            if (tool.ExitCode != 0)
            {
                throw new InvalidOperationException($"mosquitto_passwd failed for user {user}: {await tool.StandardError.ReadToEndAsync()}");
            }
        }
    }

    internal static void Signal(int pid, string signal)
    {
        using Process kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }
}

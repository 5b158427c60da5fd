using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server (Debian's postgresql-15: <c>initdb</c> into a temp folder, a free loopback port, its unix
/// socket in that folder), started and stopped by the test; password authentication over TCP as <see cref="User"/>.
/// initdb and postgres refuse to run as root: as root (CI) both run as the <c>postgres</c> user the Debian package
/// creates, through <c>setpriv</c> (which execs, so the process the test holds is the postmaster itself).
/// </summary>
public sealed class PostgreSqlServer : IAsyncDisposable
{
    public const string User = "farm";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string?> Bin = new(FindBinDirectory);
    private readonly StringBuilder _log = new();
    private readonly string? _runAs;
    private Process? _process;
    private int _databases;

    private PostgreSqlServer(string root, int port, string password, string? runAs)
    {
        Root = root;
        Port = port;
        Password = password;
        _runAs = runAs;
    }

    /// <summary>Why the PostgreSQL tests cannot run here (no server binaries), or null when they can.</summary>
    public static string? SkipReason => Bin.Value is null
        ? "NOTICE: PostgreSQL not found (looked for initdb and postgres in $FARM_POSTGRES_BIN and /usr/lib/postgresql/*/bin); the PostgreSQL store tests are skipped. Install it: apt-get install -y postgresql-15 (./install.sh --deps)."
        : null;

    public string Root { get; }

    public int Port { get; }

    /// <summary>The superuser's password (random per server); tests check it never shows in output.</summary>
    public string Password { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the server printed so far (bounded).</summary>
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

    /// <summary>initdb into a new temp folder, then start the server and wait until it accepts a login.</summary>
    public static async Task<PostgreSqlServer> StartAsync()
    {
        IntegrationGuard.Starting("postgres (PostgreSQL server)");
        if (SkipReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        string root = Directory.CreateTempSubdirectory("farm-postgres-").FullName;
        string? runAs = Environment.UserName == "root" ? "postgres" : null;
        var server = new PostgreSqlServer(root, FreeTcpPort.Next(), Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant(), runAs);
        try
        {
            await server.InitAsync();
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> over TCP with the password.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = User,
            Password = Password,
            Timeout = 30,
        }.ConnectionString;

    /// <summary>Creates a new empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "store")
    {
        string name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\";");
        return name;
    }

    /// <summary>Runs SQL on <paramref name="database"/> in its own connection.</summary>
    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Starts the server on the same port and data (after <see cref="CrashAsync"/> it recovers from its WAL) and waits for a login.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var start = Start(
            "postgres",
            "-D", DataDirectory,
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-k", Root,
            "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=200",

            // Test data only: no fsync (a crash test kills the process, not the machine, so the WAL is still replayed).
            "-c", "fsync=off",
            "-c", "logging_collector=off",
            "-c", "log_min_messages=warning");
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        bool up = await Eventually.TrueAsync(async () => process.HasExited || await CanLoginAsync(), StartTimeout, TimeSpan.FromMilliseconds(100)) && !process.HasExited;
        if (!up)
        {
            await KillAsync();
            throw new InvalidOperationException($"PostgreSQL did not accept a login on 127.0.0.1:{Port} within {StartTimeout} (or exited). Output:\n{Output}");
        }
    }

    /// <summary>Immediate shutdown (SIGQUIT): every backend dies without a checkpoint, like a crash; open transactions are lost, committed ones are in the WAL.</summary>
    public async Task CrashAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            MosquittoBroker.Signal(_process.Id, "QUIT");
        }

        await WaitOrKillAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // Fast shutdown: backends are told to end, the server checkpoints and exits.
            MosquittoBroker.Signal(_process.Id, "INT");
        }

        await WaitOrKillAsync(TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless; never fail a test on cleanup.
        }
    }

    private static string? FindBinDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("FARM_POSTGRES_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        candidates.Add("/usr/lib/postgresql/15/bin");
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")));
    }

    private async Task InitAsync()
    {
        string pwfile = Path.Combine(Root, "pw");
        await File.WriteAllTextAsync(pwfile, Password + "\n");
        if (_runAs is not null)
        {
            // The server's user owns its folder; it stays private to that user (0700 from CreateTempSubdirectory).
            await RunAsync(new ProcessStartInfo("chown", ["-R", $"{_runAs}:", Root]));
        }

        await RunAsync(Start("initdb", "-D", DataDirectory, "-U", User, "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"));
        File.Delete(pwfile);
    }

    private ProcessStartInfo Start(string program, params string[] args)
    {
        string binary = Path.Combine(Bin.Value!, program);
        var info = _runAs is null
            ? new ProcessStartInfo(binary)
            : new ProcessStartInfo("setpriv", ["--reuid", _runAs, "--regid", _runAs, "--init-groups", "--", binary]);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;

        // A readable working directory for the server's user (the test's may be private to root).
        info.WorkingDirectory = Root;
        return info;
    }

    private static async Task RunAsync(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} {string.Join(' ', info.ArgumentList)} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
    }

    private async Task<bool> CanLoginAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false;Timeout=2");
            await connection.OpenAsync();
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    private async Task WaitOrKillAsync(TimeSpan timeout)
    {
        if (_process is null)
        {
            return;
        }

        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        _process = null;
        NpgsqlConnection.ClearAllPools();
    }

    private async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }

        await WaitOrKillAsync(TimeSpan.FromSeconds(10));
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 50_000)
            {
                _log.AppendLine(line);
            }
        }
    }
}

using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CloudMining.Farm.Controller.Leadership;

/// <summary>
/// Which controller leads. On PostgreSQL: a session advisory lock held on a dedicated connection; the leader is
/// whoever holds it, and PostgreSQL frees it the moment that connection ends — a SIGKILLed leader's socket is closed by
/// its kernel, so the standby, retrying every <see cref="LeadershipOptions.RetryInterval"/>, takes over within about
/// one interval. A leader that loses its lock connection stops leading at once (<see cref="Lost"/>) and the process
/// exits, to come back as standby. With SQLite there is one controller and it leads from the start.
/// </summary>
public sealed partial class ControllerLeadership : IAsyncDisposable
{
    /// <summary>The advisory lock key ("farm" "lea" in ASCII); another key than the migration lock's.</summary>
    public const long LockKey = 0x6661726D_6C6561;

    /// <summary>The engine_meta key the leader writes its <see cref="LeaderInfo"/> under.</summary>
    public const string MetaKey = "leader";

    private readonly string? _connectionString;
    private readonly LeaderInfo _self;
    private readonly TimeSpan _retry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private NpgsqlConnection? _connection;
    private Task _loop = Task.CompletedTask;
    private volatile LeaderInfo? _leader;

    private ControllerLeadership(string? connectionString, LeaderInfo self, TimeSpan retry, TimeProvider time, ILogger logger)
    {
        _connectionString = connectionString;
        _self = self;
        _retry = retry;
        _time = time;
        _logger = logger;
    }

    /// <summary>This instance's name.</summary>
    public string Instance => _self.Instance;

    /// <summary>True once this instance leads (and until it lost the lead).</summary>
    public bool IsLeader => _acquired.Task.IsCompletedSuccessfully && !_lost.IsCancellationRequested;

    /// <summary>Completes when this instance becomes the leader.</summary>
    public Task Acquired => _acquired.Task;

    /// <summary>Cancelled when a leader lost its lock (its connection to PostgreSQL ended): it must stop publishing at once.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>The leader as last read from the store while this instance waits (null before the first read, or when none is recorded).</summary>
    public LeaderInfo? Leader => IsLeader ? _self : _leader;

    /// <summary>What a standby answers farmctl: "standby (instance b); the leader is a, its API at http://…"; null while this instance leads.</summary>
    public string? StandbyMessage
    {
        get
        {
            if (IsLeader)
            {
                return null;
            }

            if (_lost.IsCancellationRequested)
            {
                return $"this controller ({_self.Instance}) lost the lead and is stopping; ask the other controller.";
            }

            LeaderInfo? leader = _leader;
            return leader is null
                ? $"standby: this controller ({_self.Instance}) waits for the lead; no leader is recorded yet."
                : $"standby: this controller ({_self.Instance}) waits; the leader is {leader.Instance} (since {leader.Since:yyyy-MM-dd HH:mm:ss}Z){(leader.ApiUrl is null ? "" : $", its API at {leader.ApiUrl}")}.";
        }
    }

    /// <summary>The only controller (SQLite): leads from the start.</summary>
    public static ControllerLeadership Sole(string instance, TimeProvider? time = null)
    {
        var single = new ControllerLeadership(null, new LeaderInfo(instance, null, (time ?? TimeProvider.System).GetUtcNow()), TimeSpan.FromSeconds(1), time ?? TimeProvider.System, NullLogger.Instance);
        single._acquired.TrySetResult();
        return single;
    }

    /// <summary>Leader election on the PostgreSQL store of <paramref name="connectionString"/>; call <see cref="Start"/> to begin.</summary>
    public static ControllerLeadership OnPostgreSql(string connectionString, string instance, string? apiUrl, TimeSpan retry, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retry, TimeSpan.Zero);
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // A connection of its own, never pooled: the lock lives and dies with it.
            Pooling = false,

            // TCP keepalives: a leader whose host vanished (not just its process) is noticed by the server too.
            KeepAlive = Math.Max(1, (int)retry.TotalSeconds),
            TcpKeepAlive = true,
            ApplicationName = "farm-controller leader lock (" + instance + ")",
        };
        if (!builder.ContainsKey("Timeout"))
        {
            builder.Timeout = 10;
        }

        return new ControllerLeadership(builder.ConnectionString, new LeaderInfo(instance, apiUrl, default), retry, time ?? TimeProvider.System, logger ?? NullLogger.Instance);
    }

    /// <summary>Starts trying for the lead in the background (no-op for <see cref="Sole"/>).</summary>
    public void Start()
    {
        if (_connectionString is not null && _loop.IsCompleted)
        {
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!IsLeader)
                {
                    await TryAcquireAsync(stop);
                }
                else if (!await StillHeldAsync(stop))
                {
                    LogLost(_logger, _self.Instance);
                    await _lost.CancelAsync();
                    return;
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.IO.IOException or InvalidOperationException && !stop.IsCancellationRequested)
            {
                if (IsLeader)
                {
                    LogLost(_logger, _self.Instance);
                    await _lost.CancelAsync();
                    return;
                }

                LogRetry(_logger, e.Message);
                await DropConnectionAsync();
            }

            await Task.Delay(_retry, _time, stop);
        }
    }

    private async Task TryAcquireAsync(CancellationToken stop)
    {
        if (_connection is null)
        {
            _connection = new NpgsqlConnection(_connectionString);
            await _connection.OpenAsync(stop);
        }

        await using (var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k);", _connection))
        {
            cmd.Parameters.AddWithValue("k", LockKey);
            if (await cmd.ExecuteScalarAsync(stop) is true)
            {
                LeaderInfo me = _self with { Since = _time.GetUtcNow() };
                await using var record = new NpgsqlCommand("INSERT INTO engine_meta (key, value) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;", _connection);
                record.Parameters.AddWithValue("k", MetaKey);
                record.Parameters.AddWithValue("v", JsonSerializer.Serialize(me, LeadershipJsonContext.Default.LeaderInfo));
                await record.ExecuteNonQueryAsync(stop);
                _leader = me;
                LogLeading(_logger, _self.Instance);
                _acquired.TrySetResult();
                return;
            }
        }

        LeaderInfo? before = _leader;
        await using (var read = new NpgsqlCommand("SELECT value FROM engine_meta WHERE key = @k;", _connection))
        {
            read.Parameters.AddWithValue("k", MetaKey);
            _leader = await read.ExecuteScalarAsync(stop) is string json ? JsonSerializer.Deserialize(json, LeadershipJsonContext.Default.LeaderInfo) : null;
        }

        if (before is null || before != _leader)
        {
            LogStandby(_logger, _self.Instance, _leader?.Instance ?? "(none recorded)");
        }
    }

    private async Task<bool> StillHeldAsync(CancellationToken stop)
    {
        // A session lock goes only with its session (nothing here unlocks it): while the connection answers, it is held.
        await using var cmd = new NpgsqlCommand("SELECT 1;", _connection);
        return await cmd.ExecuteScalarAsync(stop) is int one && one == 1;
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Controller {Instance} leads now (PostgreSQL leader lock taken): starting ingest, the engine and publishing")]
    private static partial void LogLeading(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {Instance} is the standby; the leader is {Leader}. Nothing is published until this instance leads")]
    private static partial void LogStandby(ILogger logger, string instance, string leader);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Controller {Instance} lost the lead (its lock connection to PostgreSQL ended); stopping so it does not publish beside the new leader")]
    private static partial void LogLost(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader lock: PostgreSQL not reachable ({Reason}); retrying")]
    private static partial void LogRetry(ILogger logger, string reason);
}

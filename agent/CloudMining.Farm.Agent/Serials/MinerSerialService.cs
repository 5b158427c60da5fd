using System.Collections.Concurrent;
using System.Threading.Channels;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Retry;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Serials;

/// <summary>
/// The serial numbers of miners whose firmware gives none on the cgminer API but names another source in its profile
/// (<c>identity.serialSource</c>: stock Antminer's web CGI, VNish's REST API, Braiins OS+'s gRPC API). The poller hands
/// every successful reading to <see cref="Complete"/>, which fills in the serial last read and queues a read when one
/// is due: the first time a miner answers, when it answers again after failing (it may be another machine now), when
/// its address or profile changed, and then every <see cref="Refresh"/>. The reads run on a few workers of their own,
/// each with a deadline, so they never delay or fail a poll; a failed read keeps the last known serial (or none) and
/// tries again after 30 s, 1 min, 2 min… up to <see cref="Refresh"/>, with one warning per miner per
/// <see cref="Refresh"/> naming the miner, the channel, what failed and what to do (never a password).
/// </summary>
public sealed partial class MinerSerialService : BackgroundService
{
    /// <summary>How often a serial that was read is read again (the serial of a unit does not change; a swapped unit is caught on reconnect).</summary>
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromHours(1);

    /// <summary>First wait after a failed read; doubles up to <see cref="Refresh"/>.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);

    /// <summary>Bounds one read as a whole (a login and a request); each channel has its own network timeouts inside it.</summary>
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The network timeout of the channels' serial reads: a rare read off the poll path may wait longer than a poll
    /// (Agent:MinerTimeout, often well under a second, is too short for a login and a request on a busy controller).
    /// </summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(10);

    private const int Workers = 2;

    private readonly MinerChannels _channels;
    private readonly MinerWriter _writer = MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = NetworkTimeout, ReadTimeout = NetworkTimeout }), NetworkTimeout);
    private readonly FirmwareProfileCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly ILogger<MinerSerialService> _logger;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false });
    private long _reads;

    public MinerSerialService(MinerChannels channels, FirmwareProfileCatalog catalog, TimeProvider time, ILogger<MinerSerialService> logger, TimeSpan? refresh = null)
    {
        _channels = channels ?? throw new ArgumentNullException(nameof(channels));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Refresh = refresh is { } r && r > TimeSpan.Zero ? r : DefaultRefresh;
    }

    public TimeSpan Refresh { get; }

    /// <summary>Serial reads done so far (successful or not).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The serial last read for <paramref name="minerId"/>, or null.</summary>
    public string? Known(string minerId)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        if (!_entries.TryGetValue(minerId, out Entry? entry))
        {
            return null;
        }

        lock (entry)
        {
            return entry.Serial;
        }
    }

    /// <summary>
    /// <paramref name="snapshot"/> with the serial last read where the cgminer API gave none and the profile names a
    /// serial source; queues a read when one is due. Cheap (no I/O) and never throws for a miner's sake.
    /// </summary>
    public MinerSnapshot Complete(string minerId, MinerEndpoint endpoint, MinerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(snapshot);
        // Every miner of the rack comes through here every poll: the profile (one lookup) rules out most of them before
        // the serial's text is looked at.
        if (!_catalog.TryGet(snapshot.Identity.Profile, out FirmwareProfile profile) || profile.SerialSource is null
            || MinerSerial.Normalize(snapshot.Identity.Serial) is not null)
        {
            return snapshot;
        }

        Entry entry = _entries.GetOrAdd(minerId, _ => new Entry());
        string? known;
        lock (entry)
        {
            DateTimeOffset now = _time.GetUtcNow();
            if (entry.Profile != profile || entry.Endpoint != endpoint || entry.Lost)
            {
                entry.NextAt = now;
            }

            entry.Profile = profile;
            entry.Endpoint = endpoint;
            entry.Lost = false;
            if (now >= entry.NextAt && !entry.Queued)
            {
                entry.Queued = true;
                _queue.Writer.TryWrite(minerId);
            }

            known = entry.Serial;
        }

        return known is null ? snapshot : snapshot with { Identity = snapshot.Identity with { Serial = known } };
    }

    /// <summary>The miner did not answer a poll: when it answers again its serial is read again (it may be another unit).</summary>
    public void Lost(string minerId)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        if (_entries.TryGetValue(minerId, out Entry? entry))
        {
            lock (entry)
            {
                entry.Lost = true;
            }
        }
    }

    /// <summary>Reads one miner's serial now through its profile's channel (the workers, and tests); null for a miner never seen.</summary>
    public async Task<SerialRead?> ReadNowAsync(string minerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        if (!_entries.TryGetValue(minerId, out Entry? entry))
        {
            return null;
        }

        FirmwareProfile profile;
        MinerEndpoint endpoint;
        lock (entry)
        {
            if (entry.Profile is null || entry.Endpoint is null)
            {
                entry.Queued = false;
                return null;
            }

            profile = entry.Profile;
            endpoint = entry.Endpoint;
        }

        string channel = profile.SerialSource is { } source ? WriteChannelNames.Of(source.Channel) : "none";
        SerialRead read;
        try
        {
            ChannelTarget target = _channels.Target(minerId, endpoint, profile);
            using var deadline = new CancellationTokenSource(ReadDeadline, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                read = await _writer.ReadSerialAsync(target, linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                string what = deadline.IsCancellationRequested ? $"no serial within {ReadDeadline.TotalSeconds:0} s" : "the read was cut short by a timeout";
                read = SerialRead.Failed(channel, new ChannelError(ChannelErrorKind.Timeout, minerId, channel,
                    what, "check the miner's web/API port (Agent:Miners:N:WebPort); the serial is read again later"));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or a surprise in a channel must not stop the workers; the serial just stays as it is.
            read = SerialRead.Failed(channel, new ChannelError(ChannelErrorKind.MalformedReply, minerId, channel,
                $"reading the serial failed unexpectedly ({e.GetType().Name}: {e.Message})", "the serial is read again later"));
        }

        Interlocked.Increment(ref _reads);
        Record(minerId, entry, read);
        return read;
    }

    /// <summary>Reads queued but not yet taken by a worker.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>Runs the queued reads now, one after the other (tests drive the service this way without its workers); returns how many ran.</summary>
    public async Task<int> RunPendingAsync(CancellationToken cancellationToken)
    {
        int ran = 0;
        while (_queue.Reader.TryRead(out string? minerId))
        {
            await ReadNowAsync(minerId, cancellationToken);
            ran++;
        }

        return ran;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (string minerId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            await ReadNowAsync(minerId, stoppingToken);
        }
    }

    private void Record(string minerId, Entry entry, SerialRead read)
    {
        DateTimeOffset now = _time.GetUtcNow();
        bool logRead = false;
        bool warn = false;
        string? before;
        lock (entry)
        {
            entry.Queued = false;
            before = entry.Serial;
            if (read.Serial is { } serial)
            {
                logRead = !string.Equals(before, serial, StringComparison.Ordinal) || entry.Failures > 0;
                entry.Serial = serial;
                entry.Failures = 0;
                entry.WarnedAt = null;
                entry.LastProblem = null;
                entry.NextAt = now + Refresh;
            }
            else
            {
                entry.Failures++;
                entry.NextAt = now + DoublingBackoff.Delay(entry.Failures - 1, FirstRetry, Refresh);
                string problem = read.Error?.Message ?? "no serial";
                warn = entry.WarnedAt is not { } warned || now - warned >= Refresh || !string.Equals(entry.LastProblem, problem, StringComparison.Ordinal);
                if (warn)
                {
                    entry.WarnedAt = now;
                }

                entry.LastProblem = problem;
            }
        }

        if (logRead)
        {
            LogSerialRead(_logger, minerId, read.Serial!, read.Channel, before ?? MinerSerial.Unknown);
        }
        else if (warn)
        {
            ChannelError error = read.Error ?? new ChannelError(ChannelErrorKind.MalformedReply, minerId, read.Channel, "no serial", "the serial is read again later");
            LogSerialUnread(_logger, minerId, read.Channel, error.Message, before ?? MinerSerial.Unknown, error.Fix, Refresh.TotalMinutes);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Miner {MinerId}: serial {Serial} read through {Channel} (was {Before})")]
    private static partial void LogSerialRead(ILogger logger, string minerId, string serial, string channel, string before);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId}: its serial could not be read through {Channel}: {Problem}; it stays {Serial} and polling goes on; {Fix} (this warning repeats at most every {Minutes} min)")]
    private static partial void LogSerialUnread(ILogger logger, string minerId, string channel, string problem, string serial, string fix, double minutes);

    /// <summary>One miner's serial, where it was last read from, and when it is read next.</summary>
    private sealed class Entry
    {
        public FirmwareProfile? Profile { get; set; }

        public MinerEndpoint? Endpoint { get; set; }

        public string? Serial { get; set; }

        public bool Queued { get; set; }

        public bool Lost { get; set; }

        public DateTimeOffset NextAt { get; set; } = DateTimeOffset.MinValue;

        public int Failures { get; set; }

        public DateTimeOffset? WarnedAt { get; set; }

        public string? LastProblem { get; set; }
    }
}

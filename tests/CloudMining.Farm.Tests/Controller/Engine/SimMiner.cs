using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>A miner in an engine test: hashes at a set rate on the pools it is given and counts accepted difficulty per pool.</summary>
internal sealed class SimMiner(string id, string rack, string profile, double hashrateHs, double watts)
{
    private readonly Dictionary<(string Url, string User), double> _difficulty = [];

    public string Id { get; } = id;

    public string Rack { get; } = rack;

    public string Profile { get; } = profile;

    /// <summary>What the miner reports as its average hashrate.</summary>
    public double HashrateHs { get; set; } = hashrateHs;

    /// <summary>The fraction of its reported hashrate that the pools actually accept (1 = honest, 0.8 = 20 % lost to stale shares).</summary>
    public double Effectiveness { get; set; } = 1;

    public double Watts { get; set; } = watts;

    public bool On { get; set; } = true;

    public string State { get; set; } = "hashing";

    /// <summary>What its agent reports it can do; null: every operation, with quotas on the quota-capable test profiles.</summary>
    public MinerCapabilities? Capabilities { get; set; }

    /// <summary>Profiles the engine tests treat as able to split by quota (as the old profile-file reading did).</summary>
    public static IReadOnlySet<string> QuotaProfiles { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "braiins-os", "antminer" };

    public MinerCapabilities Reported => Capabilities ?? Infrastructure.TestCapabilities.Writable(Id, Profile, QuotaProfiles.Contains(Profile));

    /// <summary>Difficulty accepted on a pool so far (what the pool credited the worker).</summary>
    public double AcceptedOn(string url, string user) => _difficulty.GetValueOrDefault((url, user));

    /// <summary>Credits <paramref name="elapsed"/> of work to the given pools by their fractions.</summary>
    public void Work(TimeSpan elapsed, IReadOnlyList<(string Url, string User, double Fraction)> pools)
    {
        foreach ((string url, string user, double fraction) in pools)
        {
            double hashes = HashrateHs * Effectiveness * fraction * elapsed.TotalSeconds;
            _difficulty[(url, user)] = _difficulty.GetValueOrDefault((url, user)) + (hashes / DeliveryMeter.HashesPerDifficulty);
        }
    }

    /// <summary>Restart: the firmware's counters start from zero.</summary>
    public void ResetCounters() => _difficulty.Clear();

    public MinerTelemetryPayload Telemetry(string site, DateTimeOffset at, long seq) => new()
    {
        Publisher = "agent-" + site + "-" + Rack,
        Seq = seq,
        Timestamp = at,
        Site = site,
        Rack = Rack,
        MinerId = Id,
        Profile = Profile,
        Hashrate5sHs = HashrateHs,
        HashrateAverageHs = HashrateHs,
        PowerW = Watts,
        Pools = [.. _difficulty.Select((p, i) => new TelemetryPool { Index = i, Url = p.Key.Url, User = p.Key.User, DifficultyAccepted = p.Value, Accepted = 1 })],
    };
}

using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>One realistic instance of every farm/v1 payload, for schema and round-trip tests.</summary>
public static class WireSamples
{
    public static readonly DateTimeOffset At = new(2026, 11, 21, 22, 0, 0, TimeSpan.Zero);

    public static MinerSnapshot Snapshot() => new()
    {
        Identity = new MinerIdentity { Profile = "antminer-s19", Model = "Antminer S19j Pro", FirmwareVersion = "Braiins OS 23.03" },
        Timestamp = At,
        Hashrate5s = Hashrate.FromTerahashes(104.2),
        HashrateAverage = Hashrate.FromTerahashes(100.1),
        HashrateNominal = Hashrate.FromTerahashes(104),
        Power = Power.FromWatts(3068),
        Uptime = TimeSpan.FromHours(50),
        HardwareErrors = 12,
        Boards =
        [
            new BoardReading { Index = 0, Hashrate = Hashrate.FromTerahashes(34.1), ChipTemperature = Temperature.FromCelsius(71.5), BoardTemperature = Temperature.FromCelsius(55), Chips = 126, Status = "Alive" },
            new BoardReading { Index = 1, Hashrate = Hashrate.FromTerahashes(33.9), ChipTemperature = Temperature.FromCelsius(74) },
        ],
        Fans = [new FanReading(0, 5400, 62), new FanReading(1, 5460)],
        Pools =
        [
            new PoolReading { Index = 0, Url = "stratum+tcp://worker:pool-secret-77@btc.example.com:3333", User = "acct.rack7", Status = "Alive", Active = true, Accepted = 1200, Rejected = 3, DifficultyAccepted = 78_643_200, Quota = 1 },
            new PoolReading { Index = 1, Url = "stratum+tcp://backup.example.com:443", User = "acct.rack7", Status = "Alive", Priority = 1 },
        ],
        Warnings = ["stats: fan3 missing"],
    };

    /// <summary>A stock Antminer on its factory password (pools through the web CGI) and one whose login is refused.</summary>
    public static IReadOnlyList<MinerCapabilities> Capabilities() =>
    [
        new MinerCapabilities
        {
            MinerId = "m-0042", Profile = "antminer", ProbedAt = At, VendorDefaultLogin = true,
            Operations = [new OperationCapability("setPools", true, "bitmain-web", Verified: true), new OperationCapability("reboot", true, "bitmain-web", Verified: true),
                new OperationCapability("setPowerTarget", false, Reason: CapabilityReasons.NoRoute, Why: "the firmware profile 'antminer' has no channel for setPowerTarget", Fix: "nothing to do if the firmware cannot setPowerTarget")],
        },
        new MinerCapabilities
        {
            MinerId = "m-0043", Profile = "braiins-os", ProbedAt = At, PoolQuota = PoolQuotaStyles.GroupRatio, PowerTargetMinW = 1500, PowerTargetMaxW = 3500,
            Operations = [new OperationCapability("setPools", false, "braiins-grpc", Reason: CapabilityReasons.AuthenticationFailed, Why: "the miner refused the login of user 'root'", Fix: "set this miner's password in Agent:MinerCredentials")],
        },
    ];

    public static IEnumerable<FarmMessage> All()
    {
        yield return new AgentStatusPayload { Publisher = "agent-s1-r07", Seq = 1, Timestamp = At, Site = "s1", Rack = "r07", State = AgentState.Online, AgentVersion = "0.1.0", MinersConfigured = 40, PollIntervalS = 10, Capabilities = Capabilities() };
        yield return MinerTelemetryPayload.From(Snapshot(), "s1", "r07", "m-0042", "agent-s1-r07", 2, At);
        yield return new MinerStatePayload { Publisher = "agent-s1-r07", Seq = 3, Timestamp = At, Site = "s1", Rack = "r07", MinerId = "m-0042", State = MinerState.Restarting, PreviousState = MinerState.Hashing, Reason = "watchdog: hashrate 0 for 10 min" };
        yield return new FarmEventPayload { Publisher = "agent-s1-r07", Seq = 4, Timestamp = At, Site = "s1", Rack = "r07", Kind = "relay", Severity = "warning", MinerId = "m-0042", Action = "power-cycle", Detail = "relay 12 off 10 s" };
        MinerPoolAssignment[] miners = [new("m-0042", [new PoolTarget("stratum+tcp://btc.example.com:3333", "contract-17.m0042", 0, Quota: 3)], ContractId: "c-17"), new("m-0043", [new PoolTarget("stratum+tcp://house.example.com:3333", "house.m0043", 0)])];
        yield return new DesiredPoolStatePayload { Publisher = "controller", Seq = 10, Timestamp = At, Site = "s1", Rack = "r07", Generation = 5, Miners = miners };
        yield return new ReportedPoolStatePayload { Publisher = "agent-s1-r07", Seq = 5, Timestamp = At, Site = "s1", Rack = "r07", Generation = 5, Miners = miners, Errors = ["m-0043: unreachable"], Applied = false,
            MinerStatus = [new ReportedMinerStatus("m-0042", ReportedMinerState.Applied, 5), new ReportedMinerStatus("m-0043", ReportedMinerState.Failed, 4, "access denied to 'addpool'", At.AddMinutes(1)), new ReportedMinerStatus("m-9999", ReportedMinerState.Rejected, Reason: "miners[2].minerId: 'm-9999' is not a miner of rack r07")],
            Rejected = new ReportedRejection(6, "miners[0].pools[0].url: must start with stratum+tcp://") };
        yield return new AllocationPayload
        {
            Publisher = "controller", Seq = 11, Timestamp = At, Site = "s1", ContractId = "contract-17", HashrateHs = 1e15, MinerIds = ["m-0042", "m-0043"], ValidFrom = At, ValidUntil = At.AddDays(30),
            Status = ContractStatus.Active, TargetHs = 1e15, AllocatedHs = 1e15, DeliveredHs = 0.98e15, Version = 7,
            Shares = [new AllocationShare("m-0042", "r07", 1), new AllocationShare("m-0043", "r08", 0.25)],
        };
        yield return new CapacityPayload
        {
            Publisher = "controller", Seq = 12, Timestamp = At, Site = "s1", TotalHashrateHs = 4e15, AllocatedHashrateHs = 1e15, AvailableHashrateHs = 2.8e15, MinersOnline = 38, MinersTotal = 40,
            UnitSizeHs = 1e13, UnitsTotal = 380, UnitsSold = 100, UnitsFree = 280, ReserveHs = 2e14,
        };
        yield return TelemetryBatchPayload.From(
            [MinerTelemetryPayload.From(Snapshot(), "s1", "r07", "m-0042", "agent-s1-r07", 0, At), MinerTelemetryPayload.From(Snapshot(), "s1", "r07", "m-0043", "agent-s1-r07", 0, At)],
            "s1", "r07", "agent-s1-r07", At).Single() with { Seq = 13 };
    }
}

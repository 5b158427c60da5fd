using System.Text.Json;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;
using Xunit;
using Xunit.Abstractions;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>
/// The largest payloads the farm really produces, built at the worst case the contract allows (longest ids, a
/// 400-miner rack, every miner failing with a long reason, a contract spread over 2,000 miners), measured against
/// <see cref="FarmMqttLimits.MaxPacketSize"/>: even these absurd extremes must stay 25 % below it.
/// </summary>
public sealed class FarmMessageSizeTests(ITestOutputHelper output)
{
    private const int MinersPerRack = 400;
    private static readonly DateTimeOffset At = WireSamples.At;
    private static readonly string Site = new('s', FarmTopics.MaxIdLength);
    private static readonly string Rack = new('r', FarmTopics.MaxIdLength);
    private static readonly string Reason = "failed: add stratum+tcp://" + new string('p', 60) + ".example.com:3333: The miner refused 'addpool': " + new string('x', 120);

    [Fact]
    public void The_largest_real_payloads_fit_the_packet_limit_with_headroom()
    {
        var sizes = new Dictionary<string, int>
        {
            ["telemetry (4 boards, 8 fans, 3 pools)"] = Size(Telemetry()),
            [$"desired ({MinersPerRack} miners x 4 quota shares)"] = Size(Desired()),
            [$"reported ({MinersPerRack} miners, all failed)"] = Size(Reported()),
            ["allocation (2,000 miners)"] = Size(Allocation()),
        };
        foreach ((string what, int bytes) in sizes)
        {
            output.WriteLine($"{what}: {bytes:N0} bytes");
        }

        Assert.All(sizes, s => Assert.True(s.Value < FarmMqttLimits.MaxPacketSize * 3 / 4, $"{s.Key}: {s.Value} bytes leaves less than 25 % headroom below {FarmMqttLimits.MaxPacketSize}"));
        Assert.True(sizes.Values.Max() > FarmMqttLimits.MaxPacketSize / 4, "the limit is far above anything real: lower it");
    }

    private static int Size(FarmMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), FarmJsonContext.Default).Length
        + FarmTopics.Reported(Site, Rack).Length + 8;

    private static string MinerId(int i) => $"miner-{i:0000}-" + new string('m', FarmTopics.MaxIdLength - 11);

    private static IReadOnlyList<MinerPoolAssignment> Assignments() =>
        [.. Enumerable.Range(0, MinersPerRack).Select(i => new MinerPoolAssignment(
            MinerId(i),
            [.. Enumerable.Range(0, 4).Select(p => new PoolTarget($"stratum+tcp://pool-{p}." + new string('p', 60) + ".example.com:3333", new string('w', PoolEndpointRules.MaxWorkerLength), p, 250))],
            new string('c', FarmTopics.MaxIdLength)))];

    private static MinerTelemetryPayload Telemetry()
    {
        MinerSnapshot snapshot = WireSamples.Snapshot() with
        {
            Boards = [.. Enumerable.Range(0, 4).Select(b => new BoardReading { Index = b, Hashrate = Hashrate.FromTerahashes(50.123456), ChipTemperature = Temperature.FromCelsius(71.25), BoardTemperature = Temperature.FromCelsius(55.5), Chips = 126, Status = "Alive", HardwareErrors = 123456 })],
            Fans = [.. Enumerable.Range(0, 8).Select(f => new FanReading(f, 5400, 62.5))],
            Pools = [.. Enumerable.Range(0, 3).Select(p => new PoolReading { Index = p, Url = $"stratum+tcp://pool-{p}." + new string('p', 60) + ".example.com:3333", User = new string('w', 64), Status = "Alive", Active = p == 0, Accepted = 123456789, Rejected = 12345, Stale = 123, DifficultyAccepted = 1e15, DifficultyRejected = 1e12, DifficultyStale = 1e11, Quota = 1 })],
            Warnings = [.. Enumerable.Range(0, 10).Select(w => $"warning {w}: " + new string('w', 100))],
        };
        return MinerTelemetryPayload.From(snapshot, Site, Rack, MinerId(1), "agent-" + Site + "-" + Rack, long.MaxValue, At);
    }

    private static DesiredPoolStatePayload Desired() =>
        new() { Publisher = "controller", Seq = long.MaxValue, Timestamp = At, Site = Site, Rack = Rack, Generation = long.MaxValue, Miners = Assignments() };

    private static ReportedPoolStatePayload Reported() => new()
    {
        Publisher = "agent-" + Site + "-" + Rack, Seq = long.MaxValue, Timestamp = At, Site = Site, Rack = Rack, Generation = long.MaxValue, Miners = Assignments(),
        Errors = [.. Enumerable.Range(0, MinersPerRack).Select(i => MinerId(i) + ": " + Reason)],
        Applied = false,
        MinerStatus = [.. Enumerable.Range(0, MinersPerRack).Select(i => new ReportedMinerStatus(MinerId(i), ReportedMinerState.Failed, long.MaxValue, Reason, At))],
        Rejected = new ReportedRejection(long.MaxValue, Reason),
    };

    private static AllocationPayload Allocation()
    {
        string[] miners = [.. Enumerable.Range(0, 2000).Select(MinerId)];
        return new AllocationPayload
        {
            Publisher = "controller", Seq = long.MaxValue, Timestamp = At, Site = Site, ContractId = new string('c', FarmTopics.MaxIdLength), HashrateHs = 1.2345678901234e17,
            MinerIds = miners, ValidFrom = At, ValidUntil = At.AddDays(365), Status = ContractStatus.Active, TargetHs = 1.2345678901234e17, AllocatedHs = 1.2345678901234e17,
            DeliveredHs = 1.2345678901234e17, Version = long.MaxValue, Shares = [.. miners.Select(m => new AllocationShare(m, Rack, 0.123456789012345))],
        };
    }
}

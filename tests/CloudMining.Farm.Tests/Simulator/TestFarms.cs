using System.Net;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CloudMining.Farm.Tests.Simulator;

/// <summary>Starts simulated farms for tests on a random 127.x.y.z block with kernel-chosen ports, so parallel test runs never collide.</summary>
public static class TestFarms
{
    private static int _block = Random.Shared.Next(0, 200 * 250);

    public static Task<SimulatedFarm> StartAsync(
        string firmware,
        int miners = 1,
        FakeTimeProvider? clock = null,
        Func<int, MinerSpec, MinerSpec>? customize = null,
        string? model = null,
        bool writeAccess = false,
        PoolStrategy strategy = PoolStrategy.Failover,
        bool permissiveRpcWrites = true)
    {
        int block = Interlocked.Increment(ref _block);
        var options = new FarmOptions
        {
            Miners = miners,
            Firmwares = [firmware],
            Models = model is null ? [] : [model],
            BaseAddress = IPAddress.Parse($"127.{20 + (block / 250 % 200)}.{block % 250}.1"),
            Port = 0,
            WriteAccess = writeAccess,
            // Most simulator tests exercise cgminer's write commands on the antminer personality, which real stock
            // firmware refuses (Code 45): they ask for the permissive simulator; realism is tested where it matters.
            PermissiveRpcWrites = permissiveRpcWrites,
            Strategy = strategy,
            Customize = customize,
        };
        return SimulatedFarm.StartAsync(options, clock is null ? FarmClocks.System : FarmClocks.WithMining(clock));
    }
}

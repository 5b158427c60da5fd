using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Pools;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Tests.Agent.Channels;

/// <summary>What the per-firmware pool tests share: the customer's and the house's pools, the wait, the assignment and the log tail shown when a wait fails.</summary>
internal static class ChannelPools
{
    public const string Customer = "stratum+tcp://customer.pool.example:3333";
    public const string House = "stratum+ssl://house.pool.example:443";

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The customer's pool first, the house's as failover (with quotas when given), for contract "c-1".</summary>
    public static MinerPoolAssignment CustomerFirst(string minerId, int? quota = null, int? houseQuota = null) =>
        new(minerId, [new PoolTarget(Customer, "cust." + minerId, 0, quota), new PoolTarget(House, "house." + minerId, 1, houseQuota)], "c-1");

    /// <summary>The rack's last 30 log lines at Information or above, for an assertion's message.</summary>
    public static string Dump(PoolsRack rack) =>
        string.Join(Environment.NewLine, rack.Logs.Records.Where(r => r.Level >= LogLevel.Information).TakeLast(30).Select(r => $"{r.Level} {r.Message}"));
}

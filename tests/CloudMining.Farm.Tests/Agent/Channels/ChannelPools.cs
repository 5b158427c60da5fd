using System.Text;
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

    /// <summary>
    /// Everything the rack left behind where a secret could leak: its log lines with their properties and exceptions,
    /// its events, every MQTT message it sent and every file in its state directory.
    /// </summary>
    public static List<string> EverythingWritten(PoolsRack rack)
    {
        var written = new List<string>();
        written.AddRange(rack.Logs.Records.Select(r => r.Message + " " + string.Join(" ", r.Properties.Values) + " " + r.Exception));
        written.AddRange(rack.AllEvents.Select(e => e.ToString()));
        written.AddRange(rack.Observed!.Messages.Select(m => m.Topic + " " + Encoding.UTF8.GetString(m.Payload.Span)));
        written.AddRange(Directory.EnumerateFiles(rack.Options.StateDirectory, "*", SearchOption.AllDirectories).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        return written;
    }
}

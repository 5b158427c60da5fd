using System.Text;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Pools;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

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
        written.AddRange(StateFiles(rack.Options.StateDirectory));
        return written;
    }

    /// <summary>
    /// The text of every file under <paramref name="directory"/>. A running agent's journal replaces its checkpoint
    /// through a temporary file it holds exclusively and then renames: a file locked or gone at that moment makes the
    /// whole directory be read again, until one pass reads every file (within a few seconds; then it throws).
    /// </summary>
    private static List<string> StateFiles(string directory)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f)))];
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                // Read the directory again: the journal has finished replacing the file by then or soon after.
            }
        }
    }

    /// <summary>
    /// After desired pools were published to a rack whose miner 0 has a wrong login: that miner alone fails, with the
    /// channel, the firmware's refusal and the fix in its reason; nothing on it changed (<paramref name="before"/> is its
    /// mining order before); every other miner mines the customer's pool first; the refused login was tried once over
    /// five more cycles (<paramref name="refusedLogins"/> reads the simulator's count); and once the agent has stopped,
    /// the channel shows in what it wrote and the wrong password nowhere.
    /// </summary>
    public static async Task AssertWrongLoginContainedAsync(
        PoolsRack rack, IReadOnlyList<(string Url, string User, int Quota)> before, string wrong, string channel, string refusal, Func<long> refusedLogins)
    {
        string bad = rack[0].Id;
        int others = rack.Options.Miners.Count - 1;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.MinerStatus?.Any(s => s.MinerId == bad && s.State == ReportedMinerState.Failed) == true, Patience), Dump(rack));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.MinerStatus?.Count(s => s.State == ReportedMinerState.Applied) == others, Patience), Dump(rack));
        string reason = rack.Reconciler.LastReport!.MinerStatus!.Single(s => s.MinerId == bad).Reason!;
        Assert.Contains($"miner {bad}, channel {channel}", reason, StringComparison.Ordinal);
        Assert.Contains(refusal, reason, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", reason, StringComparison.Ordinal);

        Assert.Equal(before, rack.MiningOrder(0));
        for (int i = 1; i <= others; i++)
        {
            Assert.Equal((Customer, "cust." + rack[i].Id), (rack.MiningOrder(i)[0].Url, rack.MiningOrder(i)[0].User));
        }

        // No retry storm: many poll cycles later the refused login was tried once (the backoff is a minute).
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 5, Patience));
        Assert.Equal(1, refusedLogins());

        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.MinerStatus?.Any(s => s.MinerId == bad && s.State == ReportedMinerState.Failed) == true), Patience));
        await rack.StopAgentAsync(); // its files are complete once it has stopped
        List<string> written = EverythingWritten(rack);
        Assert.Contains(written, w => w.Contains(channel, StringComparison.Ordinal));
        Assert.All(written, w => Assert.DoesNotContain(wrong, w, StringComparison.Ordinal));
    }
}

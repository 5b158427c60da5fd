using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Telemetry;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Serials;

/// <summary>
/// The agent (poller, serial service, publisher) against simulated stock Antminer, VNish and Braiins OS miners and a
/// real mosquitto: the serial each firmware gives off its cgminer API reaches farm.v1.miner-state; a wrong login leaves
/// it unknown with one clear warning while polling and telemetry go on.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SerialOnTheWireTests
{
    private const string Password = "Rack-Pw-9d";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] Firmwares = ["antminer", "vnish", "braiins-os"];

    private static string Dump(PublishingRack p) =>
        string.Join(Environment.NewLine, p.Of<MinerStatePayload>().TakeLast(20).Select(s => $"{s.MinerId} {s.State} serial={s.Serial ?? "-"}"))
        + Environment.NewLine + string.Join(Environment.NewLine, p.Logs.Records.Where(r => r.Level >= LogLevel.Information && r.Category.Contains("Serial", StringComparison.Ordinal)).TakeLast(20).Select(r => r.Message));

    private static void Login(AgentOptions options, string password) =>
        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "*", Password = password });

    [Fact]
    public async Task Antminer_VNish_and_Braiins_OS_serials_arrive_in_the_miner_state_message()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 3, o => Login(o, Password), Firmwares, serials: true,
            customize: s => s with { WebPassword = Password, VnishPassword = Password });
        var expected = p.Rack.Farm.Miners.ToDictionary(m => m.Id, m => m.Identity.Serial);
        Assert.Equal(["antminer", "braiins-os", "vnish"], p.Rack.Farm.Miners.Select(m => m.Personality.Name).Order());
        Assert.Equal(3, expected.Values.Distinct().Count());

        Assert.True(
            await Eventually.TrueAsync(() => expected.All(e => p.Of<MinerStatePayload>().Any(s => s.MinerId == e.Key && s.Serial == e.Value)), Patience),
            "each miner's serial on its state message: " + Dump(p));

        // Read once each, not every poll cycle: several cycles later still one read per miner.
        long cycles = p.Polling.LastCycle?.Cycle ?? 0;
        Assert.True(await Eventually.TrueAsync(() => (p.Polling.LastCycle?.Cycle ?? 0) >= cycles + 3, Patience), "three more poll cycles");
        Assert.Equal(3, p.Serials!.Reads);
        Assert.All(expected, e => Assert.Equal(e.Value, p.Serials.Known(e.Key)));
        Assert.DoesNotContain(p.Logs.Records, r => r.Message.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_login_leaves_the_serial_unknown_with_a_warning_naming_the_miner_while_polling_goes_on()
    {
        const string wrong = "Not-The-Pw-3";
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 3, o => Login(o, wrong), Firmwares, serials: true,
            customize: s => s with { WebPassword = Password, VnishPassword = Password });
        string antminer = p.Rack.Farm.Miners.Single(m => m.Personality.Name == "antminer").Id;
        string bos = p.Rack.Farm.Miners.Single(m => m.Personality.Name == "braiins-os").Id;
        var vnish = p.Rack.Farm.Miners.Single(m => m.Personality.Name == "vnish");

        bool Warned(string id) => p.Logs.Records.Any(r => r.Level == LogLevel.Warning && r.Message.Contains($"Miner {id}: its serial could not be read", StringComparison.Ordinal)
            && r.Message.Contains("refused the login", StringComparison.Ordinal) && r.Message.Contains("stays unknown", StringComparison.Ordinal));
        Assert.True(await Eventually.TrueAsync(() => Warned(antminer) && Warned(bos), Patience), "a warning per miner whose login is wrong: " + Dump(p));

        // Polling and telemetry go on; the state messages carry no serial for them. VNish gives /info without a login.
        Assert.True(
            await Eventually.TrueAsync(() => p.Rack.Farm.Miners.All(m => p.Of<MinerTelemetryPayload>().Count(t => t.MinerId == m.Id && t.Hashrate5sHs > 0) >= 3), Patience),
            "telemetry from every miner: " + Dump(p));
        Assert.All(p.Of<MinerStatePayload>().Where(s => s.MinerId == antminer || s.MinerId == bos), s => Assert.Null(s.Serial));
        Assert.Contains(p.Of<MinerStatePayload>(), s => s.MinerId == antminer && s.State == MinerState.Hashing);
        Assert.True(await Eventually.TrueAsync(() => p.Of<MinerStatePayload>().Any(s => s.MinerId == vnish.Id && s.Serial == vnish.Identity.Serial), Patience), Dump(p));

        // One warning each (rate-limited), and no password in any log line.
        Assert.Single(p.Logs.Records, r => r.Level == LogLevel.Warning && r.Message.Contains($"Miner {antminer}: its serial", StringComparison.Ordinal));
        Assert.DoesNotContain(p.Logs.Records, r => r.Message.Contains(wrong, StringComparison.Ordinal) || r.Message.Contains(Password, StringComparison.Ordinal));
    }
}

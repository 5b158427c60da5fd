using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Status;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Status;

public sealed class StatusCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-status-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AgentStatusDocument Document(DateTimeOffset writtenAt)
    {
        var options = new AgentOptions { Site = "lab", RackId = "A-07", PollInterval = TimeSpan.FromSeconds(10) };
        var ok = new MinerPollStatus
        {
            MinerId = "A07-01",
            Endpoint = new MinerEndpoint("127.0.1.1"),
            ConfiguredProfile = "auto",
            State = MinerHealthState.Ok,
            Reason = "hashing 110 TH/s",
            LastSuccessAt = writtenAt,
            Snapshot = new MinerSnapshot
            {
                Identity = new MinerIdentity { Profile = "antminer-stock", Model = "Antminer S19 Pro" },
                Hashrate5s = Hashrate.FromTerahashes(110.4),
                HashrateAverage = Hashrate.FromTerahashes(109.8),
                Boards =
                [
                    new BoardReading { Index = 0, ChipTemperature = new Temperature(71) },
                    new BoardReading { Index = 1, ChipTemperature = new Temperature(78.4) },
                ],
                Fans = [new FanReading(0, 5400), new FanReading(1, 5520)],
                Pools = [new PoolReading { Index = 0, Url = "stratum+tcp://pool.example:3333", User = "acme.a0701", Active = true }],
            },
        };
        var down = ok with
        {
            MinerId = "A07-02",
            Endpoint = new MinerEndpoint("127.0.1.2"),
            ConfiguredProfile = "auto",
            State = MinerHealthState.Unreachable,
            Reason = "Unreachable: connection refused",
            LastError = "Unreachable: connection refused",
            Snapshot = ok.Snapshot! with { Hashrate5s = Hashrate.FromTerahashes(13.5), HashrateAverage = Hashrate.FromTerahashes(13.4) },
        };
        return StatusDocumentFactory.Create(options, [ok, down], new PollCycleResult(42, writtenAt, TimeSpan.FromMilliseconds(310), 2, 1), writtenAt.AddHours(-1), writtenAt);
    }

    private async Task<(int Code, string Out, string Error)> StatusAsync(bool json = false)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 240;
        int code = await StatusCommand.ExecuteAsync(null, _dir, json, console, output, error, new FakeTimeProvider(Now), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Renders_every_miner_with_human_units_pool_and_state()
    {
        await StatusFile.WriteAsync(_dir, Document(Now.AddSeconds(-4)), CancellationToken.None);
        (int code, string output, _) = await StatusAsync();
        Assert.Equal(0, code);
        Assert.Contains("A07-01", output, StringComparison.Ordinal);
        Assert.Contains("127.0.1.1", output, StringComparison.Ordinal);
        Assert.Contains("antminer-stock", output, StringComparison.Ordinal);
        Assert.Contains("Antminer S19 Pro", output, StringComparison.Ordinal);
        Assert.Contains("110.4 TH/s / 109.8 TH/s", output, StringComparison.Ordinal);
        Assert.Contains("78", output, StringComparison.Ordinal);
        Assert.Contains("5400 5520", output, StringComparison.Ordinal);
        Assert.Contains("stratum+tcp://pool.example:3333 (acme.a0701)", output, StringComparison.Ordinal);
        Assert.Contains("Unreachable: connection refused (last ok 4 s ago)", output, StringComparison.Ordinal);
        Assert.Contains("1 of 2 miners answering", output, StringComparison.Ordinal);
        Assert.DoesNotContain("13.5 TH/s", output, StringComparison.Ordinal); // the unreachable miner's last reading is not shown as current
        Assert.DoesNotContain("not running", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_older_than_three_intervals_says_the_agent_is_not_running()
    {
        await StatusFile.WriteAsync(_dir, Document(Now.AddSeconds(-31)), CancellationToken.None);
        (int code, string output, _) = await StatusAsync();
        Assert.Equal(StatusCommand.NotRunningExitCode, code);
        Assert.Contains("The agent is not running", output, StringComparison.Ordinal);
        Assert.Contains("A07-01", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_status_file_says_the_agent_is_not_running_and_where_it_looked()
    {
        (int code, _, string error) = await StatusAsync();
        Assert.Equal(StatusCommand.NotRunningExitCode, code);
        Assert.Contains("the agent is not running", error, StringComparison.Ordinal);
        Assert.Contains(StatusFile.PathIn(_dir), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_round_trips_the_status_file()
    {
        AgentStatusDocument written = Document(Now.AddSeconds(-2));
        await StatusFile.WriteAsync(_dir, written, CancellationToken.None);
        (int code, string output, _) = await StatusAsync(json: true);
        Assert.Equal(0, code);
        AgentStatusDocument? read = System.Text.Json.JsonSerializer.Deserialize(output, StatusJsonContext.Default.AgentStatusDocument);
        Assert.NotNull(read);
        Assert.Equal(110.4e12, read.Miners[0].Hashrate5s!.Value, 1);
        Assert.Equal("Unreachable", read.Miners[1].State);
        Assert.Equal(42, read.Cycle);
    }

    [Fact]
    public async Task Garbage_status_file_is_reported_not_thrown()
    {
        await File.WriteAllTextAsync(StatusFile.PathIn(_dir), "{ not json");
        (int code, _, string error) = await StatusAsync();
        Assert.Equal(StatusCommand.UnreadableExitCode, code);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewriting_leaves_no_temporary_files_behind()
    {
        await StatusFile.WriteAsync(_dir, Document(Now), CancellationToken.None);
        await StatusFile.WriteAsync(_dir, Document(Now.AddSeconds(10)), CancellationToken.None);
        Assert.Equal([StatusFile.FileName], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}

using System.Net;
using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Scan;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using Spectre.Console;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Scan;

public sealed class ScanCommandTests
{
    // 127.250-253.x.0/29: away from the simulator tests (127.20-219), the polling racks (127.230-249) and the demo.
    private static int _block = Random.Shared.Next(0, 4 * 250);

    private static async Task<(SimulatedFarm Farm, string Cidr, int Port)> StartFarmAsync(params string[] firmwares)
    {
        int b = Interlocked.Increment(ref _block);
        string prefix = $"127.{250 + (b / 250 % 4)}.{b % 250}";
        int port = FreeTcpPort.Next();
        SimulatedFarm farm = await SimulatedFarm.StartAsync(new FarmOptions
        {
            Miners = firmwares.Length,
            Firmwares = firmwares,
            BaseAddress = IPAddress.Parse(prefix + ".1"),
            Port = port,
        });
        return (farm, prefix + ".0/29", port);
    }

    private static IAnsiConsole Console(StringWriter output)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 240;
        return console;
    }

    private static ScanCommand.Request Request(string cidr, int port, bool json = false, bool emit = false, bool force = false) =>
        new(cidr, port, TimeSpan.FromSeconds(2), 16, json, force, emit, RepoPaths.FirmwareProfiles);

    [Fact]
    public async Task Scan_finds_the_simulated_miners_on_a_loopback_range_and_names_their_firmware()
    {
        (SimulatedFarm farm, string cidr, int port) = await StartFarmAsync("antminer", "braiins-os", "whatsminer", "avalon");
        await using (farm)
        {
            using var output = new StringWriter();
            int code = await ScanCommand.ExecuteAsync(Request(cidr, port, json: true), Console(new StringWriter()), output, TextWriter.Null, progressConsole: null, CancellationToken.None);

            Assert.Equal(0, code);
            ScanReport report = JsonSerializer.Deserialize(output.ToString(), ScanJsonContext.Default.ScanReport)!;
            Assert.Equal(6, report.Scanned); // .1 to .6 of the /29; four answer
            Assert.Equal(farm.Miners.Select(m => m.Endpoint.Host), report.Miners.Select(h => h.Address));
            Assert.Equal(["antminer", "braiins-os", "whatsminer", "avalon"], report.Miners.Select(h => h.Profile));
            Assert.All(report.Miners, h =>
            {
                Assert.True(h.Error is null, $"{h.Address} {h.Profile}: {h.Error}");
                Assert.Equal(port, h.Port);
                // btminer's summary/edevs/devs/pools carry no model (neither do the captured real replies); the others do.
                Assert.True(h.Profile == "whatsminer" || !string.IsNullOrEmpty(h.Model), $"{h.Address} has a model");
                Assert.False(string.IsNullOrEmpty(h.Version ?? h.Firmware), $"{h.Address} has a firmware version");
                Assert.True(h.Hashrate5sHs > 1e12, $"{h.Address} hashes");
            });
        }
    }

    [Fact]
    public async Task Scan_prints_a_table_a_progress_bar_and_a_miners_snippet_that_binds_as_agent_config()
    {
        (SimulatedFarm farm, string cidr, int port) = await StartFarmAsync("antminer", "luxos");
        await using (farm)
        {
            using var tableOut = new StringWriter();
            using var snippetOut = new StringWriter();
            using var progressOut = new StringWriter();
            IAnsiConsole progress = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(progressOut) });
            int code = await ScanCommand.ExecuteAsync(Request(cidr, port, emit: true), Console(tableOut), snippetOut, TextWriter.Null, progress, CancellationToken.None);

            Assert.Equal(0, code);
            string table = tableOut.ToString();
            Assert.Contains(farm.Miners[0].Endpoint.Host, table, StringComparison.Ordinal);
            Assert.Contains("luxos", table, StringComparison.Ordinal);
            Assert.Contains("2 miner(s)", table, StringComparison.Ordinal);
            Assert.Contains("scanning", progressOut.ToString(), StringComparison.Ordinal);

            // The snippet is valid JSON once wrapped, and the agent's own validator accepts it.
            string json = "{ \"Agent\": { \"RackId\": \"S-01\", " + snippetOut.ToString() + " } }";
            string dir = Directory.CreateTempSubdirectory("farm-scan-").FullName;
            try
            {
                string path = Path.Combine(dir, "agent.json");
                await File.WriteAllTextAsync(path, json);
                var options = CloudMining.Farm.Agent.Configuration.AgentConfiguration.Bind(CloudMining.Farm.Agent.Configuration.AgentConfiguration.Load(path), path);
                Assert.Equal(2, options.Miners.Count);
                Assert.Equal(["antminer", "luxos"], options.Miners.Select(m => m.Profile));
                Assert.All(options.Miners, m => Assert.Equal(port, m.Port));
                Assert.DoesNotContain(CloudMining.Farm.Agent.Configuration.AgentOptionsValidator.Check(options), e => e.Contains("Miners", StringComparison.Ordinal));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("10.0.0.0/8", "add --force")]
    [InlineData("10.0.7.0/33", "prefix length")]
    [InlineData("10.0.7/24", "not an IPv4 block")]
    [InlineData("fd00::/64", "IPv6")]
    public async Task Bad_or_huge_ranges_are_refused_with_what_to_write(string cidr, string expected)
    {
        using var error = new StringWriter();
        int code = await ScanCommand.ExecuteAsync(Request(cidr, 4028), Console(new StringWriter()), TextWriter.Null, error, null, CancellationToken.None);
        Assert.Equal(ScanCommand.UsageExitCode, code);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.7.0/24", "10.0.7.0/24", 254)]
    [InlineData("10.0.7.77/24", "10.0.7.0/24", 254)]
    [InlineData("10.0.7.5", "10.0.7.5/32", 1)]
    [InlineData("10.0.7.4/31", "10.0.7.4/31", 2)]
    [InlineData("10.0.0.0/16", "10.0.0.0/16", 65534)]
    public void Ranges_normalise_to_their_network_and_skip_network_and_broadcast(string text, string normal, long hosts)
    {
        Ipv4Range range = Ipv4Range.Parse(text);
        Assert.Equal(normal, range.ToString());
        Assert.Equal(hosts, range.HostCount);
        Assert.Equal(hosts, range.Hosts().LongCount());
    }

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("500ms", 500)]
    [InlineData("2.5s", 2500)]
    [InlineData("00:00:03", 3000)]
    public void Timeouts_read_like_people_write_them(string text, double milliseconds)
    {
        Assert.True(ScanCommand.TryParseDuration(text, out TimeSpan t));
        Assert.Equal(milliseconds, t.TotalMilliseconds);
    }
}

using CloudMining.Farm.Agent.Watchdog;
using Spectre.Console;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Watchdog;

public sealed class WatchdogStatusLinesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-watchdog-status-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Render()
    {
        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 240;
        WatchdogStatusLines.Render(console, _dir);
        return output.ToString();
    }

    [Fact]
    public void Status_shows_quarantined_miners_with_how_to_release_them_and_miners_that_need_hands()
    {
        var since = new DateTimeOffset(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
        WatchdogStateFile.Write(_dir, new WatchdogDocument
        {
            Quarantined = [new QuarantineEntry("S19-07", since, "not answering (Timeout: hung)", 3)],
            Miners =
            [
                new WatchdogMinerState("S19-07", WatchdogStep.Quarantined, since, "not answering"),
                new WatchdogMinerState("S19-09", WatchdogStep.NeedsHands, since, "not hashing"),
                new WatchdogMinerState("S19-11", WatchdogStep.Watching, since, "not answering"),
            ],
        });

        string output = Render();

        Assert.Contains("QUARANTINED S19-07 since 2026-11-21 03:00:00Z after 3 power-cycle(s): not answering (Timeout: hung). Release with `farm-agent watchdog release S19-07`.", output, StringComparison.Ordinal);
        Assert.Contains("NEEDS HANDS S19-09", output, StringComparison.Ordinal);
        Assert.DoesNotContain("S19-11", output, StringComparison.Ordinal);
    }

    [Fact]
    public void No_watchdog_file_prints_nothing()
    {
        Assert.Equal(string.Empty, Render());
    }
}

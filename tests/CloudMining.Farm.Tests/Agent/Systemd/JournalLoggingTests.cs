using CloudMining.Farm.Shared.Logging;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Logging;
using Serilog.Core;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Systemd;

public sealed class JournalLoggingTests
{
    [Fact]
    public void Under_journald_lines_start_with_the_syslog_priority_and_carry_no_timestamp_or_colour()
    {
        TextWriter original = Console.Out;
        using var captured = new StringWriter();
        string marker = Guid.NewGuid().ToString("N");
        Console.SetOut(captured);
        try
        {
            using (Logger logger = AgentLogging.CreateLogger(new LogOptions { Directory = null }, console: true, journal: true))
            {
                logger.Warning("Miner {MinerId} is now Timeout " + marker, "A07-03");
                logger.Information("Polling resumed " + marker);
            }
        }
        finally
        {
            Console.SetOut(original);
        }

        // Other tests may write to the console meanwhile; look only at this test's lines.
        string[] lines = [.. captured.ToString().Split('\n').Where(l => l.Contains(marker, StringComparison.Ordinal))];
        Assert.Equal(2, lines.Length);
        Assert.Equal($"<4>[WRN] Miner A07-03 is now Timeout {marker}", lines[0].TrimEnd('\r'));
        Assert.Equal($"<6>[INF] Polling resumed {marker}", lines[1].TrimEnd('\r'));
        Assert.All(lines, l => Assert.DoesNotContain('\u001b', l));
    }
}

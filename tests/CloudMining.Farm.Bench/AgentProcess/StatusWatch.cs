using System.Diagnostics;
using System.Text.Json;

namespace CloudMining.Farm.Bench.AgentProcess;

/// <summary>
/// Follows the agent's status.json, rewritten after every poll cycle (docs/agent.md), to find cycle boundaries from
/// outside the process. It checks the file's time every 20 ms and reads it only when it changed.
/// </summary>
internal sealed class StatusWatch(string path)
{
    private DateTime _lastWrite = DateTime.MinValue;
    private CycleMark _last;

    /// <summary>Waits until status.json reports cycle <paramref name="cycle"/> or later; fails when the agent exits or time runs out.</summary>
    public async Task<CycleMark> NextAsync(Process agent, long cycle, TimeSpan patience, string agentLog)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (agent.HasExited)
            {
                throw new InvalidOperationException($"farm-agent exited with code {agent.ExitCode}; the end of {agentLog}:\n{Tail(agentLog)}");
            }

            DateTime written = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
            if (written != _lastWrite && TryRead(out CycleMark mark))
            {
                _lastWrite = written;
                _last = mark;
                if (mark.Cycle >= cycle)
                {
                    return mark;
                }
            }

            if (clock.Elapsed > patience)
            {
                throw new TimeoutException($"farm-agent reported no cycle {cycle} in {path} within {patience} (last: cycle {_last.Cycle}); the end of {agentLog}:\n{Tail(agentLog)}");
            }

            await Task.Delay(20);
        }
    }

    private bool TryRead(out CycleMark mark)
    {
        mark = default;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            mark = new CycleMark(
                root.GetProperty("cycle").GetInt64(),
                root.GetProperty("cycleSeconds").GetDouble(),
                root.GetProperty("minersAnswering").GetInt32(),
                root.GetProperty("minersTotal").GetInt32());
            return true;
        }
        catch (Exception e) when (e is JsonException or IOException or KeyNotFoundException)
        {
            return false; // Being replaced: read it on the next check.
        }
    }

    private static string Tail(string log)
    {
        try
        {
            return string.Join('\n', File.ReadLines(log).TakeLast(20));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}

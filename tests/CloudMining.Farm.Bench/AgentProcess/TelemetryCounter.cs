using System.Diagnostics;
using CloudMining.Farm.Tests.Infrastructure;

namespace CloudMining.Farm.Bench.AgentProcess;

/// <summary>
/// Counts what reaches a subscriber on the rack's topics, through mosquitto_sub (topic per line), so the count does
/// not depend on our MQTT client or the package that replaces it.
/// </summary>
internal sealed class TelemetryCounter : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _reader;
    private readonly bool _batch;
    private long _telemetry;
    private long _all;

    private TelemetryCounter(Process process, bool batch)
    {
        _process = process;
        _batch = batch;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>
    /// Miner readings seen so far: messages on .../miners/{id}/telemetry, or with batches the rows ("miners") of each
    /// .../telemetry-batch message.
    /// </summary>
    public long Telemetry => Interlocked.Read(ref _telemetry);

    /// <summary>Every message on the rack's topics (telemetry, status, state changes, events).</summary>
    public long All => Interlocked.Read(ref _all);

    public static async Task<TelemetryCounter> StartAsync(int port, string topicFilter, string probeTopic, bool batch = false)
    {
        // stdbuf keeps mosquitto_sub's stdout line-buffered into the pipe, so counts are current at each sample.
        var start = new ProcessStartInfo(File.Exists("/usr/bin/stdbuf") ? "/usr/bin/stdbuf" : "mosquitto_sub")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.FileName.EndsWith("stdbuf", StringComparison.Ordinal))
        {
            start.ArgumentList.Add("-oL");
            start.ArgumentList.Add("mosquitto_sub");
        }

        foreach (string arg in new[] { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-i", $"bench-counter-{Environment.ProcessId}", "-t", topicFilter, "-F", batch ? "%t %p" : "%t" })
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_sub (mosquitto-clients) is not installed");
        var counter = new TelemetryCounter(process, batch);

        // Subscribed once a probe published under the filter comes back: publish one until it does (with a deadline).
        var clock = Stopwatch.StartNew();
        while (counter.All == 0)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto_sub exited: {await process.StandardError.ReadToEndAsync()}");
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"mosquitto_sub on {topicFilter} received no probe within 20 s");
            }

            using (Process? probe = Process.Start("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", probeTopic, "-m", "probe"]))
            {
                if (probe is not null)
                {
                    await probe.WaitForExitAsync();
                }
            }

            await Eventually.TrueAsync(() => counter.All > 0, TimeSpan.FromMilliseconds(500));
        }

        Interlocked.Exchange(ref counter._all, 0);
        return counter;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        try
        {
            await _reader;
        }
        catch (IOException)
        {
            // The pipe closed with the process.
        }

        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            Interlocked.Increment(ref _all);
            int space = _batch ? line.IndexOf(' ', StringComparison.Ordinal) : -1;
            string topic = space < 0 ? line : line[..space];
            if (topic.EndsWith("/telemetry", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _telemetry);
            }
            else if (_batch && space > 0 && topic.EndsWith("/telemetry-batch", StringComparison.Ordinal))
            {
                using var doc = System.Text.Json.JsonDocument.Parse(line.AsMemory(space + 1));
                Interlocked.Add(ref _telemetry, doc.RootElement.GetProperty("miners").GetArrayLength());
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Runs farm-mqtt-probe as a real child process whose stdout lines the test can wait for, and SIGKILL it.</summary>
public sealed class MqttProbeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private MqttProbeProcess(Process process)
    {
        _process = process;
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public static MqttProbeProcess Start(params string[] args)
    {
        IntegrationGuard.Starting("farm-mqtt-probe (a process)");
        string dll = Path.Combine(AppContext.BaseDirectory, "farm-mqtt-probe.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start farm-mqtt-probe.");
        var probe = new MqttProbeProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                probe._lines.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                probe._lines.Enqueue("stderr: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return probe;
    }

    public async Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        if (!await Eventually.TrueAsync(() => _lines.Contains(line) || _process.HasExited, timeout) || !_lines.Contains(line))
        {
            throw new TimeoutException($"farm-mqtt-probe did not print '{line}' within {timeout}; output:\n{string.Join('\n', _lines)}");
        }
    }

    /// <summary>SIGKILL, like kill -9: no finally blocks, no DISCONNECT, no flush.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

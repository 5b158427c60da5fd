using System.Device.Gpio;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;

namespace CloudMining.Farm.Simulator.Power;

/// <summary>
/// GpioChip "sim-http://HOST:PORT": relay writes become calls to a farm-sim control API in another process
/// (<see cref="SimulatorHttpRelayDriver"/>), as in the demo. Registered by `farm-sim agent`, never by farm-agent.
/// </summary>
public sealed class SimulatorHttpChipProvider : IRelayChipProvider
{
    /// <summary>The GpioChip prefix this provider claims.</summary>
    public const string Prefix = "sim-http://";

    public bool Claims(string chip) => chip is not null && chip.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    public string? Problem(string chip) => ControlUrl(chip) is null
        ? $"'{chip}' is not a usable address; write the simulator's control address, e.g. \"sim-http://127.0.0.1:8028\"."
        : null;

    public GpioDriver Open(string chip, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Uri url = ControlUrl(chip) ?? throw new AgentConfigurationException($"{AgentOptions.SectionName}:Hardware:GpioChip: {Problem(chip)}");
        return new SimulatorHttpRelayDriver(url, options.Hardware.Relays);
    }

    /// <summary>Asks the control API for its miners (read-only): passes when farm-sim answers.</summary>
    public CheckResult Check(string chip, IReadOnlyCollection<int> lines)
    {
        Uri? url = ControlUrl(chip);
        if (url is null)
        {
            return CheckResult.Fail("relay", chip, Problem(chip)!);
        }

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using HttpResponseMessage response = http.GetAsync(new Uri("miners", UriKind.Relative)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode
                ? CheckResult.Pass("relay", chip, $"farm-sim's control API at {url} answers: relay writes switch its simulated outlets")
                : CheckResult.Fail("relay", chip, $"farm-sim's control API at {url} answered HTTP {(int)response.StatusCode}", "check that farm-sim runs with --control at this address");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return CheckResult.Fail("relay", chip, $"farm-sim's control API at {url} is not reachable ({e.Message})", "start farm-sim with --control at this address, or fix Agent:Hardware:GpioChip");
        }
    }

    private static Uri? ControlUrl(string chip) =>
        chip.Length > Prefix.Length && Uri.TryCreate("http://" + chip[Prefix.Length..], UriKind.Absolute, out Uri? url) ? url : null;
}

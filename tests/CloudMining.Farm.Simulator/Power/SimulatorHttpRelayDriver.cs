using System.Device.Gpio;
using System.Net.Http.Json;
using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Simulator.Control;

namespace CloudMining.Farm.Simulator.Power;

/// <summary>
/// For `farm-sim agent` (GpioChip "sim-http://HOST:PORT", the demo): a relay "chip" whose line writes become calls to farm-sim's control
/// API (POST /miners/{id}/power), because farm-sim runs in its own process and cannot see the agent's in-memory chip.
/// The wire level is translated back to on/off with the same wiring table the relay board would apply.
/// </summary>
public sealed class SimulatorHttpRelayDriver : GpioDriver
{
    private readonly HttpClient _http;
    private readonly Dictionary<int, RelayOptions> _byLine;
    private readonly Dictionary<int, (PinMode Mode, PinValue Value)> _lines = [];
    private readonly Lock _gate = new();

    public SimulatorHttpRelayDriver(Uri controlUrl, IEnumerable<RelayOptions> relays)
    {
        ArgumentNullException.ThrowIfNull(controlUrl);
        ArgumentNullException.ThrowIfNull(relays);
        _http = new HttpClient { BaseAddress = controlUrl, Timeout = TimeSpan.FromSeconds(5) };
        _byLine = relays.ToDictionary(r => r.Line);
    }

    protected override int PinCount => 64;

    protected override void OpenPin(int pinNumber)
    {
        // The "line level" is where the simulated outlet stands now, so opening switches nothing and a miner farm-sim
        // started unpowered (--start-off) is found off and powered up in turn.
        RelayOptions r = Relay(pinNumber);
        bool on = IsMinerPowered(r.Miner);
        lock (_gate)
        {
            _lines[pinNumber] = (PinMode.Input, RelayWiring.LevelFor(on, r.ActiveLow, r.NormallyClosed));
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _lines.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            _lines[pinNumber] = (mode, _lines.TryGetValue(pinNumber, out var l) ? l.Value : PinValue.Low);
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(pinNumber, out var l) ? l.Mode : PinMode.Input;
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output;

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            return _lines.TryGetValue(pinNumber, out var l) ? l.Value : PinValue.Low;
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        RelayOptions r = Relay(pinNumber);
        bool on = RelayWiring.IsPowered(value, r.ActiveLow, r.NormallyClosed);

        // GpioDriver.Write is synchronous like the kernel's ioctl; the demo accepts a blocking loopback call here.
        using HttpResponseMessage response = _http.PostAsJsonAsync(
            new Uri($"miners/{Uri.EscapeDataString(r.Miner)}/power", UriKind.Relative),
            new PowerRequest(on),
            ControlJsonContext.Default.PowerRequest).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new GpioChipException($"farm-sim at {_http.BaseAddress} refused to switch {r.Miner} {(on ? "on" : "off")}: HTTP {(int)response.StatusCode}.", _http.BaseAddress?.ToString());
        }

        lock (_gate)
        {
            _lines[pinNumber] = (PinMode.Output, value);
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("farm-sim's relay lines are outputs: they deliver no pin events.");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("farm-sim's relay lines are outputs: they deliver no pin events.");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("farm-sim's relay lines are outputs: they deliver no pin events.");

    private bool IsMinerPowered(string minerId)
    {
        try
        {
            using HttpResponseMessage response = _http.GetAsync(new Uri($"miners/{Uri.EscapeDataString(minerId)}", UriKind.Relative)).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw new GpioChipException($"farm-sim at {_http.BaseAddress} does not know miner {minerId} (HTTP {(int)response.StatusCode}); check Agent:Hardware:Relays against the simulator's manifest.", _http.BaseAddress?.ToString());
            }

            using JsonDocument doc = JsonDocument.Parse(response.Content.ReadAsStream());
            return !(doc.RootElement.TryGetProperty("power", out JsonElement power) && string.Equals(power.GetString(), "off", StringComparison.OrdinalIgnoreCase));
        }
        catch (HttpRequestException e)
        {
            throw new GpioChipException($"farm-sim's control API at {_http.BaseAddress} is not reachable ({e.Message}); start farm-sim with --control or fix Agent:Hardware:GpioChip.", _http.BaseAddress?.ToString(), innerException: e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }

        base.Dispose(disposing);
    }

    private RelayOptions Relay(int pinNumber) => _byLine.TryGetValue(pinNumber, out RelayOptions? r)
        ? r
        : throw new GpioChipException($"Line {pinNumber} feeds no miner in Agent:Hardware:Relays.", _http.BaseAddress?.ToString());
}

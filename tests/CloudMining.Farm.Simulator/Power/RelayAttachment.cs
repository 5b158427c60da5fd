using System.Device.Gpio;

namespace CloudMining.Farm.Simulator.Power;

/// <summary>Simulated miners wired to a simulated GPIO chip: each miner's power follows the physical level of its relay line until disposed.</summary>
public sealed class RelayAttachment : IDisposable
{
    private readonly GpioDriverSimulator _chip;
    private readonly Dictionary<int, (SimulatedRelay Relay, SimulatedMiner Miner)> _byLine;

    internal RelayAttachment(GpioDriverSimulator chip, Dictionary<int, (SimulatedRelay, SimulatedMiner)> byLine)
    {
        _chip = chip;
        _byLine = byLine;
        _chip.LineChanged += OnLineChanged;

        // The outlets start where the lines stand now (a line nobody drives rests at its pull level).
        foreach ((SimulatedRelay relay, SimulatedMiner miner) in _byLine.Values)
        {
            miner.SetPower(relay.Powers(chip.GetPhysicalLevel(relay.Line) == PinValue.High));
        }
    }

    public void Dispose() => _chip.LineChanged -= OnLineChanged;

    private void OnLineChanged(object? sender, SimulatedLineChangedEventArgs e)
    {
        if (_byLine.TryGetValue(e.PinNumber, out var wired))
        {
            wired.Miner.SetPower(wired.Relay.Powers(e.PhysicalLevel == PinValue.High));
        }
    }
}

using System.Device.Gpio;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Simulator.Power;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Tests.Agent.Power;

/// <summary>A relay controller on a simulated chip and a manual clock, recording every line change with its time.</summary>
public sealed class RelayRig : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, int Line, PinValue Level)> _changes = [];

    public RelayRig(IReadOnlyList<RelayOptions> relays, PowerOptions? power = null, GpioDriverSimulator? chip = null, CountingFakeTimeProvider? clock = null, string? stateDirectory = null)
    {
        Clock = clock ?? new CountingFakeTimeProvider();
        Chip = chip ?? new GpioDriverSimulator(16);
        Events = new RackEventBus(NullLogger<RackEventBus>.Instance);
        Power = power ?? new PowerOptions();
        Chip.LineChanged += (_, e) =>
        {
            lock (_gate)
            {
                _changes.Add((Clock.GetUtcNow(), e.PinNumber, e.PhysicalLevel));
            }
        };
        Controller = new RelayController(Chip, relays, Power, Events, Clock, NullLogger<RelayController>.Instance, stateDirectory);
    }

    public CountingFakeTimeProvider Clock { get; }

    public GpioDriverSimulator Chip { get; }

    public RackEventBus Events { get; }

    public PowerOptions Power { get; }

    public RelayController Controller { get; }

    public IReadOnlyList<(DateTimeOffset At, int Line, PinValue Level)> Changes
    {
        get
        {
            lock (_gate)
            {
                return _changes.ToArray();
            }
        }
    }

    public static RelayOptions Relay(int line, string miner, bool activeLow = false, bool normallyClosed = true) =>
        new() { Outlet = $"PDU-A/{line}", Miner = miner, Line = line, ActiveLow = activeLow, NormallyClosed = normallyClosed };

    public void Dispose() => Controller.Dispose();
}

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>One PDU outlet switched by one GPIO relay line, feeding one miner.</summary>
public sealed class RelayOptions
{
    /// <summary>The outlet's label on the PDU, e.g. "PDU-A/7"; what `farm-agent relay test` takes.</summary>
    public string Outlet { get; set; } = string.Empty;

    /// <summary>The id (Agent:Miners:n:Id) of the miner this outlet feeds.</summary>
    public string Miner { get; set; } = string.Empty;

    /// <summary>GPIO line offset on <see cref="HardwareOptions.GpioChip"/>.</summary>
    public int Line { get; set; } = -1;

    /// <summary>True when driving the line low energizes the relay coil.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>
    /// True when the outlet is powered while the coil is NOT energized (fail-safe: power stays on if the agent dies);
    /// then "power off" energizes the coil.
    /// </summary>
    public bool NormallyClosed { get; set; } = true;
}

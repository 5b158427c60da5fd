namespace CloudMining.Farm.Agent.Configuration;

/// <summary>
/// The rack's hardware map (Agent:Hardware): which relay line feeds which miner's PDU outlet, which PWM channel drives
/// which fan group, which sensor sits at the inlet or the exhaust. Empty lists mean the rack has no such hardware
/// under the agent's control; the agent then only polls.
/// </summary>
public sealed class HardwareOptions
{
    /// <summary>GPIO character device of the relay board (e.g. "/dev/gpiochip0"), or a chip a registered <see cref="Power.IRelayChipProvider"/> claims (farm-sim agent: "sim", "sim-http://HOST:PORT").</summary>
    public string GpioChip { get; set; } = "/dev/gpiochip0";

    /// <summary>Root of sysfs; tests and the demo point it at a fake tree.</summary>
    public string SysfsRoot { get; set; } = "/sys";

    public IList<RelayOptions> Relays { get; } = new List<RelayOptions>();

    public IList<FanGroupOptions> Fans { get; } = new List<FanGroupOptions>();

    public IList<SensorOptions> Sensors { get; } = new List<SensorOptions>();
}

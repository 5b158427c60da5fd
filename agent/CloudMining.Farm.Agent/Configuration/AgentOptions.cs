namespace CloudMining.Farm.Agent.Configuration;

/// <summary>The rack agent's settings, bound from the "Agent" section of agent.json and FARM_AGENT_ environment variables.</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>Where the config file lives when `--config` is not given.</summary>
    public const string DefaultConfigPath = "/etc/farm-agent/agent.json";

    /// <summary>The farm or warehouse this rack belongs to.</summary>
    public string Site { get; set; } = string.Empty;

    public string RackId { get; set; } = string.Empty;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many miners are talked to at the same time.</summary>
    public int MaxConcurrency { get; set; } = 256;

    /// <summary>Time allowed for one attempt at reading one miner.</summary>
    public TimeSpan MinerTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Extra attempts within one cycle after a transient failure (unreachable, timeout, garbled reply).</summary>
    public int RetryCount { get; set; } = 1;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Below this share of the nominal hashrate a hashing miner counts as degraded.</summary>
    public double DegradedBelowPercent { get; set; } = 80;

    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Where status.json and other state live; relative paths are taken from the config file's folder.</summary>
    public string StateDirectory { get; set; } = "/var/lib/farm-agent";

    public LogOptions Log { get; set; } = new();

    /// <summary>MQTT publishing; off while Agent:Mqtt:Host is empty.</summary>
    public AgentMqttOptions Mqtt { get; set; } = new();

    /// <summary>How telemetry goes out (Agent:Telemetry): per miner (default) or one batch per rack per cycle.</summary>
    public AgentTelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Relays, fans and sensors of the rack (Agent:Hardware).</summary>
    public HardwareOptions Hardware { get; set; } = new();

    /// <summary>Relay timing: minimum off time, power-up stagger, concurrent cycles (Agent:Power).</summary>
    public PowerOptions Power { get; set; } = new();

    /// <summary>The watchdog ladder for miners that stop answering or hashing (Agent:Watchdog).</summary>
    public WatchdogOptions Watchdog { get; set; } = new();

    /// <summary>Fan curves and heat protection (Agent:Thermal); used when the hardware map lists fans or sensors.</summary>
    public ThermalOptions Thermal { get; set; } = new();

    /// <summary>Folder of firmware profiles; empty means the profiles shipped beside the program.</summary>
    public string? ProfilesDirectory { get; set; }

    public IList<MinerOptions> Miners { get; } = new List<MinerOptions>();

    /// <summary>Pool passwords by URL and worker (Agent:PoolCredentials); never logged or published.</summary>
    public IList<PoolCredentialOptions> PoolCredentials { get; } = new List<PoolCredentialOptions>();

    /// <summary>Miners' web/admin logins for their write channels (Agent:MinerCredentials); never logged or published.</summary>
    public IList<MinerCredentialOptions> MinerCredentials { get; } = new List<MinerCredentialOptions>();
}

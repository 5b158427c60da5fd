namespace CloudMining.Farm.Controller.Configuration;

/// <summary>The "Controller" configuration section of farm-controller run.</summary>
public sealed class ControllerOptions
{
    public const string SectionName = "Controller";

    /// <summary>Site id this controller runs (farm/v1/{site}/...).</summary>
    public string Site { get; set; } = "";

    /// <summary>SQLite file of the controller store.</summary>
    public string Database { get; set; } = "farm-controller.db";

    public ControllerMqttOptions Mqtt { get; set; } = new();

    /// <summary>The local operator API farmctl talks to (Controller:Api).</summary>
    public Api.LocalApiOptions Api { get; set; } = new();

    /// <summary>Seconds between rack/contract history points.</summary>
    public double RackHistoryIntervalS { get; set; } = 10;

    /// <summary>The "Controller:Engine" section: capacity, control loop, enforcement, proof and ledger.</summary>
    public Engine.EngineOptions Engine { get; set; } = new();

    /// <summary>The "Controller:PoolSide" section: reading contracts' pool accounts from the pool's side (docs/pool-apis.md).</summary>
    public PoolSide.PoolSideOptions PoolSide { get; set; } = new();

    /// <summary>The "Controller:Settlement" section: the settlement period and default terms.</summary>
    public Settlement.SettlementOptions Settlement { get; set; } = new();
}

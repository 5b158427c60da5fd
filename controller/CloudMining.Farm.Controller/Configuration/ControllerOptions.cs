namespace CloudMining.Farm.Controller.Configuration;

/// <summary>
/// The top of the "Controller" section: the site and the broker (Controller:Mqtt). Each feature has options of its own,
/// bound from its own keys and checked by its own validator: the store (<see cref="Store.StoreOptions"/>,
/// Controller:Database), history (<see cref="History.HistoryOptions"/>, Controller:RackHistoryInterval, plus the Influx
/// sections), the local API (<see cref="Api.LocalApiOptions"/>, Controller:Api), the engine
/// (<see cref="Engine.EngineOptions"/>, Controller:Engine) and the reading envelope
/// (<see cref="Fleet.ReadingEnvelopeOptions"/>, Controller:Engine:Readings).
/// </summary>
public sealed class ControllerOptions
{
    public const string SectionName = "Controller";

    /// <summary>Site id this controller runs (farm/v1/{site}/...).</summary>
    public string Site { get; set; } = "";

    public ControllerMqttOptions Mqtt { get; set; } = new();

    /// <summary>The "Controller:Engine" section, the same instance the container serves as <c>IOptions&lt;EngineOptions&gt;</c>; the engine service reads its tick from here.</summary>
    public Engine.EngineOptions Engine { get; set; } = new();

    /// <summary>
    /// Seconds between rack/contract history points as the ingest service reads them: set by
    /// <see cref="Hosting.ControllerHost.Bind"/> from <see cref="History.HistoryOptions.RackInterval"/> (not bound from
    /// configuration itself). Goes once the ingest service takes <c>IOptions&lt;HistoryOptions&gt;</c>.
    /// </summary>
    public double RackHistoryIntervalS { get; internal set; } = History.HistoryOptions.DefaultRackInterval.TotalSeconds;
    /// <summary>The "Controller:PoolSide" section: reading contracts' pool accounts from the pool's side (docs/pool-apis.md).</summary>
    public PoolSide.PoolSideOptions PoolSide { get; set; } = new();

    /// <summary>The "Controller:Settlement" section: the settlement period and default terms.</summary>
    public Settlement.SettlementOptions Settlement { get; set; } = new();
}

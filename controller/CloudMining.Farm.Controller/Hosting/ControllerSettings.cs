using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Platform;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.Configuration;

namespace CloudMining.Farm.Controller.Hosting;

/// <summary>The bound and validated configuration of farm-controller run: one options object per feature.</summary>
public sealed record ControllerSettings(ControllerOptions Controller, InfluxDBClientOptions Influx, WriteOptions InfluxWrite)
{
    /// <summary>The configuration the settings came from; its <c>Serilog</c> section (checked by Bind) shapes logging.</summary>
    public IConfiguration? Configuration { get; init; }

    /// <summary>The store (Controller:Database).</summary>
    public StoreOptions Store { get; init; } = new();

    /// <summary>The controller's history keys (Controller:RackHistoryInterval); where points go is <see cref="Influx"/>.</summary>
    public HistoryOptions History { get; init; } = new();

    /// <summary>The local operator API (Controller:Api).</summary>
    public LocalApiOptions Api { get; init; } = new();

    /// <summary>Publishing for the contract platform (Controller:Engine:PlatformPublishInterval).</summary>
    public PlatformPublishingOptions Platform { get; init; } = new();

    /// <summary>Controller:Curtailment:* (strike, hysteresis, minimum times, tariff, restore waves).</summary>
    public CurtailmentOptions Curtailment { get; init; } = new();

    /// <summary>The engine (Controller:Engine), the instance <see cref="ControllerOptions.Engine"/> holds.</summary>
    public EngineOptions Engine => Controller.Engine;
}

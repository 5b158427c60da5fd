using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.Configuration;

namespace CloudMining.Farm.Controller.Hosting;

/// <summary>The bound and validated configuration of farm-controller run.</summary>
public sealed record ControllerSettings(ControllerOptions Controller, InfluxDBClientOptions Influx, WriteOptions InfluxWrite)
{
    /// <summary>The configuration the settings came from; its <c>Serilog</c> section (checked by Bind) shapes logging.</summary>
    public IConfiguration? Configuration { get; init; }
}

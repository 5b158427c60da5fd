using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;

namespace CloudMining.Farm.Controller.Hosting;

/// <summary>The bound and validated configuration of farm-controller run.</summary>
public sealed record ControllerSettings(ControllerOptions Controller, InfluxDBClientOptions Influx, WriteOptions InfluxWrite);

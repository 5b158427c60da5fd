using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.DependencyInjection;

namespace CloudMining.Farm.Controller.History;

/// <summary>Registers the history feature: its options (Controller:RackHistoryInterval, Influx, Influx:Write), each validated at start, and the <see cref="HistoryWriter"/>.</summary>
public static class HistoryServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="HistoryOptions"/>, <see cref="InfluxDBClientOptions"/> and <see cref="WriteOptions"/> as bound and
    /// checked by <see cref="ControllerHost.Bind"/>, and a <see cref="HistoryWriter"/> built by the container from them
    /// (a no-op writer while Influx:Enabled is false). Expects logging and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddControllerHistory(this IServiceCollection services, ControllerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddBoundOptions<HistoryOptions, HistoryOptionsValidator>(settings.History);
        services.AddBoundOptions<InfluxDBClientOptions, InfluxOptionsValidator>(settings.Influx);
        services.AddBoundOptions<WriteOptions, InfluxWriteOptionsValidator>(settings.InfluxWrite);
        services.AddSingleton<HistoryWriter>();
        return services;
    }
}

using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Curtailment;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>Registers pool reconciliation in the agent host: the desired state store (also as <see cref="IDesiredPoolStateView"/>), its intake and the reported-state publisher on the <see cref="AgentMqttLink"/>, pool passwords, the write channels, the curtailment applier and the reconciler service.</summary>
public static class PoolReconciliation
{
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // TryAdd: the watchdog registers the same catalog and action runner; whichever comes first is shared.
        services.TryAddSingleton(sp => LoadCatalog(sp.GetRequiredService<IOptions<AgentOptions>>().Value));
        services.AddSingleton(sp => new PoolCredentials(sp.GetRequiredService<IOptions<AgentOptions>>().Value.PoolCredentials));
        services.TryAddSingleton(sp =>
        {
            AgentOptions o = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            return new ActionRunner(new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = o.MinerTimeout, ReadTimeout = o.MinerTimeout }));
        });
        services.TryAddSingleton(sp => MinerChannels.Create(sp.GetRequiredService<IOptions<AgentOptions>>().Value));
        services.AddSingleton(sp => new DesiredPoolStateStore(
            sp.GetRequiredService<IOptions<AgentOptions>>(),
            sp.GetRequiredService<FirmwareProfileCatalog>(),
            sp.GetRequiredService<MinerHealthTracker>(),
            sp.GetRequiredService<RackEventBus>(),
            sp.GetRequiredService<ILogger<DesiredPoolStateStore>>()));
        services.AddSingleton<IDesiredPoolStateView>(sp => sp.GetRequiredService<DesiredPoolStateStore>());

        // The link's users for pools: desired state in (read by the shared subscriber code), reported state out.
        services.AddSingleton(sp => new DesiredStateIntake(sp.GetRequiredService<AgentMqttLink>(), sp.GetRequiredService<DesiredPoolStateStore>()));
        services.AddHostedService(sp => sp.GetRequiredService<DesiredStateIntake>());
        services.AddSingleton(sp => new ReportedStatePublisher(sp.GetRequiredService<AgentMqttLink>(), sp.GetRequiredService<IOptions<AgentOptions>>()));
        services.AddSingleton(sp => new CurtailmentApplier(
            sp.GetRequiredService<DesiredPoolStateStore>().ProfileOf,
            sp.GetRequiredService<IMinerReader>(),
            sp.GetRequiredService<MinerChannels>(),
            sp.GetRequiredService<RackEventBus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CurtailmentApplier>>()));
        services.AddSingleton(sp => new PoolReconciler(
            sp.GetRequiredService<DesiredPoolStateStore>(),
            sp.GetRequiredService<PollingService>(),
            sp.GetRequiredService<IMinerReader>(),
            sp.GetRequiredService<MinerChannels>(),
            sp.GetRequiredService<PoolCredentials>(),
            sp.GetRequiredService<RackEventBus>(),
            sp.GetRequiredService<ReportedStatePublisher>(),
            sp.GetRequiredService<CurtailmentApplier>(),
            sp.GetRequiredService<IOptions<AgentOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PoolReconciler>>()));
        services.AddHostedService(sp => sp.GetRequiredService<PoolReconciler>());
        return services;
    }

    private static FirmwareProfileCatalog LoadCatalog(AgentOptions options)
    {
        try
        {
            return FirmwareProfileCatalog.Load(FirmwareProfileLocator.Resolve(options.ProfilesDirectory));
        }
        catch (FirmwareProfileException e)
        {
            throw new AgentConfigurationException($"{AgentOptions.SectionName}:ProfilesDirectory: firmware profiles unusable: {e.Message}", e);
        }
    }
}

using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Platform;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>Registers the engine's options, and the engine and its parts, each a singleton built by the container.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The engine's options as bound and checked by <see cref="Hosting.ControllerHost.Bind"/>, each validated again when
    /// the host starts: <see cref="EngineOptions"/> (Controller:Engine) and <see cref="ReadingEnvelopeOptions"/>
    /// (Controller:Engine:Readings, the instance the engine options hold); and the <see cref="ControllerSite"/>.
    /// </summary>
    public static IServiceCollection AddControllerEngineOptions(this IServiceCollection services, ControllerOptions controller)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(controller);
        services.AddBoundOptions<EngineOptions, EngineOptionsValidator>(controller.Engine);
        services.AddBoundOptions<ReadingEnvelopeOptions, ReadingEnvelopeOptionsValidator>(controller.Engine.Readings);
        services.AddSingleton(new ControllerSite(controller.Site));
        return services;
    }

    /// <summary>
    /// The engine's parts and <see cref="ControllerEngine"/> (also as <see cref="IControllerOperations"/>). Expects
    /// <see cref="IOptions{EngineOptions}"/>, <see cref="ControllerSite"/>, <see cref="FleetState"/>,
    /// <see cref="IControllerStore"/>, <see cref="TimeProvider"/> and logging; reads
    /// <see cref="IOptions{PlatformPublishingOptions}"/> (its defaults when not registered); settles contracts when the store
    /// also keeps settlements (<see cref="ISettlementStore"/>) under a registered <see cref="SettlementOptions"/> (else the
    /// defaults); uses an <see cref="IFarmPublisher"/> and the
    /// ingest client's <see cref="BrokerOutageGate"/> when registered (without a publisher nothing is published; without
    /// a gate the engine counts as connected from its first tick).
    /// </summary>
    public static IServiceCollection AddControllerEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Options a host did not register (e.g. PlatformPublishingOptions in a test) resolve to their defaults.
        services.AddOptions();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EngineOptions>>().Value.CapacityOptions());
        services.AddSingleton<CapacityCalculator>();
        services.AddSingleton<FleetJudge>();
        services.AddSingleton<ContractBook>();
        services.AddSingleton<CurrentAllocation>();
        services.AddSingleton<DeliveryProof>();
        services.AddSingleton<ContractLedger>();
        services.AddSingleton(sp =>
        {
            IControllerStore store = sp.GetRequiredService<IControllerStore>();
            return new ContractSettler(
                store,
                store as ISettlementStore,
                store as IPoolSideStore,
                sp.GetService<SettlementOptions>() ?? new SettlementOptions(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ContractSettler>>());
        });
        services.AddSingleton(sp => new ContractProofReader(sp.GetRequiredService<IControllerStore>()));
        services.AddSingleton<DesiredStatePublisher>();
        services.AddSingleton<PlatformPublisher>();
        services.AddSingleton<OperatorReadModel>();
        services.AddSingleton(sp => new CurtailmentDesk(
            sp.GetRequiredService<ControllerSite>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CurtailmentDesk>>(),
            sp.GetService<IOptions<CurtailmentOptions>>()));
        services.AddSingleton<ControllerEngine>();
        services.AddSingleton<IControllerOperations>(sp => sp.GetRequiredService<ControllerEngine>());
        services.AddSingleton<ICurtailmentOperations>(sp => sp.GetRequiredService<ControllerEngine>());
        services.AddSingleton<IProofOperations>(sp => sp.GetRequiredService<ControllerEngine>());
        return services;
    }
}

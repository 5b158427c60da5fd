using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Enforcement;
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

/// <summary>Registers the engine and its parts, each a singleton built by the container.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The engine's parts and <see cref="ControllerEngine"/> (also as <see cref="IControllerOperations"/>). Expects
    /// <see cref="IOptions{EngineOptions}"/>, <see cref="ControllerSite"/>, <see cref="FleetState"/>,
    /// <see cref="IControllerStore"/>, <see cref="TimeProvider"/> and logging; settles contracts when the store also keeps
    /// settlements (<see cref="ISettlementStore"/>) under a registered <see cref="SettlementOptions"/> (else the defaults); uses an <see cref="IFarmPublisher"/> and the
    /// ingest client's <see cref="BrokerOutageGate"/> when registered (without a publisher nothing is published; without
    /// a gate the engine counts as connected from its first tick).
    /// </summary>
    public static IServiceCollection AddControllerEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new CapacityCalculator(sp.GetRequiredService<IOptions<EngineOptions>>().Value.CapacityOptions()));
        services.AddSingleton(sp => new FleetJudge(
            sp.GetRequiredService<ControllerSite>(),
            sp.GetRequiredService<FleetState>(),
            sp.GetRequiredService<IControllerStore>(),
            sp.GetRequiredService<IOptions<EngineOptions>>(),
            sp.GetRequiredService<ILogger<FleetJudge>>(),
            sp.GetService<BrokerOutageGate>()));
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
        services.AddSingleton(sp => new DesiredStatePublisher(
            sp.GetRequiredService<ControllerSite>(),
            sp.GetRequiredService<IOptions<EngineOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DesiredStatePublisher>>(),
            sp.GetService<IFarmPublisher>()));
        services.AddSingleton(sp => new PlatformPublisher(
            sp.GetRequiredService<ControllerSite>(),
            sp.GetRequiredService<CapacityCalculator>(),
            sp.GetRequiredService<IOptions<EngineOptions>>(),
            sp.GetService<IFarmPublisher>()));
        services.AddSingleton<OperatorReadModel>();
        services.AddSingleton<ControllerEngine>();
        services.AddSingleton<IControllerOperations>(sp => sp.GetRequiredService<ControllerEngine>());
        return services;
    }
}

using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>The engine inside farm-controller run: configured from Controller:Engine, resolvable as IControllerOperations.</summary>
[Trait("Category", "Integration")]
public sealed class EngineHostingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ctl-engine-host-").FullName;

    [Fact]
    public async Task Host_registers_the_engine_as_the_single_controller_operations_and_runs_its_loop()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?>
        {
            ["Controller:Site"] = "s1",
            ["Controller:Database"] = Path.Combine(_dir, "c.db"),
            ["Controller:Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Controller:Engine:UnitSizeTh"] = "20",
            ["Controller:Engine:HousePoolUrl"] = "stratum+tcp://house.example:3333",
            ["Controller:Engine:HouseWorker"] = "op.house",
        }));
        Assert.Equal(20, settings.Controller.Engine.UnitSizeTh);
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(settings.Store.Database, CancellationToken.None);
        using IHost host = ControllerHost.Build(settings, store);
        await host.StartAsync();
        try
        {
            IControllerOperations operations = host.Services.GetRequiredService<IControllerOperations>();
            Assert.Same(host.Services.GetRequiredService<ControllerEngine>(), operations);
            Assert.Same(operations, host.Services.GetRequiredService<IControllerOperations>());
            await host.Services.GetRequiredService<EngineService>().Subscribed;
            CapacityView capacity = await operations.GetCapacityAsync(CancellationToken.None);
            Assert.Equal((20e12, 0L), (capacity.UnitSizeHs, capacity.UnitsTotal));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("Controller:Engine:ProofTolerancePercent", "0")]
    [InlineData("Controller:Engine:UnitSizeTh", "-1")]
    [InlineData("Controller:Engine:HousePoolUrl", "stratum+tcp://house.example:3333")]
    [InlineData("Controller:Engine:ReconnectCalmS", "30")]
    [InlineData("Controller:Engine:AgentOfflineGraceMin", "-1")]
    [InlineData("Controller:Engine:ProbationReadings", "0")]
    [InlineData("Controller:Engine:ProbationMin", "NaN")]
    [InlineData("Controller:Engine:OwnerSilentMin", "0.5")]
    public void Bad_engine_setting_is_refused_naming_the_key(string key, string value)
    {
        var error = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?> { ["Controller:Site"] = "s1", [key] = value })));
        Assert.StartsWith("Controller:Engine:", error.Setting, StringComparison.Ordinal);
        Assert.Equal(key == "Controller:Engine:HousePoolUrl" ? "Controller:Engine:HouseWorker" : key, error.Setting);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

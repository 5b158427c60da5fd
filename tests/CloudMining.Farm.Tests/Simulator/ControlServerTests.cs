using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Control;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class ControlServerTests
{
    private static async Task<(SimulatedFarm Farm, ControlServer Control, HttpClient Http)> StartAsync()
    {
        SimulatedFarm farm = await TestFarms.StartAsync("antminer", miners: 2);
        ControlServer control = await ControlServer.StartAsync(farm, new IPEndPoint(IPAddress.Loopback, FreeTcpPort.Next()));
        return (farm, control, new HttpClient { BaseAddress = control.Url });
    }

    [Fact]
    public async Task Lists_every_miner_with_address_firmware_and_identity()
    {
        (SimulatedFarm farm, ControlServer control, HttpClient http) = await StartAsync();
        await using (farm)
        await using (control)
        using (http)
        {
            List<MinerInfo>? miners = await http.GetFromJsonAsync("/miners", ControlJsonContext.Default.ListMinerInfo);

            Assert.NotNull(miners);
            Assert.Equal(["sim-0001", "sim-0002"], miners.Select(m => m.Id));
            Assert.Equal(farm.Miners[1].ListenEndPoint.Port, miners[1].Port);
            Assert.Equal("antminer", miners[0].Firmware);
            Assert.Equal(farm.Miners[0].Identity.Mac, miners[0].Mac);
        }
    }

    [Fact]
    public async Task Fault_and_power_requests_reach_the_miner()
    {
        (SimulatedFarm farm, ControlServer control, HttpClient http) = await StartAsync();
        await using (farm)
        await using (control)
        using (http)
        {
            HttpResponseMessage fault = await http.PostAsJsonAsync("/miners/sim-0001/fault", new FaultRequest("refuse"), ControlJsonContext.Default.FaultRequest);
            Assert.Equal(HttpStatusCode.OK, fault.StatusCode);
            Assert.True(await MinerWire.IsRefusedAsync(farm.Miners[0].ListenEndPoint));

            HttpResponseMessage cleared = await http.DeleteAsync("/miners/sim-0001/fault");
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
            Assert.False(await MinerWire.IsRefusedAsync(farm.Miners[0].ListenEndPoint));

            HttpResponseMessage warm = await http.PostAsJsonAsync("/miners/sim-0001/ambient", new AmbientRequest(35), ControlJsonContext.Default.AmbientRequest);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            Assert.Equal(35, farm.Miners[0].AmbientCelsius);

            HttpResponseMessage off = await http.PostAsJsonAsync("/miners/sim-0002/power", new PowerRequest(false), ControlJsonContext.Default.PowerRequest);
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
            Assert.Equal(MinerPowerState.Off, farm.Miners[1].PowerState);
        }
    }

    [Fact]
    public async Task Bad_requests_say_what_is_wrong()
    {
        (SimulatedFarm farm, ControlServer control, HttpClient http) = await StartAsync();
        await using (farm)
        await using (control)
        using (http)
        {
            HttpResponseMessage unknownKind = await http.PostAsJsonAsync("/miners/sim-0001/fault", new FaultRequest("melt"), ControlJsonContext.Default.FaultRequest);
            Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);
            Assert.Contains("hashrate-drop", await unknownKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            HttpResponseMessage noDelay = await http.PostAsJsonAsync("/miners/sim-0001/fault", new FaultRequest("slow"), ControlJsonContext.Default.FaultRequest);
            Assert.Equal(HttpStatusCode.BadRequest, noDelay.StatusCode);

            HttpResponseMessage badBoard = await http.PostAsJsonAsync("/miners/sim-0001/fault", new FaultRequest("board-lost", Board: 9), ControlJsonContext.Default.FaultRequest);
            Assert.Equal(HttpStatusCode.BadRequest, badBoard.StatusCode);

            HttpResponseMessage missing = await http.PostAsJsonAsync("/miners/sim-9999/power", new PowerRequest(true), ControlJsonContext.Default.PowerRequest);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
    }

    [Fact]
    public async Task Pools_endpoint_shows_the_pool_side_and_takes_pools_down()
    {
        (SimulatedFarm farm, ControlServer control, HttpClient http) = await StartAsync();
        await using (farm)
        await using (control)
        using (http)
        {
            HttpResponseMessage down = await http.PostAsJsonAsync("/pools/alive",
                new PoolAliveRequest("stratum+tcp://pool.operator.example:3333", false), ControlJsonContext.Default.PoolAliveRequest);
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);

            using JsonDocument pools = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "pools"));
            Assert.Equal("Dead", pools.RootElement.GetProperty("POOLS")[0].GetProperty("Status").GetString());

            List<PoolAccountView>? side = await http.GetFromJsonAsync("/pools", ControlJsonContext.Default.ListPoolAccountView);
            Assert.NotNull(side);
            Assert.Contains(side, p => p.Url == "stratum+tcp://pool.operator.example:3333" && !p.Alive);
        }
    }
}

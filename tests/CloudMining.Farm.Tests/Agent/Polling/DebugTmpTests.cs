using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Simulator.Faults;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Polling;

public sealed class DebugTmpTests
{
    [Fact]
    public async Task Dbg()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(2, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300));
        var reader = MinerReaderFactory.Create(rack.Options);
        var r0 = await reader.ReadAsync(rack[0].Endpoint, "auto", CancellationToken.None);
        Assert.True(r0.IsSuccess);
        rack[0].InjectFault(MinerFault.Garbage());
        for (int i = 0; i < 20; i++)
        {
            try
            {
                var r = await reader.ReadAsync(rack[0].Endpoint, "auto", CancellationToken.None);
            }
            catch (Exception e)
            {
                File.WriteAllText("/tmp/dbg/ex.txt", e.ToString());
                throw;
            }
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using CloudMining.Farm.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class ScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ten_thousand_miners_start_in_one_process_and_answer()
    {
        var clock = Stopwatch.StartNew();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", miners: 10_000);
        TimeSpan started = clock.Elapsed;

        Assert.Equal(10_000, farm.Miners.Select(m => m.ListenEndPoint).Distinct().Count());
        clock.Restart();
        int[] sample = Enumerable.Range(0, 200).Select(i => i * 50).ToArray();
        await Parallel.ForEachAsync(sample, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            using JsonDocument doc = FixtureShapes.Parse(await MinerWire.JsonAsync(farm.Miners[i].ListenEndPoint, "summary"));
            Assert.Equal(11, doc.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
        });
        output.WriteLine($"10,000 miners started in {started.TotalMilliseconds:F0} ms; 200 summaries in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }
}

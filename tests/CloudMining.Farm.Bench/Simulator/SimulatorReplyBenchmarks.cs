using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using CloudMining.Farm.Simulator;

namespace CloudMining.Farm.Bench.Simulator;

/// <summary>How much a simulated miner costs per request: reply rendering alone, and a full loopback round trip.</summary>
[MemoryDiagnoser]
public class SimulatorReplyBenchmarks
{
    private static readonly byte[] Summary = Encoding.ASCII.GetBytes("{\"command\":\"summary\"}");
    private static readonly byte[] Stats = Encoding.ASCII.GetBytes("{\"command\":\"stats\"}");
    private static readonly byte[] Joined = Encoding.ASCII.GetBytes("{\"command\":\"summary+pools+stats\"}");

    private SimulatedFarm _farm = null!;
    private SimulatedMiner _antminer = null!;
    private SimulatedMiner _bos = null!;
    private SimulatedMiner _avalon = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _farm = await SimulatedFarm.StartAsync(new FarmOptions
        {
            Miners = 3,
            Firmwares = ["antminer", "braiins-os", "avalon"],
            BaseAddress = IPAddress.Parse("127.31.7.1"),
            Port = 0,
        });
        _antminer = _farm.Miners[0];
        _bos = _farm.Miners[1];
        _avalon = _farm.Miners[2];
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _farm.DisposeAsync();

    [Benchmark]
    public int AntminerSummary() => _antminer.Respond(Summary).Length;

    [Benchmark]
    public int AntminerStats() => _antminer.Respond(Stats).Length;

    [Benchmark]
    public int AntminerSummaryPoolsStats() => _antminer.Respond(Joined).Length;

    [Benchmark]
    public int BraiinsOsSummary() => _bos.Respond(Summary).Length;

    [Benchmark]
    public int AvalonStats() => _avalon.Respond(Stats).Length;

    [Benchmark]
    public async Task<int> LoopbackRoundTripSummary()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_antminer.ListenEndPoint);
        await socket.SendAsync(Summary, SocketFlags.None);
        byte[] buffer = new byte[16384];
        int total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None)) > 0)
        {
            total += read;
        }

        return total;
    }
}

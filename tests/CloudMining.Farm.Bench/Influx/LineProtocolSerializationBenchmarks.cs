using BenchmarkDotNet.Attributes;
using CloudMining.Farm.Influx.LineProtocol;

namespace CloudMining.Farm.Bench.Influx;

/// <summary>
/// Line-protocol serialisation alone, 10,000 miner-telemetry points per operation into one pooled buffer.
/// Points/s = 10,000 / Mean. Target: at least 1,000,000 points/s on one core with no per-point allocation.
/// </summary>
[MemoryDiagnoser]
public class LineProtocolSerializationBenchmarks : IDisposable
{
    public const int PointsPerOperation = 10_000;
    private const long BaseTime = 1_763_700_000_000_000_000L;
    private readonly LineProtocolWriter _writer = new(2 * 1024 * 1024);
    private readonly string[] _miners = Enumerable.Range(0, 100).Select(i => $"s19-{i:D3}").ToArray();
    private PointData[] _points = [];

    [GlobalSetup]
    public void Setup()
    {
        _points = Enumerable.Range(0, PointsPerOperation).Select(i => PointData.Measurement("miner")
            .Tag("rack", "R07").Tag("miner", _miners[i % _miners.Length])
            .Field("hashrate_ths", 104.25 + (i % 17)).Field("chip_temp_c", 71.5 + (i % 9))
            .Field("fan_rpm", 5400L + i % 300).Field("alive", true)
            .Timestamp(BaseTime + i, WritePrecision.Ns)).ToArray();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _writer.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The low-level writer, as the controller's hot path would use it.</summary>
    [Benchmark(OperationsPerInvoke = PointsPerOperation)]
    public int LowLevelWriter()
    {
        _writer.Reset();
        for (int i = 0; i < PointsPerOperation; i++)
        {
            _writer.Measurement("miner")
                .Tag("rack", "R07").Tag("miner", _miners[i % _miners.Length])
                .Field("hashrate_ths", 104.25 + (i % 17)).Field("chip_temp_c", 71.5 + (i % 9))
                .Field("fan_rpm", 5400L + i % 300).Field("alive", true)
                .EndPoint(BaseTime + i);
        }

        return _writer.Length;
    }

    /// <summary>Already-built <see cref="PointData"/> serialised (the builder's own allocations are not counted here).</summary>
    [Benchmark(OperationsPerInvoke = PointsPerOperation)]
    public int PointDataToBuffer()
    {
        _writer.Reset();
        foreach (PointData point in _points)
        {
            _writer.WritePoint(point, WritePrecision.Ns);
        }

        return _writer.Length;
    }
}

using BenchmarkDotNet.Attributes;
using CloudMining.Farm.Influx.Write;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Legacy = CloudMining.Farm.Bench.Influx.Legacy;

namespace CloudMining.Farm.Bench.Influx;

/// <summary>
/// Line-protocol serialisation, 10,000 miner-telemetry points per operation: the project's old formatter
/// (<see cref="Legacy.LineProtocolWriter"/>, kept only here) against InfluxDB.Client's <see cref="PointData"/> as the
/// product now uses it (<see cref="LineBatch"/>: <c>ToLineProtocol</c>, then UTF-8 into the batch buffer).
/// Mean is per point (OperationsPerInvoke). "Build" variants also build each point, as HistoryPoints does per message.
/// </summary>
[MemoryDiagnoser]
public class LineProtocolSerializationBenchmarks : IDisposable
{
    public const int PointsPerOperation = 10_000;
    private const long BaseTime = 1_763_700_000_000_000_000L;
    private readonly Legacy.LineProtocolWriter _legacyWriter = new(2 * 1024 * 1024);
    private readonly LineBatch _batch = new(2 * 1024 * 1024);
    private readonly string[] _miners = Enumerable.Range(0, 100).Select(i => $"s19-{i:D3}").ToArray();
    private Legacy.PointData[] _legacyPoints = [];
    private PointData[] _points = [];

    [GlobalSetup]
    public void Setup()
    {
        _legacyPoints = Enumerable.Range(0, PointsPerOperation).Select(LegacyPoint).ToArray();
        _points = Enumerable.Range(0, PointsPerOperation).Select(PackagePoint).ToArray();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _legacyWriter.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Old: already-built points serialised into the pooled buffer.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = PointsPerOperation)]
    public int OldFormatter_Serialize()
    {
        _legacyWriter.Reset();
        foreach (Legacy.PointData point in _legacyPoints)
        {
            _legacyWriter.WritePoint(point, Legacy.WritePrecision.Ns);
        }

        return _legacyWriter.Length;
    }

    /// <summary>Package: already-built points through ToLineProtocol into the batch buffer.</summary>
    [Benchmark(OperationsPerInvoke = PointsPerOperation)]
    public int Package_Serialize()
    {
        _batch.Reset();
        foreach (PointData point in _points)
        {
            _batch.Add(point, WritePrecision.Ns, BaseTime);
        }

        return _batch.WrittenMemory.Length;
    }

    /// <summary>Old: build each point, then serialise it (what a telemetry message cost before).</summary>
    [Benchmark(OperationsPerInvoke = PointsPerOperation)]
    public int OldFormatter_BuildAndSerialize()
    {
        _legacyWriter.Reset();
        for (int i = 0; i < PointsPerOperation; i++)
        {
            _legacyWriter.WritePoint(LegacyPoint(i), Legacy.WritePrecision.Ns);
        }

        return _legacyWriter.Length;
    }

    /// <summary>Package: build each (immutable) point, then serialise it (what a telemetry message costs now).</summary>
    [Benchmark(OperationsPerInvoke = PointsPerOperation)]
    public int Package_BuildAndSerialize()
    {
        _batch.Reset();
        for (int i = 0; i < PointsPerOperation; i++)
        {
            _batch.Add(PackagePoint(i), WritePrecision.Ns, BaseTime);
        }

        return _batch.WrittenMemory.Length;
    }

    private Legacy.PointData LegacyPoint(int i) => Legacy.PointData.Measurement("miner")
        .Tag("site", "farm1").Tag("rack", "R07").Tag("miner", _miners[i % _miners.Length]).Tag("model", "Antminer S19 Pro")
        .Field("hashrate_5s_hs", 104.25e12 + (i % 17)).Field("hashrate_avg_hs", 103.9e12).Field("max_chip_temp_c", 71.5 + (i % 9))
        .Field("power_w", 3250.5).Field("uptime_s", 86400.0 + i).Field("hw_errors", 12L)
        .Field("fan_rpm_min", 5400L + i % 300).Field("fan_rpm_max", 5700L)
        .Field("pool0_accepted", 1234L + i).Field("pool0_rejected", 3L).Field("pool0_stale", 1L).Field("pool0_diff_accepted", 8.5e9)
        .Timestamp(BaseTime + i, Legacy.WritePrecision.Ns);

    private PointData PackagePoint(int i) => PointData.Measurement("miner")
        .Tag("site", "farm1").Tag("rack", "R07").Tag("miner", _miners[i % _miners.Length]).Tag("model", "Antminer S19 Pro")
        .Field("hashrate_5s_hs", 104.25e12 + (i % 17)).Field("hashrate_avg_hs", 103.9e12).Field("max_chip_temp_c", 71.5 + (i % 9))
        .Field("power_w", 3250.5).Field("uptime_s", 86400.0 + i).Field("hw_errors", 12L)
        .Field("fan_rpm_min", 5400L + i % 300).Field("fan_rpm_max", 5700L)
        .Field("pool0_accepted", 1234L + i).Field("pool0_rejected", 3L).Field("pool0_stale", 1L).Field("pool0_diff_accepted", 8.5e9)
        .Timestamp(BaseTime + i, WritePrecision.Ns);
}

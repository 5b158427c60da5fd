using CloudMining.Farm.Influx.LineProtocol;

namespace CloudMining.Farm.Influx.Write;

/// <summary>Direct writes that complete when the server acknowledged them, shaped like InfluxDB.Client's IWriteApiAsync.</summary>
public interface IWriteApiAsync
{
    Task WritePointAsync(PointData point, CancellationToken cancellationToken = default);

    Task WritePointsAsync(IEnumerable<PointData> points, CancellationToken cancellationToken = default);

    /// <summary>Writes already-serialised lines whose timestamps are in <paramref name="precision"/>.</summary>
    Task WriteRecordsAsync(IEnumerable<string> records, WritePrecision precision, CancellationToken cancellationToken = default);
}

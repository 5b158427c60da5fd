using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Influx.Write;

/// <summary>Direct writes of InfluxDB.Client points that complete when the server acknowledged them (retried by our pipeline).</summary>
public interface IWriteApiAsync
{
    Task WritePointAsync(PointData point, CancellationToken cancellationToken = default);

    Task WritePointsAsync(IEnumerable<PointData> points, CancellationToken cancellationToken = default);

    /// <summary>Writes already-serialised lines whose timestamps are in <paramref name="precision"/>.</summary>
    Task WriteRecordsAsync(IEnumerable<string> records, WritePrecision precision, CancellationToken cancellationToken = default);
}

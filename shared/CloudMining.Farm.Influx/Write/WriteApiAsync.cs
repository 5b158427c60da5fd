using System.Text;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Http;
using CloudMining.Farm.Influx.LineProtocol;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Polly;

namespace CloudMining.Farm.Influx.Write;

/// <summary>Writes points immediately and returns when the server acknowledged them; transient failures are retried by the pipeline, refusals throw.</summary>
public sealed class WriteApiAsync : IWriteApiAsync
{
    private readonly WriteEndpoint _http;
    private readonly ResiliencePipeline<WriteOutcome> _pipeline;
    private readonly WritePrecision _precision;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Task? _verified;

    internal WriteApiAsync(WriteEndpoint http, ResiliencePipeline<WriteOutcome> pipeline, WritePrecision precision, TimeProvider time)
    {
        _http = http;
        _pipeline = pipeline;
        _precision = precision;
        _time = time;
    }

    public Task WritePointAsync(PointData point, CancellationToken cancellationToken = default) =>
        WritePointsAsync([point], cancellationToken);

    public async Task WritePointsAsync(IEnumerable<PointData> points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        var writer = new LineBatch(4096);
        long now = _time.GetUtcNow().ToUnixTime(_precision);
        foreach (PointData point in points)
        {
            writer.Add(point, _precision, now);
        }

        await SendAsync(writer.WrittenMemory, writer.PointCount, cancellationToken);
    }

    public async Task WriteRecordsAsync(IEnumerable<string> records, WritePrecision precision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (precision != _precision)
        {
            throw new ArgumentException($"Records are in {precision.ToQueryValue()} but this client writes {_precision.ToQueryValue()} (Influx:Precision); convert them or use a client with that precision.", nameof(precision));
        }

        var text = new StringBuilder();
        int count = 0;
        foreach (string record in records)
        {
            text.Append(record).Append('\n');
            count++;
        }

        await SendAsync(Encoding.UTF8.GetBytes(text.ToString()), count, cancellationToken);
    }

    private async Task SendAsync(ReadOnlyMemory<byte> body, int points, CancellationToken cancellationToken)
    {
        if (points == 0)
        {
            return;
        }

        await EnsureVerifiedAsync(cancellationToken);
        WriteOutcome outcome;
        try
        {
            outcome = await _pipeline.ExecuteAsync(static async (state, ct) => await state._http.SendAsync(state.body, ct), (_http, body), cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or IOException)
        {
            throw new InfluxWriteException(
                new WriteOutcome(WriteOutcomeKind.Retryable, null, ex.Message, null, []),
                $"Could not deliver {points} point(s) to {_http.SafeEndpoint}: {ex.Message}. The server is down or unreachable; the points were not written.",
                ex);
        }

        switch (outcome.Kind)
        {
            case WriteOutcomeKind.Accepted:
                return;
            case WriteOutcomeKind.Misconfigured:
                throw _http.DescribeMisconfiguration(outcome);
            case WriteOutcomeKind.Rejected:
                throw new InfluxWriteException(outcome, $"InfluxDB refused the write ({(int?)outcome.StatusCode}): {outcome.ServerMessage}" +
                    (outcome.OffendingLines.Count > 0 ? $" Offending line(s): {string.Join(" | ", outcome.OffendingLines)}" : ""));
            default:
                throw new InfluxWriteException(outcome, $"InfluxDB was unavailable ({(int?)outcome.StatusCode} {outcome.ServerMessage}) after retries; the points were not written.");
        }
    }

    private Task EnsureVerifiedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // A failed check is not cached: the operator may fix the server (create the database) and the next write re-checks.
            if (_verified is null || _verified.IsFaulted || _verified.IsCanceled)
            {
                _verified = _http.VerifyAsync(cancellationToken);
            }

            return _verified;
        }
    }
}

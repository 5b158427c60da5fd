using CloudMining.Farm.Influx.Http;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Influx.Client;

/// <summary>
/// Our entry point for history writes (not the package's <c>InfluxDB.Client.InfluxDBClient</c>, which it uses for v2):
/// validates the options, picks the v1 or v2 <see cref="WriteEndpoint"/>, hands out write APIs that add our retry
/// policy and disk spill around InfluxDB.Client's <c>PointData</c>.
/// </summary>
public sealed class InfluxDBClient : IDisposable
{
    private readonly WriteEndpoint _http;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;

    /// <summary>Validates <paramref name="options"/> at once (throws <see cref="InfluxConfigurationException"/>); nothing is sent yet.</summary>
    public InfluxDBClient(InfluxDBClientOptions options, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        InfluxDBClientOptionsValidator.Validate(options);
        Options = options;
        _http = WriteEndpoint.Create(options, httpClient);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    public InfluxDBClientOptions Options { get; }

    /// <summary>Checks URL, credentials and database/bucket with an empty write; throws <see cref="InfluxConfigurationException"/> naming the setting.</summary>
    public Task VerifyConnectionAsync(CancellationToken cancellationToken = default) => _http.VerifyAsync(cancellationToken);

    /// <summary>Direct writes; the first one verifies the settings.</summary>
    public IWriteApiAsync GetWriteApiAsync(WriteOptions? retryOptions = null)
    {
        WriteOptions options = retryOptions ?? new WriteOptions();
        ILogger logger = _loggerFactory.CreateLogger<WriteApiAsync>();
        return new WriteApiAsync(_http, WriteRetryPipeline.Create(options, _time, logger), Options.Precision, _time);
    }

    /// <summary>A batching writer that starts sending at once (no verification; a misconfigured server only logs and keeps the points).</summary>
    public WriteApi GetWriteApi(WriteOptions? writeOptions = null)
    {
        WriteOptions options = writeOptions ?? new WriteOptions();
        ILogger logger = _loggerFactory.CreateLogger<WriteApi>();
        return new WriteApi(_http, WriteRetryPipeline.Create(options, _time, logger), options, Options.Precision, _time, logger);
    }

    /// <summary>Verifies the settings, then returns a batching writer: the way a service should start history.</summary>
    public async Task<WriteApi> CreateWriteApiAsync(WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        await VerifyConnectionAsync(cancellationToken);
        return GetWriteApi(writeOptions);
    }

    public void Dispose()
    {
        _http.Dispose();
    }
}

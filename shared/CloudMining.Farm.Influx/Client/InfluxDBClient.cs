using CloudMining.Farm.Influx.Http;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Influx.Client;

/// <summary>Entry point shaped like InfluxDB.Client's <c>InfluxDBClient</c>: validates the options, hands out write APIs.</summary>
public sealed class InfluxDBClient : IDisposable
{
    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly InfluxHttpWriter _http;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;

    /// <summary>Validates <paramref name="options"/> at once (throws <see cref="InfluxConfigurationException"/>); nothing is sent yet.</summary>
    public InfluxDBClient(InfluxDBClientOptions options, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        InfluxDBClientOptionsValidator.Validate(options);
        Options = options;
        _ownsHttpClient = httpClient is null;
        // Timeouts are per request in InfluxHttpWriter; the client-wide one must not cut them short.
        _httpClient = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        _http = new InfluxHttpWriter(_httpClient, options);
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
        return new WriteApiAsync(_http, WriteRetryPipeline.Create(options, _time, logger), Options.Precision);
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
        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }
}

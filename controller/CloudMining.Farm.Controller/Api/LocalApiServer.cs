using System.Net;
using CloudMining.Farm.Controller.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

/// <summary>
/// The local operator API on Kestrel: a small web application of its own beside the controller's host, so the service
/// keeps its generic host and the API can be started over any <see cref="IControllerOperations"/> (the engine, or a
/// test's) on any port.
/// </summary>
public sealed class LocalApiServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalApiServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    /// <summary>Where the API listens, with the real port when port 0 was asked for.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Validates <paramref name="options"/> (refusing non-loopback hosts unless allowed), starts listening and returns
    /// once requests are served; throws <see cref="LocalApiBindException"/> when the address is taken.
    /// </summary>
    public static async Task<LocalApiServer> StartAsync(
        IControllerOperations operations,
        LocalApiOptions options,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(time);
        Uri url = LocalApiOptionsValidator.Validate(options);
        ILogger logger = loggerFactory.CreateLogger("CloudMining.Farm.Controller.Api.LocalApi");
        if (!LocalApiOptionsValidator.IsLoopback(url.Host))
        {
            logger.LogWarning(
                "The local API listens on {Url}, beyond loopback, and has no authentication of its own; keep it behind an authenticating reverse proxy",
                url);
        }

        // The empty builder: no appsettings, no environment-driven URLs, no default logging; only Kestrel and routing.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "farm-controller" });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(url.Port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(url.Host.Trim('[', ']')), url.Port);
            }
        });
        builder.Services.AddRoutingCore();

        // Kestrel's and routing's own logs stay out of the service log (one Information line per request would drown
        // it); the API logs what matters itself: where it listens, every change made through it, and failures.
        WebApplication app = builder.Build();
        LocalApiEndpoints.Map(app, operations, time, logger);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new LocalApiBindException(url, e);
        }

        IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        var address = new Uri(addresses.Addresses.First());
        string shown = address.ToString().TrimEnd('/');
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Local API listening on {Url} (farmctl --api {Url})", shown, shown);
        }

        return new LocalApiServer(app, address);
    }

    /// <summary>Stops accepting requests and lets running ones finish (bounded by the token).</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Requests still running after the grace period are cut; the operations they started are the engine's to finish.
        }

        await app.DisposeAsync();
    }
}

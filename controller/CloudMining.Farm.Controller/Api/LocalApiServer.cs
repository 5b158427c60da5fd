using System.Net;
using CloudMining.Farm.Controller.Operations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

/// <summary>
/// The local operator API on Kestrel: a small web application of its own beside the controller's host, so the service
/// keeps its generic host and the API can be started over any <see cref="IControllerOperations"/> (the engine, or a
/// test's) on any port.
/// </summary>
public sealed partial class LocalApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalApiServer(WebApplication app, Uri address)
    {
        _app = app;
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
        CancellationToken cancellationToken,
        Leadership.ControllerLeadership? leadership = null)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(time);
        Uri url = LocalApiOptionsValidator.Validate(options);
        ILogger logger = loggerFactory.CreateLogger("CloudMining.Farm.Controller.Api.LocalApi");
        if (!LocalApiOptionsValidator.IsLoopback(url.Host))
        {
            LogBeyondLoopback(logger, url);
        }

        LocalApiToken token = LocalApiToken.LoadOrCreate(options.TokenFile, logger);
        IReadOnlyList<string> hosts = AllowedHosts(url);
        int boundPort = url.Port;

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
        builder.Services.AddSingleton(token);

        // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends "Host: evil.example:8650".
        builder.Services.AddHostFiltering(o =>
        {
            o.AllowedHosts = [.. hosts];
            o.AllowEmptyHosts = false;
            o.IncludeFailureMessage = false; // the status-code page below writes a problem document instead
        });
        builder.Services.AddAuthentication(LocalApiTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, LocalApiTokenHandler>(LocalApiTokenHandler.SchemeName, configureOptions: null);

        // Every route, reads included, needs the token: the fleet, the customers' pools and the ledger are not for
        // every local user either, and one rule for all routes cannot be forgotten on the next one added.
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(LocalApiTokenHandler.SchemeName).RequireAuthenticatedUser().Build());

        // Kestrel's and routing's own logs stay out of the service log (one Information line per request would drown
        // it); the API logs what matters itself: where it listens, every change made through it, and failures.
        WebApplication app = builder.Build();
        app.UseStatusCodePages(page => WriteBareStatusAsync(page.HttpContext, hosts, boundPort));
        app.UseHostFiltering();
        app.UseMiddleware<LocalApiGuard>(hosts, (Func<int>)(() => boundPort));
        app.UseAuthentication();
        app.UseAuthorization();
        if (leadership is not null)
        {
            // The standby's engine holds no state: every request gets 503 naming the leader and its API, for farmctl to show.
            app.Use(async (context, next) =>
            {
                if (leadership.StandbyMessage is { } standby)
                {
                    context.Response.Headers.RetryAfter = "5";
                    await LocalApiGuard.WriteProblemAsync(context, ApiProblems.FromStatus(StatusCodes.Status503ServiceUnavailable, standby, context.Request.Path + context.Request.QueryString));
                    return;
                }

                await next(context);
            });
        }

        LocalApiEndpoints.Map(app, operations, time, logger);

        // The web pages and their read-only links (docs/web-pages.md): the pages need a link token, not the bearer token.
        Pages.PageLinkKey links = Pages.PageLinkKey.LoadOrCreateBeside(token.Path);
        IProofOperations? proof = operations as IProofOperations;
        LocalApiEndpoints.MapProof(app, operations, proof, links, time, logger);
        Pages.PageEndpoints.Map(app, operations, proof, links, time, logger);
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
        boundPort = address.Port;
        string shown = address.ToString().TrimEnd('/');
        LogListening(logger, shown);

        return new LocalApiServer(app, address);
    }

    /// <summary>
    /// The host names a request may carry: the configured one; for a loopback address also "localhost" (which cannot be
    /// rebound to another machine), and for "localhost" the loopback addresses Kestrel listens on.
    /// </summary>
    public static IReadOnlyList<string> AllowedHosts(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var hosts = new List<string> { url.Host };
        if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            hosts.AddRange(["127.0.0.1", "[::1]"]);
        }
        else if (LocalApiOptionsValidator.IsLoopback(url.Host))
        {
            hosts.Add("localhost");
        }

        return hosts;
    }

    /// <summary>A status the framework set without a body (host filtering's 400, no route, wrong method) becomes a problem document.</summary>
    private static Task WriteBareStatusAsync(HttpContext context, IReadOnlyList<string> hosts, int port)
    {
        HttpRequest request = context.Request;
        int status = context.Response.StatusCode;
        string instance = request.Path + request.QueryString;
        string address = $"http://{hosts[0]}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        bool hostAllowed = hosts.Contains(request.Host.Host, StringComparer.OrdinalIgnoreCase);
        ProblemDocument problem = status switch
        {
            StatusCodes.Status400BadRequest when !hostAllowed => ApiProblems.WrongHost(
                status,
                $"The Host header '{request.Host}' does not name this API; send requests to {address} (Controller:Api:Url). " +
                "A web page reaching the API through another name (DNS rebinding) is refused.",
                instance),
            StatusCodes.Status404NotFound => ApiProblems.FromStatus(status, $"No endpoint {request.Path}; docs/controller-api.md lists them.", instance),
            StatusCodes.Status405MethodNotAllowed => ApiProblems.FromStatus(status, $"{request.Path} does not take {request.Method}; docs/controller-api.md lists the methods.", instance),
            _ => ApiProblems.FromStatus(status, $"The controller answered {status} to {request.Method} {instance}.", instance),
        };
        return LocalApiGuard.WriteProblemAsync(context, problem);
    }

    /// <summary>Stops accepting requests and lets running ones finish (bounded by the token).</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Requests still running after the grace period are cut; the operations they started are the engine's to finish.
        }

        await _app.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The local API listens on {Url}, beyond loopback, over plain HTTP: its token crosses the network unencrypted; keep it behind a TLS reverse proxy")]
    private static partial void LogBeyondLoopback(ILogger logger, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local API listening on {Url} (farmctl --api {Url})")]
    private static partial void LogListening(ILogger logger, string url);
}

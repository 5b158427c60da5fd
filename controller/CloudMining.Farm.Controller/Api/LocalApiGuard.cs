using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CloudMining.Farm.Controller.Api;

/// <summary>
/// What a browser could be tricked into sending is refused before any route runs: a Host header whose port is not the
/// API's (421; the host name itself is checked by ASP.NET Core's host filtering), an Origin other than the API's own
/// (403), and a request that changes something without a JSON body type (415) — a web page cannot send
/// application/json to another origin without a CORS preflight, which the API never answers.
/// </summary>
public sealed class LocalApiGuard
{
    private readonly RequestDelegate _next;
    private readonly IReadOnlyList<string> _hosts;
    private readonly Func<int> _port;

    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="hosts">The host names the Host header may carry (those host filtering allows).</param>
    /// <param name="port">The port the API listens on, known once Kestrel has bound it.</param>
    public LocalApiGuard(RequestDelegate next, IReadOnlyList<string> hosts, Func<int> port)
    {
        _next = next;
        _hosts = hosts;
        _port = port;
    }

    /// <summary>The origins a browser shows for pages served from the API's own address.</summary>
    public static IEnumerable<string> Origins(IEnumerable<string> hosts, int port) =>
        hosts.Select(h => $"http://{h}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpRequest request = context.Request;
        string instance = request.Path + request.QueryString;
        int listening = _port();
        string address = $"http://{_hosts[0]}:{listening.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        if (request.Host.Port != listening)
        {
            await WriteProblemAsync(context, ApiProblems.WrongHost(
                StatusCodes.Status421MisdirectedRequest,
                $"The Host header '{request.Host}' does not name this API's port; send requests to {address} (Controller:Api:Url).",
                instance));
            return;
        }

        string? origin = request.Headers.Origin;
        if (origin is not null && !Origins(_hosts, listening).Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            await WriteProblemAsync(context, ApiProblems.ForeignOrigin(
                $"The request comes from a web page at '{origin}', not from {address}; the local API is for farmctl and scripts, which send no Origin header.",
                instance));
            return;
        }

        if (IsMutating(request.Method) && !IsJson(request.ContentType))
        {
            await WriteProblemAsync(context, ApiProblems.UnsupportedMediaType(
                $"{request.Method} needs \"Content-Type: application/json\" (got '{request.ContentType ?? "none"}'), even without a body; farmctl sends it.",
                instance));
            return;
        }

        await _next(context);
    }

    /// <summary>Writes <paramref name="problem"/> as application/problem+json with its status.</summary>
    public static async Task WriteProblemAsync(HttpContext context, ProblemDocument problem)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problem);
        context.Response.StatusCode = problem.Status;
        await Results.Json(problem, ApiJsonContext.Default.ProblemDocument, ProblemDocument.MediaType, problem.Status).ExecuteAsync(context);
    }

    private static bool IsMutating(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? media)
        && string.Equals(media.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase);
}

using System.Net;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// What one <c>farm-controller run</c> instance answers on GET /v1/contracts, for the leader/standby tests: 200 from
/// the leader, 503 with a problem detail from the standby, nothing from an instance that is down or still starting.
/// </summary>
internal static class ControllerInstanceProbe
{
    private static readonly Uri Contracts = new("/v1/contracts", UriKind.Relative);

    /// <summary>The status of GET /v1/contracts, or 0 when the instance does not answer (or has no client yet: <paramref name="client"/> may throw <see cref="HttpRequestException"/>).</summary>
    public static async Task<HttpStatusCode> StatusAsync(Func<HttpClient> client)
    {
        try
        {
            using HttpResponseMessage response = await client().GetAsync(Contracts);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return 0;
        }
    }

    /// <summary>The problem detail the instance answers with, or null (it leads, or does not answer).</summary>
    public static async Task<string?> ProblemAsync(Func<HttpClient> client)
    {
        try
        {
            using HttpResponseMessage response = await client().GetAsync(Contracts);
            return response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }
}

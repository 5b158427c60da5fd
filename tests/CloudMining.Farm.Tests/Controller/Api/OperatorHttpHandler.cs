using System.Net.Http.Headers;
using System.Text;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>
/// An HTTP client that talks to the local API as farmctl does: the bearer token from the controller's token file (read
/// on every request, so a client made before the controller created it works), and application/json on every change.
/// </summary>
public sealed class OperatorHttpHandler(string tokenFile) : DelegatingHandler(new HttpClientHandler())
{
    public static HttpClient Client(Uri api, string tokenFile, TimeSpan? timeout = null) =>
        new(new OperatorHttpHandler(tokenFile)) { BaseAddress = api, Timeout = timeout ?? TimeSpan.FromSeconds(100) };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (File.Exists(tokenFile))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(tokenFile).Trim());
        }

        if (request.Method != HttpMethod.Get && request.Content is null)
        {
            request.Content = new StringContent(string.Empty, Encoding.UTF8, "application/json");
        }

        return base.SendAsync(request, cancellationToken);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>
/// What another web page or another local user could do with the local API, through a real Kestrel: changes need
/// application/json, a foreign Origin or Host is refused, and every request needs the token from the 0640 file.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalApiSecurityTests : IAsyncLifetime, IDisposable
{
    private const string ContractJson = """
        {"id":"csrf","customer":"mallory","hashrate":"100 TH/s","poolUrl":"stratum+tcp://evil.example:3333","worker":"mallory.w1",
         "end":"2026-12-21T00:00:00Z","maintenancePerTerahashDay":0.05,"electricityAtCost":true}
        """;

    private TestApi _api = null!;
    private HttpClient _raw = null!;

    public async Task InitializeAsync()
    {
        _api = await TestApi.StartAsync();
        _raw = new HttpClient { BaseAddress = _api.Server.Address };
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose() => _raw.Dispose();

    private HttpRequestMessage Request(HttpMethod method, string path, string? body = null, string contentType = "application/json", bool token = true)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        if (token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token);
        }

        return request;
    }

    private async Task<ProblemDocument> ProblemAsync(HttpRequestMessage request, HttpStatusCode status)
    {
        using (request)
        {
            using HttpResponseMessage response = await _raw.SendAsync(request);
            Assert.True(status == response.StatusCode, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(ProblemDocument.MediaType, response.Content.Headers.ContentType?.MediaType);
            ProblemDocument? problem = await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.ProblemDocument);
            Assert.NotNull(problem);
            Assert.Equal((int)status, problem.Status);
            return problem;
        }
    }

    private async Task<IReadOnlyList<ContractView>> ContractsAsync() =>
        (await _api.Http.GetFromJsonAsync("/v1/contracts", ApiJsonContext.Default.IReadOnlyListContractView))!;

    [Fact]
    public async Task Text_plain_post_is_415_and_sells_nothing()
    {
        // A plain HTML form or a no-cors fetch can send text/plain to any origin without a preflight: the CSRF probe.
        ProblemDocument problem = await ProblemAsync(Request(HttpMethod.Post, "/v1/contracts", ContractJson, "text/plain"), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("text/plain", problem.Detail, StringComparison.Ordinal);
        await ProblemAsync(Request(HttpMethod.Post, "/v1/contracts", ContractJson, "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType);
        Assert.Empty(await ContractsAsync());

        // Without a body and without a type (a no-cors fetch), a drain is refused too, and the miner keeps hashing.
        await ProblemAsync(Request(HttpMethod.Post, "/v1/miners/r1-m01/drain"), HttpStatusCode.UnsupportedMediaType);
        Assert.False((await _api.Http.GetFromJsonAsync("/v1/miners/r1-m01", ApiJsonContext.Default.MinerView))!.Drained);

        using HttpResponseMessage sold = await _raw.SendAsync(Request(HttpMethod.Post, "/v1/contracts", ContractJson));
        Assert.Equal(HttpStatusCode.Created, sold.StatusCode);
    }

    [Fact]
    public async Task Foreign_origin_is_403_for_changes_and_reads()
    {
        HttpRequestMessage post = Request(HttpMethod.Post, "/v1/contracts", ContractJson);
        post.Headers.Add("Origin", "http://evil.example");
        ProblemDocument problem = await ProblemAsync(post, HttpStatusCode.Forbidden);
        Assert.Contains("http://evil.example", problem.Detail, StringComparison.Ordinal);
        Assert.Empty(await ContractsAsync());

        HttpRequestMessage read = Request(HttpMethod.Get, "/v1/fleet");
        read.Headers.Add("Origin", "null"); // a sandboxed frame or a file:// page
        await ProblemAsync(read, HttpStatusCode.Forbidden);

        // The API's own origin is not foreign.
        using HttpRequestMessage own = Request(HttpMethod.Get, "/v1/capacity");
        own.Headers.Add("Origin", _api.Url);
        using HttpResponseMessage ok = await _raw.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Host_header_not_naming_the_api_is_refused()
    {
        // DNS rebinding: the attacker's name now resolves to 127.0.0.1, the browser still sends it as Host.
        HttpRequestMessage rebound = Request(HttpMethod.Get, "/v1/contracts");
        rebound.Headers.Host = $"evil.example:{_api.Server.Address.Port}";
        ProblemDocument problem = await ProblemAsync(rebound, HttpStatusCode.BadRequest);
        Assert.Contains("evil.example", problem.Detail, StringComparison.Ordinal);
        Assert.Contains(_api.Url, problem.Detail, StringComparison.Ordinal);

        HttpRequestMessage otherPort = Request(HttpMethod.Get, "/v1/contracts");
        otherPort.Headers.Host = "127.0.0.1:1";
        await ProblemAsync(otherPort, HttpStatusCode.MisdirectedRequest);

        HttpRequestMessage noPort = Request(HttpMethod.Post, "/v1/contracts", ContractJson);
        noPort.Headers.Host = "127.0.0.1";
        await ProblemAsync(noPort, HttpStatusCode.MisdirectedRequest);
        Assert.Empty(await ContractsAsync());

        using HttpRequestMessage localhost = Request(HttpMethod.Get, "/v1/capacity");
        localhost.Headers.Host = $"localhost:{_api.Server.Address.Port}";
        using HttpResponseMessage ok = await _raw.SendAsync(localhost);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Missing_or_wrong_token_is_401_saying_where_the_token_is()
    {
        ProblemDocument problem = await ProblemAsync(Request(HttpMethod.Get, "/v1/fleet", token: false), HttpStatusCode.Unauthorized);
        Assert.Contains("no bearer token", problem.Detail, StringComparison.Ordinal);
        Assert.Contains(_api.TokenFile, problem.Detail, StringComparison.Ordinal);
        Assert.Contains("farm-operators", problem.Detail, StringComparison.Ordinal);

        await ProblemAsync(Request(HttpMethod.Post, "/v1/contracts", ContractJson, token: false), HttpStatusCode.Unauthorized);
        HttpRequestMessage wrong = Request(HttpMethod.Post, "/v1/contracts", ContractJson, token: false);
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token[..^1] + (_api.Token[^1] == 'A' ? 'B' : 'A'));
        problem = await ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        Assert.Contains("token is wrong", problem.Detail, StringComparison.Ordinal);
        HttpRequestMessage basic = Request(HttpMethod.Get, "/v1/fleet", token: false);
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + _api.Token)));
        await ProblemAsync(basic, HttpStatusCode.Unauthorized);
        Assert.Empty(await ContractsAsync());

        using HttpResponseMessage unauthorized = await _raw.GetAsync("/v1/capacity");
        Assert.Equal("Bearer", unauthorized.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain(_api.Token, await unauthorized.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Token_file_is_created_random_and_readable_by_owner_and_group_only()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_api.TokenFile));
        Assert.True(_api.Token.Length >= 40, _api.Token.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task World_readable_token_file_stops_the_api_naming_the_key()
    {
        string dir = Directory.CreateTempSubdirectory("local-api-token-").FullName;
        try
        {
            string file = Path.Combine(dir, "api-token");
            await File.WriteAllTextAsync(file, "0123456789abcdef0123456789abcdef");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var e = await Assert.ThrowsAsync<ControllerConfigurationException>(() => LocalApiServer.StartAsync(
                InMemoryControllerOperations.ThreeRacks(TestApi.Now),
                new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = file },
                NullLoggerFactory.Instance,
                TimeProvider.System,
                CancellationToken.None));
            Assert.Equal("Controller:Api:TokenFile", e.Setting);
            Assert.Contains("every local user", e.Message, StringComparison.Ordinal);
            Assert.Contains($"chmod 0640 {file}", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

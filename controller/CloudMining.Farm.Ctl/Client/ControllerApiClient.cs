using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CloudMining.Farm.ControlApi;

namespace CloudMining.Farm.Ctl.Client;

/// <summary>farmctl's side of the local API (docs/controller-api.md): one method per endpoint, typed failures.</summary>
public sealed class ControllerApiClient : IDisposable
{
    /// <summary>Environment variable that points farmctl at a controller listening elsewhere.</summary>
    public const string ApiEnvironmentVariable = "FARMCTL_API";

    private static readonly ApiJsonContext Json = ApiJsonContext.Default;
    private readonly HttpClient _http;
    private readonly ApiTokenFile? _token;

    public ControllerApiClient(Uri api, ApiTokenFile? token = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        Api = api;
        _token = token;
        _http = new HttpClient { BaseAddress = api, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token?.Token is { } value)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);
        }
    }

    public Uri Api { get; }

    public Task<ApiResponse<FleetView>> GetFleetAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "v1/fleet", Json.FleetView, ct);

    public Task<ApiResponse<MinerView>> GetMinerAsync(string id, CancellationToken ct) => SendAsync(HttpMethod.Get, $"v1/miners/{Escape(id)}", Json.MinerView, ct);

    public Task<ApiResponse<CapacityView>> GetCapacityAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "v1/capacity", Json.CapacityView, ct);

    public Task<ApiResponse<IReadOnlyList<ContractView>>> GetContractsAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "v1/contracts", Json.IReadOnlyListContractView, ct);

    public Task<ApiResponse<ContractView>> GetContractAsync(string id, CancellationToken ct) => SendAsync(HttpMethod.Get, $"v1/contracts/{Escape(id)}", Json.ContractView, ct);

    public Task<ApiResponse<ContractView>> AddContractAsync(NewContractRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v1/contracts", Json.ContractView, ct, JsonSerializer.Serialize(request, Json.NewContractRequest));

    public Task<ApiResponse<ContractView>> EndContractAsync(string id, CancellationToken ct) => SendAsync(HttpMethod.Post, $"v1/contracts/{Escape(id)}/end", Json.ContractView, ct);

    public Task<ApiResponse<AllocationView>> GetAllocationAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "v1/allocation", Json.AllocationView, ct);

    public Task<ApiResponse<RebalanceView>> RebalanceAsync(bool apply, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"v1/rebalance?apply={(apply ? "true" : "false")}", Json.RebalanceView, ct);

    public Task<ApiResponse<CurtailmentStatusView>> GetCurtailmentAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "v1/curtailment", Json.CurtailmentStatusView, ct);

    public Task<ApiResponse<CurtailmentPlanView>> PlanCurtailmentAsync(CurtailmentRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v1/curtailment/plan", Json.CurtailmentPlanView, ct, JsonSerializer.Serialize(request, Json.CurtailmentRequest));

    public Task<ApiResponse<CurtailmentPlanView>> ApplyCurtailmentAsync(CurtailmentRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v1/curtailment/apply", Json.CurtailmentPlanView, ct, JsonSerializer.Serialize(request, Json.CurtailmentRequest));

    public Task<ApiResponse<CurtailmentPlanView>> EndCurtailmentAsync(CancellationToken ct) => SendAsync(HttpMethod.Post, "v1/curtailment/end", Json.CurtailmentPlanView, ct);

    public Task<ApiResponse<MinerView>> SetDrainedAsync(string id, bool drained, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"v1/miners/{Escape(id)}/{(drained ? "drain" : "undrain")}", Json.MinerView, ct);

    public Task<ApiResponse<IReadOnlyList<LedgerEntry>>> GetLedgerAsync(string? contractId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "v1/ledger" + Query(contractId, from, to), Json.IReadOnlyListLedgerEntry, ct);

    public Task<ApiResponse<ContractProofView>> GetContractProofAsync(string id, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"v1/contracts/{Escape(id)}/proof" + Query(null, from, to), Json.ContractProofView, ct);

    public Task<ApiResponse<IReadOnlyList<SettlementView>>> GetSettlementsAsync(string? contractId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "v1/settlements" + Query(contractId, from, to), Json.IReadOnlyListSettlementView, ct);

    public Task<ApiResponse<PageLinkView>> GetContractLinkAsync(string id, CancellationToken ct) => SendAsync(HttpMethod.Get, $"v1/contracts/{Escape(id)}/link", Json.PageLinkView, ct);

    public Task<ApiResponse<PageLinkView>> GetDashboardLinkAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "v1/dashboard/link", Json.PageLinkView, ct);

    /// <summary>The absolute address of a page path the API answered (e.g. "/proof/demo-1?key=…").</summary>
    public Uri PageAddress(string path) => new(Api, path);

    private static string Query(string? contractId, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(contractId))
        {
            query.Add("contract=" + Uri.EscapeDataString(contractId));
        }

        if (from is { } f)
        {
            query.Add("from=" + Uri.EscapeDataString(f.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (to is { } t)
        {
            query.Add("to=" + Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return query.Count == 0 ? string.Empty : "?" + string.Join('&', query);
    }

    public void Dispose() => _http.Dispose();

    private static string Escape(string id) => Uri.EscapeDataString(id);

    private async Task<ApiResponse<T>> SendAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> type, CancellationToken ct, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null || method != HttpMethod.Get)
        {
            // The API takes changes only as application/json, even without a body (a browser cannot send that cross-site).
            request.Content = new StringContent(body ?? string.Empty, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ControllerUnreachableException(Api, Reason(e), e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ControllerUnreachableException(Api, $"no answer within {_http.Timeout.TotalSeconds:0} s", e);
        }

        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                throw new ControllerTokenException(_token switch
                {
                    { Problem: { } problem } => problem,
                    { Path: { } file } => $"farm-controller at {Api.ToString().TrimEnd('/')} does not accept the token in {file}; is that file this controller's Controller:Api:TokenFile? (set --token-file or {ApiTokenFile.EnvironmentVariable})",
                    null => $"farm-controller at {Api.ToString().TrimEnd('/')} wants its API token; pass --token-file PATH",
                });
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ControllerProblemException(ProblemFrom(response, text), text);
            }

            try
            {
                T? value = JsonSerializer.Deserialize(text, type);
                return value is null
                    ? throw new ControllerUnreachableException(Api, $"{method} /{path} answered null")
                    : new ApiResponse<T>(value, text);
            }
            catch (JsonException e)
            {
                throw new ControllerUnreachableException(Api, $"{method} /{path} answered something that is not the controller's JSON ({e.Message}); is --api pointing at farm-controller?", e);
            }
        }
    }

    private static ProblemDocument ProblemFrom(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType is ProblemDocument.MediaType or "application/json")
        {
            try
            {
                if (JsonSerializer.Deserialize(text, Json.ProblemDocument) is { Detail: not null } problem)
                {
                    return problem;
                }
            }
            catch (JsonException)
            {
                // Fall through: describe the bare status instead.
            }
        }

        int status = (int)response.StatusCode;
        return new ProblemDocument(
            "about:blank",
            response.ReasonPhrase ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            status,
            $"the controller answered {status} {response.ReasonPhrase} to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}; is farmctl as new as farm-controller?");
    }

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException s => s.Message.ToLowerInvariant(),
        { } inner => inner.Message,
        null => e.Message,
    };
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Ctl.Ledger;
using CloudMining.Farm.Tests.EndToEnd;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Pages;

/// <summary>
/// The dashboard and a contract's proof page in Debian's chromium over a running farm, their figures against the API's
/// (what `farmctl allocation show` prints); `farmctl contracts proof` against `farmctl allocation show`; pages refused
/// without their link token. Screenshots go to artifacts/screenshots under the test output folder.
/// </summary>
[Trait("Category", "EndToEnd")]
[Trait("Category", "Integration")]
public sealed class WebPagesTests(ProofPagesFixture fixture) : IClassFixture<ProofPagesFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    // What must never reach a page: the miners' pool password and the broker users' passwords of the fixture.
    private static readonly string[] Secrets = ["pool-e2e-secret", EndToEndFarm.ControllerPassword, EndToEndFarm.PlatformPassword, EndToEndFarm.OperatorPassword, EndToEndFarm.BosPassword];

    [ChromiumFact]
    public async Task Dashboard_in_chromium_shows_the_racks_miners_capacity_and_contracts_the_api_shows()
    {
        string link = (await fixture.FarmctlAsync("dashboard")).Trim();
        Assert.StartsWith(fixture.Url + "/dashboard?key=", link, StringComparison.Ordinal);
        await using SystemChromium chromium = await SystemChromium.LaunchAsync();
        IPage page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });

        IResponse? response = await page.GotoAsync(link);
        Assert.Equal(200, response!.Status);
        FleetView fleet = await fixture.Farm.Ops.GetFleetAsync(CancellationToken.None);
        CapacityView capacity = await fixture.Farm.Ops.GetCapacityAsync(CancellationToken.None);
        Assert.Equal(fleet.Miners.Count, await page.Locator("td.miner").CountAsync());
        Assert.Equal(EndToEndFarm.Racks, await page.Locator("tr.rack").CountAsync());
        Assert.Equal(fixture.Farm.RackMiners(1).Select(m => m.Id).Order(StringComparer.Ordinal), await CellIdsAsync(page, "tr.rack[data-rack='R01'] td.miner"));
        Assert.Equal(capacity.UnitsSold.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#units-sold"));

        AllocationView allocation = JsonSerializer.Deserialize(await fixture.FarmctlAsync("allocation", "show", "--json"), ApiJsonContext.Default.AllocationView)!;
        foreach (ContractView c in allocation.Contracts)
        {
            ILocator row = page.Locator($"tr.contract[data-contract='{c.Id}']");
            Assert.Equal(Th(c.TargetHs), await row.Locator("td.target").InnerTextAsync());
            Assert.Equal(1, await row.Locator("svg.bar").CountAsync());
        }

        Assert.Equal(fixture.Contracts.Count, await page.Locator("tr.contract").CountAsync());
        AssertNoSecret(await page.ContentAsync());
        string shot = await SystemChromium.ScreenshotAsync(page, "dashboard");
        Assert.True(new FileInfo(shot).Length > 10_000, $"{shot} is too small to be a rendered page");
    }

    [ChromiumFact]
    public async Task Proof_page_in_chromium_shows_the_target_pool_worker_and_the_miners_allocation_show_lists()
    {
        (string id, string poolUrl, string worker, double targetHs) = fixture.Contracts[0];
        string link = (await fixture.FarmctlAsync("contracts", "link", id)).Trim();
        Assert.StartsWith($"{fixture.Url}/proof/{id}?key=", link, StringComparison.Ordinal);
        await using SystemChromium chromium = await SystemChromium.LaunchAsync();
        IPage page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });

        IResponse? response = await page.GotoAsync(link);
        Assert.Equal(200, response!.Status);
        Assert.Equal(id, await page.InnerTextAsync("#contract-id"));
        Assert.Equal(Th(targetHs), await page.InnerTextAsync("#target-ths"));
        Assert.Equal(poolUrl, await page.InnerTextAsync("#pool-url"));
        Assert.Equal(worker, await page.InnerTextAsync("#pool-worker"));

        // The miners on the page are those `farmctl allocation show` lists for the contract (read again until both agree:
        // a proof-of-delivery rebalance may move a miner between the two reads).
        string[] shown = [];
        string[] allocated = [];
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                await page.ReloadAsync();
                shown = [.. await CellIdsAsync(page, "li.miner")];
                allocated = [.. (await AllocatedAsync(id)).Order(StringComparer.Ordinal)];
                return allocated.Length > 0 && shown.SequenceEqual(allocated);
            }, Settle, TimeSpan.FromSeconds(2)),
            $"page miners [{string.Join(", ", shown)}] vs allocation show [{string.Join(", ", allocated)}]");

        Assert.True(await page.Locator("tr.hour").CountAsync() >= 1, "the hour in progress is listed");
        Assert.Contains("(in progress)", await page.InnerTextAsync("#hours"), StringComparison.Ordinal);
        Assert.True(await page.Locator("#delivery-chart rect.delivered").CountAsync() >= 1, "the chart has a bar per hour");
        Assert.Equal(1, await page.Locator("#delivery-chart path.target").CountAsync());
        AssertNoSecret(await page.ContentAsync());
        string shot = await SystemChromium.ScreenshotAsync(page, "proof-" + id);
        Assert.True(new FileInfo(shot).Length > 10_000, $"{shot} is too small to be a rendered page");
    }

    [Fact]
    public async Task Pages_without_their_token_are_401_and_with_another_token_404()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Url) };
        string big = fixture.Contracts[0].Id;
        string mid = fixture.Contracts[1].Id;
        string bigLink = (await fixture.FarmctlAsync("contracts", "link", big)).Trim();
        string bigKey = bigLink[(bigLink.IndexOf("key=", StringComparison.Ordinal) + 4)..];
        string dashboardLink = (await fixture.FarmctlAsync("dashboard")).Trim();
        string dashboardKey = dashboardLink[(dashboardLink.IndexOf("key=", StringComparison.Ordinal) + 4)..];

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/dashboard?key=not-the-key")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/dashboard?key=" + bigKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/proof/{big}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/proof/{big}?key=" + dashboardKey)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/proof/{mid}?key=" + bigKey)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/proof/no-such-contract?key=" + bigKey)).StatusCode);

        // The links themselves are for operators: the API token is needed to ask for one.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/v1/contracts/{big}/link")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/dashboard/link")).StatusCode);

        HttpResponseMessage ok = await http.GetAsync(new Uri(bigLink).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("no-store", ok.Headers.CacheControl?.ToString());
        Assert.Contains("default-src 'none'", string.Join(";", ok.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Farmctl_contracts_proof_shows_the_figures_of_farmctl_allocation_show()
    {
        (string id, _, string worker, double targetHs) = fixture.Contracts[1];
        string allocationTable = await fixture.FarmctlAsync("allocation", "show");
        string proofText = await fixture.FarmctlAsync("contracts", "proof", id);
        Assert.Contains($"target {Th(targetHs)} TH/s", proofText, StringComparison.Ordinal);
        Assert.Contains(Th(targetHs), allocationTable, StringComparison.Ordinal);
        Assert.Contains($"worker {worker}", proofText, StringComparison.Ordinal);
        Assert.Contains("delivered (ours)", proofText, StringComparison.Ordinal);

        ContractProofView? proof = null;
        string[] allocated = [];
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                proof = JsonSerializer.Deserialize(await fixture.FarmctlAsync("contracts", "proof", id, "--json"), ApiJsonContext.Default.ContractProofView)!;
                allocated = [.. (await AllocatedAsync(id)).Order(StringComparer.Ordinal)];
                return allocated.Length > 0 && allocated.SequenceEqual(proof.Miners.Select(m => m.MinerId).Order(StringComparer.Ordinal));
            }, Settle, TimeSpan.FromSeconds(2)),
            $"proof miners [{string.Join(", ", proof?.Miners.Select(m => m.MinerId) ?? [])}] vs allocation show [{string.Join(", ", allocated)}]");
        AllocationView allocation = JsonSerializer.Deserialize(await fixture.FarmctlAsync("allocation", "show", "--json"), ApiJsonContext.Default.AllocationView)!;
        Assert.Equal(allocation.Contracts.Single(c => c.Id == id).TargetHs, proof!.TargetHs);
        ProofHourView open = Assert.Single(proof.Hours, h => h.Open);
        Assert.True(open.TargetTerahashHours > 0);

        // The CSV's hour in progress names (at least) every miner serving the contract now, once they have served a tick.
        string[] lines = [];
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                lines = (await fixture.FarmctlAsync("contracts", "proof", id, "--csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                string last = lines[^1];
                return last.Split(',')[2] == "true" && allocated.All(m => last.Contains(m + ":", StringComparison.Ordinal));
            }, Settle, TimeSpan.FromSeconds(2)),
            "the CSV's last row is the hour in progress with the allocated miners: " + string.Join(" | ", lines));
        Assert.Equal(ProofCsv.Header, lines[0]);
    }

    private async Task<IEnumerable<string>> AllocatedAsync(string contractId)
    {
        AllocationView allocation = JsonSerializer.Deserialize(await fixture.FarmctlAsync("allocation", "show", "--json"), ApiJsonContext.Default.AllocationView)!;
        return allocation.Contracts.Single(c => c.Id == contractId).Shares.Select(s => s.MinerId).Distinct(StringComparer.Ordinal);
    }

    private static async Task<IEnumerable<string>> CellIdsAsync(IPage page, string selector)
    {
        var ids = new List<string>();
        foreach (ILocator cell in await page.Locator(selector).AllAsync())
        {
            ids.Add(await cell.GetAttributeAsync("data-miner") ?? string.Empty);
        }

        return ids.Order(StringComparer.Ordinal);
    }

    private static string Th(double hs) => (hs / 1e12).ToString("F1", CultureInfo.InvariantCulture);

    private static void AssertNoSecret(string html)
    {
        foreach (string secret in Secrets)
        {
            Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
        }
    }
}

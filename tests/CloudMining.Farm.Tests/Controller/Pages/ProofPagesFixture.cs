using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Tests.Controller.Ctl;
using CloudMining.Farm.Tests.EndToEnd;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Pages;

/// <summary>
/// A running demo-sized farm (<see cref="ContractedFarmFixture"/>: 3 racks of 8 simulated miners, agents, mosquitto,
/// three contracts) with the controller's local API, and so its web pages, on a free loopback port.
/// </summary>
public sealed class ProofPagesFixture : IAsyncLifetime
{
    private readonly ContractedFarmFixture _farm = new();

    public EndToEndFarm Farm => _farm.Farm;

    public IReadOnlyList<(string Id, string PoolUrl, string Worker, double TargetHs)> Contracts => _farm.Contracts;

    public LocalApiServer Api { get; private set; } = null!;

    public string Url => Api.Address.ToString().TrimEnd('/');

    public string TokenFile { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _farm.InitializeAsync();
        TokenFile = Path.Combine(Farm.Folder, "pages-api", LocalApiToken.DefaultFileName);
        var options = new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = TokenFile };
        Api = await LocalApiServer.StartAsync(Farm.Ops, options, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
    }

    /// <summary>Runs farmctl against this farm's API; fails the test on a non-zero exit.</summary>
    public async Task<string> FarmctlAsync(params string[] args)
    {
        (int code, string output, string error) = await FarmctlRun.InvokeAsync([.. args, "--api", Url, "--token-file", TokenFile]);
        Assert.True(code == 0, $"farmctl {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }

    public async Task DisposeAsync()
    {
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        await _farm.DisposeAsync();
    }
}

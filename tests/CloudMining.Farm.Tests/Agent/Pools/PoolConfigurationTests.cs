using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

public sealed class PoolConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-pools-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_agent_host_runs_the_reconciler_and_offers_the_desired_state_view_with_pool_credentials_bound()
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, $$"""
            { "Agent": { "Site": "s1", "RackId": "A-07", "StateDirectory": "state", "Log": { "Directory": "" },
              "ProfilesDirectory": "{{RepoPaths.FirmwareProfiles.Replace("\\", "\\\\", StringComparison.Ordinal)}}",
              "PoolCredentials": [ { "Url": "stratum+tcp://p.example:3333", "User": "acct.*", "Password": "Pw-From-File" } ],
              "Miners": [ { "Id": "m1", "Address": "10.0.0.30" } ] } }
            """);
        using IHost host = AgentHost.Build(path, new AgentHost.Overrides { ConsoleLog = false });

        Assert.IsType<DesiredPoolStateStore>(host.Services.GetRequiredService<IDesiredPoolStateView>());
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is PoolReconciler);
        Assert.Equal("Pw-From-File", host.Services.GetRequiredService<PoolCredentials>().PasswordFor("stratum+tcp://p.example:3333", "acct.w9"));
        Assert.Null(host.Services.GetRequiredService<IDesiredPoolStateView>().Current);
        Assert.Empty(AgentOptionsValidator.Check(host.Services.GetRequiredService<IOptions<AgentOptions>>().Value));
    }

    [Fact]
    public void Bad_pool_credentials_are_refused_by_key_without_echoing_the_password()
    {
        var o = new AgentOptions { RackId = "A-07", Site = "s1" };
        o.Miners.Add(new MinerOptions { Id = "m1", Address = "10.0.0.30" });
        o.PoolCredentials.Add(new PoolCredentialOptions { Url = "http://p.example:3333", User = "acct.*", Password = "Never-Shown-1" });
        o.PoolCredentials.Add(new PoolCredentialOptions { Url = "*", User = "", Password = "Never-Shown-2" });
        o.PoolCredentials.Add(new PoolCredentialOptions { Url = "*", User = "*" });

        List<string> errors = AgentOptionsValidator.Check(o);

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Agent:PoolCredentials:0:Url: 'http://p.example:3333' must start with stratum+tcp://", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Agent:PoolCredentials:1:User: is empty", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("Agent:PoolCredentials:2:Password: is missing", errors[2], StringComparison.Ordinal);
        Assert.All(errors, e => Assert.DoesNotContain("Never-Shown", e, StringComparison.Ordinal));
        Assert.DoesNotContain("Never-Shown", o.PoolCredentials[0].ToString(), StringComparison.Ordinal);
    }
}

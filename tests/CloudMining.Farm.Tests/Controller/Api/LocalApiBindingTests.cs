using System.Net;
using System.Net.Sockets;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>Where the local API may listen: loopback only unless explicitly allowed, and a taken port is a clear error.</summary>
public sealed class LocalApiBindingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("local-api-bind-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<LocalApiServer> StartAsync(LocalApiOptions options)
    {
        options.TokenFile = Path.Combine(_dir, LocalApiToken.DefaultFileName);
        return LocalApiServer.StartAsync(InMemoryControllerOperations.ThreeRacks(TestApi.Now), options, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8650")]
    [InlineData("http://192.168.1.20:8650")]
    [InlineData("http://[::]:8650")]
    public async Task Non_loopback_address_is_refused_unless_allowed(string url)
    {
        var e = await Assert.ThrowsAsync<ControllerConfigurationException>(() => StartAsync(new LocalApiOptions { Url = url }));
        Assert.Equal("Controller:Api:Url", e.Setting);
        Assert.Contains("plain HTTP", e.Message, StringComparison.Ordinal);
        Assert.Contains("AllowNonLoopback", e.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri(url), LocalApiOptionsValidator.Validate(new LocalApiOptions { Url = url, AllowNonLoopback = true }));
    }

    [Theory]
    [InlineData("127.0.0.1:8650", "not an http:// URL")]
    [InlineData("https://127.0.0.1:8650", "not an http:// URL")]
    [InlineData("http://127.0.0.1:8650/api", "path")]
    [InlineData("http://127.0.0.1", "no port")]
    [InlineData("http://controller.lan:8650", "give an IP address")]
    public void Unusable_url_is_refused_naming_the_key(string url, string message)
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => LocalApiOptionsValidator.Validate(new LocalApiOptions { Url = url }));
        Assert.Equal("Controller:Api:Url", e.Setting);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Controller_configuration_refuses_a_public_api_address_at_start()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, [new("Controller:Site", "s1"), new("Controller:Api:Url", "http://0.0.0.0:8650")])));
        Assert.Equal("Controller:Api:Url", e.Setting);
        Assert.Equal(LocalApiOptions.DefaultUrl, ControllerHost.Bind(ControllerHost.LoadConfiguration(null, [new("Controller:Site", "s1")])).Api.Url);
    }

    [Fact]
    public async Task Port_in_use_is_a_bind_error_that_says_what_to_do()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<LocalApiBindException>(() => StartAsync(new LocalApiOptions { Url = $"http://127.0.0.1:{port}" }));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("another farm-controller", e.Message, StringComparison.Ordinal);
        Assert.Contains("Controller:Api:Url", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_server_reports_its_address()
    {
        int port = FreeTcpPort.Next();
        await using LocalApiServer server = await StartAsync(new LocalApiOptions { Url = $"http://127.0.0.1:{port}" });
        Assert.Equal(port, server.Address.Port);
        Assert.Equal("127.0.0.1", server.Address.Host);
    }
}

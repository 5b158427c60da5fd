using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Shared.Logging;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Logging;

/// <summary>The one Serilog setup of both programs: the Serilog section's levels and sinks take effect, and a broken section fails at start naming its key.</summary>
public sealed class FarmLoggingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-logging-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    /// <summary>A host logging through <see cref="FarmLogging.AddFarmSerilog"/> (no console) with an in-memory provider as the observed sink.</summary>
    private static (IHost Host, InMemoryLoggerProvider Logs) Host(IConfiguration configuration)
    {
        var logs = new InMemoryLoggerProvider();
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddFarmSerilog(new FarmLogDefaults(Console: false), configuration);
        builder.Logging.AddProvider(logs);
        return (builder.Build(), logs);
    }

    private static void LogEveryLevel(ILogger logger)
    {
        logger.LogDebug("debug line");
        logger.LogInformation("info line");
        logger.LogWarning("warning line");
    }

    [Fact]
    public void Without_a_Serilog_section_the_default_level_is_Information()
    {
        (IHost host, InMemoryLoggerProvider logs) = Host(Config());
        using (host)
        {
            LogEveryLevel(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CloudMining.Farm.Test"));
        }

        Assert.Equal(["info line", "warning line"], logs.Records.Select(r => r.Message));
    }

    [Theory]
    [InlineData("Debug", new[] { "debug line", "info line", "warning line" })]
    [InlineData("Warning", new[] { "warning line" })]
    public void Serilog_MinimumLevel_changes_what_reaches_the_sink(string level, string[] expected)
    {
        (IHost host, InMemoryLoggerProvider logs) = Host(Config(("Serilog:MinimumLevel:Default", level)));
        using (host)
        {
            LogEveryLevel(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CloudMining.Farm.Test"));
        }

        Assert.Equal(expected, logs.Records.Select(r => r.Message));
    }

    [Fact]
    public void An_override_quiets_one_namespace_and_leaves_the_others()
    {
        (IHost host, InMemoryLoggerProvider logs) = Host(Config(("Serilog:MinimumLevel:Override:CloudMining.Farm.Noisy", "Error")));
        using (host)
        {
            ILoggerFactory factory = host.Services.GetRequiredService<ILoggerFactory>();
            factory.CreateLogger("CloudMining.Farm.Noisy.Poller").LogWarning("noisy warning");
            factory.CreateLogger("CloudMining.Farm.Quiet").LogWarning("quiet warning");
        }

        Assert.Equal(["quiet warning"], logs.Records.Select(r => r.Message));
    }

    [Fact]
    public void A_File_sink_from_the_section_gets_the_lines_at_its_own_level()
    {
        string path = Path.Combine(_dir, "extra.log");
        (IHost host, InMemoryLoggerProvider _) = Host(Config(
            ("Serilog:WriteTo:0:Name", "File"),
            ("Serilog:WriteTo:0:Args:path", path),
            ("Serilog:WriteTo:0:Args:restrictedToMinimumLevel", "Warning")));
        using (host)
        {
            LogEveryLevel(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CloudMining.Farm.Test"));
        }

        // Disposing the host flushed and closed the file.
        string text = File.ReadAllText(path);
        Assert.Contains("warning line", text, StringComparison.Ordinal);
        Assert.DoesNotContain("info line", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Serilog:MinimumLevel:Default", "Loud", "Serilog:MinimumLevel:Default")]
    [InlineData("Serilog:MinimumLevel", "3", "Serilog:MinimumLevel")]
    [InlineData("Serilog:MinimumLevel:Override:Microsoft", "Quiet", "Serilog:MinimumLevel:Override:Microsoft")]
    [InlineData("Serilog:WriteTo:0:Name", "Consol", "Serilog:WriteTo:0:Name")]
    [InlineData("Serilog:WriteTo:0:Args:restrictedToMinimumLevel", "Warn", "Serilog:WriteTo:0:Args:restrictedToMinimumLevel")]
    public void A_broken_section_is_refused_naming_the_key(string key, string value, string named)
    {
        IConfiguration config = key.StartsWith("Serilog:WriteTo:0:Args", StringComparison.Ordinal)
            ? Config(("Serilog:WriteTo:0:Name", "Console"), (key, value))
            : Config((key, value));

        var e = Assert.Throws<LoggingConfigurationException>(() => FarmLogging.Validate(config));
        Assert.Equal(named, e.Key);
        Assert.StartsWith(named + " is \"" + value + "\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_controller_refuses_a_broken_section_at_bind_naming_the_key()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?>
        {
            ["Controller:Site"] = "s1",
            ["Serilog:MinimumLevel:Default"] = "Chatty",
        })));
        Assert.Equal("Serilog:MinimumLevel:Default", e.Setting);
        Assert.Contains("not a log level", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_controller_does_not_report_Serilog_keys_as_unknown()
    {
        IConfiguration config = ControllerHost.LoadConfiguration(null, new Dictionary<string, string?>
        {
            ["Controller:Site"] = "s1",
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:WriteTo:0:Name"] = "Console",
        });

        Assert.Empty(ControllerHost.UnknownKeys(config));
    }

    [Fact]
    public async Task The_agent_exits_with_a_config_error_naming_the_key_of_a_broken_section()
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            Agent = new
            {
                Site = "s1", RackId = "R01", PollInterval = "00:00:01", StateDirectory = "state", ProfilesDirectory = RepoPaths.FirmwareProfiles,
                Log = new { Directory = "" }, Miners = new[] { new { Id = "m1", Address = "127.0.0.1", Port = FreeTcpPort.Next() } },
            },
            Serilog = new { WriteTo = new[] { new { Name = "Journald" } } },
        }));
        using var error = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        int code = await RunCommand.RunAsync(path, error, cts.Token, new AgentHost.Overrides { ConsoleLog = false });

        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Serilog:WriteTo:0:Name is \"Journald\"", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }
}

using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.Configuration;
using Xunit;
using InfluxDB.Client.Api.Domain;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>The configuration keys documented in docs/influx.md bind to the options as written there.</summary>
public sealed class InfluxOptionsBindingTests
{
    [Fact]
    public void Documented_keys_bind_to_client_and_write_options()
    {
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Influx:Enabled"] = "true",
            ["Influx:Url"] = "http://127.0.0.1:8086",
            ["Influx:ApiVersion"] = "2",
            ["Influx:Org"] = "farm",
            ["Influx:Bucket"] = "history",
            ["Influx:Token"] = "t0ken",
            ["Influx:Precision"] = "ms",
            ["Influx:AuthMethod"] = "QueryParameters",
            ["Influx:Timeout"] = "00:00:03",
            ["Influx:Write:BatchSize"] = "250",
            ["Influx:Write:FlushInterval"] = "00:00:02",
            ["Influx:Write:SpillDirectory"] = "/var/lib/farm-controller/influx-spill",
            ["Influx:Write:MaxConcurrentRequests"] = "1",
        }).Build();

        InfluxDBClientOptions options = config.GetSection(InfluxDBClientOptions.SectionName).Get<InfluxDBClientOptions>()!;
        WriteOptions write = config.GetSection("Influx:Write").Get<WriteOptions>()!;

        Assert.True(options.Enabled);
        Assert.Equal(InfluxApiVersion.V2, options.ApiVersion);
        Assert.Equal(WritePrecision.Ms, options.Precision);
        Assert.Equal(InfluxV1AuthMethod.QueryParameters, options.AuthMethod);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Equal(("farm", "history", "t0ken"), (options.Org, options.Bucket, options.Token));
        Assert.Equal(250, write.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(2), write.FlushInterval);
        Assert.Equal("/var/lib/farm-controller/influx-spill", write.SpillDirectory);
        Assert.Equal(1, write.MaxConcurrentRequests);
        InfluxDBClientOptionsValidator.Validate(options);
    }
}

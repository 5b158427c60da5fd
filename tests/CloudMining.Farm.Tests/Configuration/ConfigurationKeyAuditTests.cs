using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Configuration;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace CloudMining.Farm.Tests.Configuration;

/// <summary>Unknown config keys found against the options classes by reflection, with the nearest known key as the suggestion.</summary>
public sealed class ConfigurationKeyAuditTests
{
    private sealed class Sample
    {
        public string Name { get; set; } = "";

        public TimeSpan PollInterval { get; set; }

        public IList<Item> Items { get; } = new List<Item>();

        public Dictionary<string, Item> ByName { get; set; } = [];

        public Item Nested { get; set; } = new();

        public string Computed => Name + "!";
    }

    private sealed class Item
    {
        public string Address { get; set; } = "";

        public int Port { get; set; }
    }

    private static IReadOnlyList<UnknownConfigurationKey> Check(params string[] keys) =>
        new ConfigurationKeyAudit().Bind("S", typeof(Sample)).Check(keys);

    [Fact]
    public void Known_keys_pass_including_list_indexes_dictionary_keys_and_read_only_collections()
    {
        Assert.Empty(Check("S:Name", "s:pollinterval", "S:Items:0:Address", "S:Items:12:Port", "S:ByName:front:Port", "S:Nested:Address"));
    }

    [Fact]
    public void A_typo_is_reported_once_at_its_segment_with_the_nearest_sibling()
    {
        IReadOnlyList<UnknownConfigurationKey> unknown = Check("S:PollIntervall", "S:Items:3:Adress", "S:Nestd:Address", "S:Nestd:Port");
        Assert.Equal(
            [
                new UnknownConfigurationKey("S:PollIntervall", "S:PollInterval"),
                new UnknownConfigurationKey("S:Items:3:Adress", "S:Items:3:Address"),
                new UnknownConfigurationKey("S:Nestd", "S:Nested"),
            ],
            unknown);
    }

    [Fact]
    public void A_key_far_from_every_known_one_gets_no_suggestion_and_computed_properties_are_not_keys()
    {
        UnknownConfigurationKey unknown = Assert.Single(Check("S:Colour"));
        Assert.Null(unknown.Suggestion);
        Assert.Contains("check its spelling", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("S:Computed", Assert.Single(Check("S:Computed")).Key);
        Assert.Equal(new UnknownConfigurationKey("Sx", "S"), Assert.Single(Check("Sx:Name")));
    }

    [Theory]
    [InlineData("PollInterval", "PollIntervall", 1)]
    [InlineData("PollInterval", "PollIntervla", 1)] // a swap of neighbours is one edit
    [InlineData("Address", "adress", 1)] // case does not count
    [InlineData("Host", "Port", 2)]
    [InlineData("", "abc", 3)]
    public void Edit_distance_counts_insertions_deletions_substitutions_and_swaps(string a, string b, int distance) =>
        Assert.Equal(distance, EditDistance.Between(a, b));

    [Fact]
    public void The_agents_poll_interval_typo_from_the_issue_is_named()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Agent:PollIntervall", "00:00:05"), new("Agent:Miners:0:Id", "m1"), new("Agent:Hardware:Relays:0:Outlet", "A/1")])
            .Build();
        UnknownConfigurationKey unknown = Assert.Single(AgentConfiguration.UnknownKeys(configuration));
        Assert.Equal("Agent:PollIntervall is not a known key and is ignored; did you mean Agent:PollInterval?", unknown.Message);
    }

    [Fact]
    public void The_keys_the_dotnet_host_adds_are_not_reported_but_a_typo_beside_them_is()
    {
        // HostApplicationBuilder puts these in every program's configuration; the running agent once warned about them.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("contentRoot", "/srv/farm"), new("applicationName", "farm-agent"), new("environment", "Production"), new("Agent:Miners:0:Id", "m1"), new("Agent:Miners:0:Adress", "10.0.0.1")])
            .Build();
        UnknownConfigurationKey unknown = Assert.Single(AgentConfiguration.UnknownKeys(configuration));
        Assert.StartsWith("Agent:Miners:0:Adress is not a known key", unknown.Message, StringComparison.Ordinal);
        Assert.Empty(CloudMining.Farm.Controller.Hosting.ControllerHost.UnknownKeys(new ConfigurationBuilder()
            .AddInMemoryCollection([new("contentRoot", "/srv/farm"), new("applicationName", "farm-controller")]).Build()));
    }
}

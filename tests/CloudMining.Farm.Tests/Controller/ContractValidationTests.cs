using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Shared.Units;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller;

public class ContractValidationTests
{
    [Theory]
    [InlineData("stratum+tcp://btc.pool.example:3333")]
    [InlineData("stratum+ssl://10.0.0.5:443")]
    [InlineData("stratum2+tcp://v2.pool.example:3336")]
    [InlineData("STRATUM+TCP://btc.pool.example:1")]
    public void Valid_pool_urls_are_accepted_and_split(string url)
    {
        PoolAccount p = PoolAccount.Create(url, "alice.rig_7-b");

        Assert.Equal(url, p.Url);
        Assert.StartsWith("stratum", p.Scheme, StringComparison.Ordinal);
        Assert.InRange(p.Port, 1, 65535);
        Assert.False(string.IsNullOrEmpty(p.Host));
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("http://btc.pool.example:3333", "must start with stratum+tcp://")]
    [InlineData("btc.pool.example:3333", "must start with stratum+tcp://")]
    [InlineData("stratum+tcp://btc.pool.example", "scheme://host:port")]
    [InlineData("stratum+tcp://btc.pool.example:3333/path", "scheme://host:port")]
    [InlineData("stratum+tcp://user:pw@btc.pool.example:3333", "scheme://host:port")]
    [InlineData("stratum+tcp://btc.pool.example:0", "port")]
    [InlineData("stratum+tcp://btc.pool.example:70000", "port")]
    [InlineData("stratum+tcp://bad host:3333", "not a valid host")]
    public void Invalid_pool_urls_are_rejected_naming_the_url_field(string? url, string expected)
    {
        var ex = Assert.Throws<ContractValidationException>(() => PoolAccount.Create(url, "alice.rig1"));

        Assert.Equal("pool.url", ex.Field);
        Assert.StartsWith("pool.url: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("alice rig", "contains ' '")]
    [InlineData("alice/rig", "contains '/'")]
    [InlineData("älice", "contains 'ä'")]
    public void Invalid_workers_are_rejected_naming_the_worker_field(string worker, string expected)
    {
        var ex = Assert.Throws<ContractValidationException>(() => PoolAccount.Create("stratum+tcp://btc.pool.example:3333", worker));

        Assert.Equal("pool.worker", ex.Field);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Worker_names_longer_than_64_characters_are_rejected_and_64_is_accepted()
    {
        PoolAccount.Create("stratum+tcp://btc.pool.example:3333", new string('w', 64));

        var ex = Assert.Throws<ContractValidationException>(() => PoolAccount.Create("stratum+tcp://btc.pool.example:3333", new string('w', 65)));
        Assert.Equal("pool.worker", ex.Field);
        Assert.Contains("65 characters", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "customer", 100, "id")]
    [InlineData("c 1", "customer", 100, "id")]
    [InlineData("house", "customer", 100, "id")]
    [InlineData("c1", " ", 100, "customer")]
    [InlineData("c1", "customer", 0, "target")]
    [InlineData("c1", "customer", -5, "target")]
    public void Invalid_contract_fields_are_rejected_by_name(string id, string customer, double th, string field)
    {
        PoolAccount pool = PoolAccount.Create("stratum+tcp://btc.pool.example:3333", "acct.w1");
        ContractTerm term = ContractTerm.Fixed(Epoch, Epoch.AddDays(30));

        var ex = Assert.Throws<ContractValidationException>(() =>
            CloudMining.Farm.Controller.Contracts.Contract.Create(id, customer, Hashrate.FromTerahashes(th), pool, term, FeeTerms.Create(0.05m, true)));

        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Fixed_term_must_end_after_it_starts()
    {
        var ex = Assert.Throws<ContractValidationException>(() => ContractTerm.Fixed(Epoch, Epoch));
        Assert.Equal("term.end", ex.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(366)]
    public void Open_ended_term_needs_a_sensible_negative_margin_window(int days)
    {
        var ex = Assert.Throws<ContractValidationException>(() => ContractTerm.OpenEnded(Epoch, days));
        Assert.Equal("term.negativeMarginDays", ex.Field);
    }

    [Fact]
    public void Negative_maintenance_fee_is_rejected()
    {
        var ex = Assert.Throws<ContractValidationException>(() => FeeTerms.Create(-0.01m, false));
        Assert.Equal("fees.maintenancePerTerahashDay", ex.Field);
    }

    [Fact]
    public void Open_ended_contract_is_active_from_its_start_with_no_end()
    {
        ContractTerm term = ContractTerm.OpenEnded(Epoch, 3);

        Assert.Null(term.End);
        Assert.Equal(3, term.NegativeMarginDays);
        Assert.False(term.IsActiveAt(Epoch.AddSeconds(-1)));
        Assert.True(term.IsActiveAt(Epoch.AddYears(5)));
    }
}

using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Microsoft.Data.Sqlite;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

public sealed class CurtailmentTermsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-curtail-terms-").FullName;

    private string DbPath => Path.Combine(_dir, "controller.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_contract_is_protected_unless_sold_curtailable()
    {
        Assert.False(Contract("c1", 100).Curtailment.Curtailable);
        Assert.Equal("protected", CurtailmentTerms.Protected.ToString());
        Assert.Equal("up to 4.5 h per week", CurtailmentTerms.Allow(4.5, CurtailmentPeriod.Week).ToString());
    }

    [Theory]
    [InlineData(0, CurtailmentPeriod.Month, "curtailment.allowanceHours: 0 must be more than 0 and at most 744 hours per month")]
    [InlineData(25, CurtailmentPeriod.Day, "curtailment.allowanceHours: 25 must be more than 0 and at most 24 hours per day")]
    [InlineData(double.NaN, CurtailmentPeriod.Week, "curtailment.allowanceHours: NaN must be more than 0")]
    public void An_allowance_outside_its_period_is_refused_naming_the_field(double hours, CurtailmentPeriod period, string expected)
    {
        var e = Assert.Throws<ContractValidationException>(() => CurtailmentTerms.Allow(hours, period));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal("curtailment.allowanceHours", e.Field);
    }

    [Fact]
    public void A_period_that_is_not_day_week_or_month_is_refused()
    {
        var e = Assert.Throws<ContractValidationException>(() => CurtailmentTerms.ParsePeriod("fortnight"));
        Assert.Equal("curtailment.period: 'fortnight' is not a period; use day, week or month.", e.Message);
        Assert.Equal(CurtailmentPeriod.Week, CurtailmentTerms.ParsePeriod("Week"));
    }

    [Theory]
    [InlineData(CurtailmentPeriod.Day, "2026-12-06T00:00:00Z")]
    [InlineData(CurtailmentPeriod.Week, "2026-11-30T00:00:00Z")]
    [InlineData(CurtailmentPeriod.Month, "2026-12-01T00:00:00Z")]
    public void Periods_start_on_utc_day_monday_and_the_first(CurtailmentPeriod period, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CurtailmentTerms.PeriodStart(period, new DateTimeOffset(2026, 12, 6, 17, 30, 0, TimeSpan.Zero)));

    [Fact]
    public async Task Curtailment_terms_survive_the_store_and_a_protected_contract_stays_protected()
    {
        var curtailable = CloudMining.Farm.Controller.Contracts.Contract.Create("cx", "acme", Hashrate.From(50, HashrateUnit.TH), PoolAccount.Create("stratum+tcp://p.example:3333", "acme.1"),
            ContractTerm.Fixed(Epoch, Epoch.AddDays(30)), FeeTerms.Create(0, false), CurtailmentTerms.Allow(6, CurtailmentPeriod.Day));
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            await store.UpsertContractAsync(curtailable, CancellationToken.None);
            await store.UpsertContractAsync(Contract("cp", 100), CancellationToken.None);
        }

        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            IReadOnlyList<CloudMining.Farm.Controller.Contracts.Contract> read = await store.GetContractsAsync(CancellationToken.None);
            Assert.Equal(curtailable.Curtailment, read.Single(c => c.Id == "cx").Curtailment);
            Assert.Same(CurtailmentTerms.Protected, read.Single(c => c.Id == "cp").Curtailment);
        }
    }

    [Fact]
    public async Task Contracts_sold_before_the_term_existed_read_as_protected_after_the_migration()
    {
        // A store at schema version 5 (before curtailment terms), with one contract in it.
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand cmd = connection.CreateCommand();
            cmd.CommandText = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);";
            cmd.ExecuteNonQuery();
            foreach (SqliteMigration m in SqliteMigrations.All.Where(m => m.Version <= 5))
            {
#pragma warning disable CA2100 // the migrations' own constant SQL
                cmd.CommandText = m.Sql + $"INSERT INTO schema_migrations VALUES ({m.Version}, 'm', '2026-01-01T00:00:00Z');";
#pragma warning restore CA2100
                cmd.ExecuteNonQuery();
            }

            cmd.CommandText = """
                INSERT INTO contracts (id, customer, target_hs, pool_url, pool_worker, term_kind, term_start, term_end, negative_margin_days, maintenance_per_th_day, electricity_at_cost)
                VALUES ('old-1', 'acme', 1e14, 'stratum+tcp://p.example:3333', 'acme.1', 0, '2026-01-01T00:00:00.0000000Z', '2027-01-01T00:00:00.0000000Z', NULL, '0', 1);
                """;
            cmd.ExecuteNonQuery();
        }

        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None);
        Assert.Equal(SqliteMigrations.All[^1].Version, await store.GetSchemaVersionAsync(CancellationToken.None));
        var old = Assert.Single(await store.GetContractsAsync(CancellationToken.None));
        Assert.Equal("old-1", old.Id);
        Assert.False(old.Curtailment.Curtailable);
    }
}

using CloudMining.Farm.Controller.Leadership;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Leadership;

/// <summary>The PostgreSQL leader lock in-process: exactly one of two leads; when the leader's lock connection ends, the standby leads.</summary>
[Trait("Category", "Integration")]
[Collection(PostgreSqlServers.Name)]
[RequiresPostgreSql]
public sealed class ControllerLeadershipTests(PostgreSqlFixture fixture)
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);

    [StoreFact]
    public async Task Two_started_at_once_exactly_one_leads_and_the_other_names_it()
    {
        (PostgreSqlServer server, string db) = await DatabaseAsync();
        await using ControllerLeadership a = ControllerLeadership.OnPostgreSql(server.ConnectionString(db), "ctl-a", "http://127.0.0.1:8650", Retry);
        await using ControllerLeadership b = ControllerLeadership.OnPostgreSql(server.ConnectionString(db), "ctl-b", "http://127.0.0.1:8651", Retry);
        a.Start();
        b.Start();

        Assert.True(await Eventually.TrueAsync(() => a.IsLeader || b.IsLeader, TimeSpan.FromSeconds(30)), "neither took the lead");

        // Several retry rounds later it is still exactly one.
        bool both = false;
        await Eventually.TrueAsync(() => { both |= a.IsLeader && b.IsLeader; return false; }, TimeSpan.FromSeconds(2), Retry / 2);
        Assert.False(both, "both led at once");
        Assert.True(a.IsLeader ^ b.IsLeader);
        (ControllerLeadership leader, ControllerLeadership standby) = a.IsLeader ? (a, b) : (b, a);
        Assert.Null(leader.StandbyMessage);
        Assert.True(await Eventually.TrueAsync(() => standby.StandbyMessage?.Contains($"the leader is {leader.Instance}", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10)), standby.StandbyMessage);
        Assert.Contains(leader == a ? "http://127.0.0.1:8650" : "http://127.0.0.1:8651", standby.StandbyMessage, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task When_the_leaders_connection_ends_it_stops_leading_and_the_standby_leads()
    {
        (PostgreSqlServer server, string db) = await DatabaseAsync();
        await using ControllerLeadership a = ControllerLeadership.OnPostgreSql(server.ConnectionString(db), "ctl-a", null, Retry);
        a.Start();
        Assert.True(await Eventually.TrueAsync(() => a.IsLeader, TimeSpan.FromSeconds(30)));
        await using ControllerLeadership b = ControllerLeadership.OnPostgreSql(server.ConnectionString(db), "ctl-b", null, Retry);
        b.Start();
        Assert.True(await Eventually.TrueAsync(() => b.StandbyMessage?.Contains("the leader is ctl-a", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10)), b.StandbyMessage);

        // The leader's lock connection dies (what a SIGKILL or a lost host does to it).
        await server.ExecuteAsync(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'farm-controller leader lock (ctl-a)%';");

        Assert.True(await Eventually.TrueAsync(() => a.Lost.IsCancellationRequested, TimeSpan.FromSeconds(10)), "the old leader did not notice it lost the lock");
        Assert.False(a.IsLeader);
        Assert.True(await Eventually.TrueAsync(() => b.IsLeader, TimeSpan.FromSeconds(30)), "the standby did not take the lead within 30 s: " + b.StandbyMessage);
    }

    [Fact]
    public void The_only_controller_on_sqlite_leads_from_the_start()
    {
        ControllerLeadership single = ControllerLeadership.Sole("ctl");
        Assert.True(single.IsLeader);
        Assert.Null(single.StandbyMessage);
    }

    private async Task<(PostgreSqlServer Server, string Database)> DatabaseAsync()
    {
        PostgreSqlServer server = await fixture.ServerAsync();
        string db = await server.CreateDatabaseAsync("lead");
        await using (await PostgreSqlControllerStore.OpenAsync(server.ConnectionString(db), CancellationToken.None))
        {
            // Migrated: engine_meta, where the leader records itself, exists.
        }

        return (server, db);
    }
}

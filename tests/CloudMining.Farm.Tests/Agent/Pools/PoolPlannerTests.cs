using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

public sealed class PoolPlannerTests
{
    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    private static FirmwareProfile Profile(string name) => Catalog.TryGet(name, out FirmwareProfile p) ? p : throw new InvalidOperationException(name);

    private static PoolReading Reading(int index, string host, bool enabled = true, int? quota = 1) =>
        new() { Index = index, Url = $"stratum+tcp://{host}:3333", User = host + ".w", Priority = index, Status = enabled ? "Alive" : "Disabled", Quota = quota };

    private static PoolTarget Target(string host, int priority, int? quota = null) => new($"stratum+tcp://{host}:3333", host + ".w", priority, quota);

    private static string Password(string url, string user) => "pw";

    private static string[] Steps(PoolChangePlan plan) =>
        [.. plan.Steps.Select(s => s.Action + ":" + string.Join(",", s.Values.Where(v => v.Key != "url" && v.Key != "user").Select(v => $"{v.Key}={v.Value}")))];

    [Fact]
    public void Pools_already_as_desired_need_no_step()
    {
        PoolReading[] current = [Reading(0, "a"), Reading(1, "b")];
        PoolTarget[] desired = [Target("b", 1), Target("a", 0)];

        Assert.Null(PoolComparison.Difference(desired, current));
        Assert.Empty(PoolPlanner.Plan(desired, current, Profile("generic-cgminer"), Password).Steps);
    }

    [Fact]
    public void Without_set_priority_the_plan_switches_as_few_pools_as_it_can_and_removes_the_rest()
    {
        PoolReading[] current = [Reading(0, "op"), Reading(1, "backup")];
        PoolTarget[] desired = [Target("cust", 0), Target("op", 1)];

        PoolChangePlan plan = PoolPlanner.Plan(desired, current, Profile("innosilicon"), Password);

        // op already follows where it should once cust is on top: one switch, not two.
        Assert.Equal(["AddPool:password=pw", "SwitchPool:index=2", "RemovePool:index=1"], Steps(plan));
        Assert.True(plan.Steps[^1].DisableIfRefused);
    }

    [Fact]
    public void With_set_priority_the_plan_enables_sets_quota_orders_once_and_removes_extras()
    {
        PoolReading[] current = [Reading(0, "a"), Reading(1, "b"), Reading(2, "c", enabled: false)];
        PoolTarget[] desired = [Target("c", 0, quota: 5), Target("a", 1)];

        PoolChangePlan plan = PoolPlanner.Plan(desired, current, Profile("generic-cgminer"), Password);

        Assert.Equal(["EnablePool:index=2", "SetQuota:index=2,quota=5", "SetPriority:indexes=2,0", "RemovePool:index=1"], Steps(plan));
    }

    [Fact]
    public void Extra_pools_are_removed_from_the_highest_index_down_so_indexes_stay_valid()
    {
        PoolReading[] current = [Reading(0, "x0"), Reading(1, "d"), Reading(2, "x2"), Reading(3, "x3")];

        PoolChangePlan plan = PoolPlanner.Plan([Target("d", 0)], current, Profile("generic-cgminer"), Password);

        Assert.Equal(["SetPriority:indexes=1", "RemovePool:index=3", "RemovePool:index=2", "RemovePool:index=0"], Steps(plan));
    }

    [Fact]
    public void A_read_only_firmware_profile_gets_a_reason_instead_of_a_plan()
    {
        PoolChangePlan plan = PoolPlanner.Plan([Target("cust", 0)], [Reading(0, "op")], Profile("whatsminer"), Password);

        Assert.False(plan.IsPossible);
        Assert.Empty(plan.Steps);
        Assert.Contains("'whatsminer' cannot add pools", plan.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_summaries_never_hold_the_password()
    {
        PoolChangePlan plan = PoolPlanner.Plan([Target("cust", 0)], [Reading(0, "op")], Profile("generic-cgminer"), (_, _) => "S3cret-Pw");

        Assert.Equal("S3cret-Pw", plan.Steps[0].Values["password"]);
        Assert.All(plan.Steps, s => Assert.DoesNotContain("S3cret-Pw", s.Summary, StringComparison.Ordinal));
    }

    [Fact]
    public void The_most_specific_pool_credential_wins_and_unknown_pools_get_x()
    {
        var credentials = new PoolCredentials(
        [
            new PoolCredentialOptions { Url = "*", User = "*", Password = "any" },
            new PoolCredentialOptions { Url = "stratum+tcp://p.example:3333", User = "acct.*", Password = "prefix" },
            new PoolCredentialOptions { Url = "stratum+tcp://p.example:3333", User = "acct.w1", Password = "exact" },
        ]);

        Assert.Equal("exact", credentials.PasswordFor("STRATUM+TCP://p.example:3333", "acct.w1"));
        Assert.Equal("prefix", credentials.PasswordFor("stratum+tcp://p.example:3333", "acct.w2"));
        Assert.Equal("any", credentials.PasswordFor("stratum+tcp://q.example:3333", "other"));
        Assert.Equal(PoolCredentials.DefaultPassword, new PoolCredentials([]).PasswordFor("stratum+tcp://q.example:3333", "other"));
    }

    [Fact]
    public void Validation_names_rack_problems_for_the_whole_state_and_priority_and_worker_problems_for_the_entry()
    {
        var options = new AgentOptions { Site = "s1", RackId = "r1" };
        options.Miners.Add(new MinerOptions { Id = "m1", Address = "10.0.0.1", Profile = "antminer" });
        options.Miners.Add(new MinerOptions { Id = "m2", Address = "10.0.0.2", Profile = "antminer" });
        MinerPoolAssignment good = new("m2", [new PoolTarget("stratum+tcp://p.example:3333", "w2", 0)]);
        var desired = new DesiredPoolStatePayload
        {
            Publisher = "controller",
            Seq = 1,
            Timestamp = DateTimeOffset.UnixEpoch,
            Site = "s1",
            Rack = "r2",
            Generation = 2,
            Miners = [new MinerPoolAssignment("m1", [new PoolTarget("stratum+tcp://p.example:3333", "bad worker", 0), new PoolTarget("stratum+tcp://q.example:3333", "w", 0, Quota: 0)]), good],
        };

        DesiredPoolStateValidation whole = DesiredPoolStateValidator.Validate(desired, options, 1, _ => Profile("antminer"));
        Assert.False(whole.IsUsable);
        Assert.StartsWith("site/rack: the state is for s1/r2", Assert.Single(whole.Problems), StringComparison.Ordinal);
        Assert.Empty(whole.Accepted);

        DesiredPoolStateValidation partly = DesiredPoolStateValidator.Validate(desired with { Rack = "r1" }, options, 1, _ => Profile("antminer"));
        Assert.True(partly.IsUsable);
        Assert.Equal([good], partly.Accepted);
        RejectedMinerEntry rejected = Assert.Single(partly.Rejected);
        Assert.Equal((0, "m1"), (rejected.Index, rejected.MinerId));
        Assert.Contains("miners[0] (m1).pools[0].user: 'bad worker' contains ' '", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("miners[0] (m1).pools[1].priority: 0 is also the priority of pools[0]", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("miners[0] (m1).pools[1].quota: 0 is below 1", rejected.Reason, StringComparison.Ordinal);
    }
}

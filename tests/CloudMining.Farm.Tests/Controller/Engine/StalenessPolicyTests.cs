using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>When silence counts as a lost miner: not while the broker is away, not right after it is back, not within an agent's offline grace.</summary>
public sealed class StalenessPolicyTests
{
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly BrokerOutageGate _gate = new();
    private readonly FleetState _fleet;
    private readonly StalenessPolicy _policy;
    private long _seq;

    public StalenessPolicyTests()
    {
        _fleet = new FleetState(_clock);
        _policy = new StalenessPolicy(_gate, new EngineOptions { TelemetryStaleS = Stale.TotalSeconds, AgentOfflineGraceMin = 3 });
    }

    [Fact]
    public void Nothing_is_stale_while_the_broker_is_away_however_long_the_silence()
    {
        _gate.Connected(_clock.GetUtcNow());
        Report("m1");
        _gate.Disconnected();
        _clock.Advance(TimeSpan.FromMinutes(30));

        Assert.False(IsStale("m1"));
        Assert.False(_policy.Settled(["m1"], _fleet.Racks(), _clock.GetUtcNow()));
    }

    [Fact]
    public void After_a_reconnect_a_miner_is_stale_only_after_a_full_window_without_telemetry()
    {
        _gate.Connected(_clock.GetUtcNow());
        Report("m1");
        Report("m2");
        _gate.Disconnected();
        _clock.Advance(TimeSpan.FromSeconds(61));
        _gate.Connected(_clock.GetUtcNow());

        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(IsStale("m1"));
        Assert.False(_policy.Settled(["m1", "m2"], _fleet.Racks(), _clock.GetUtcNow()));
        Report("m2");

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(IsStale("m1"));
        Assert.False(IsStale("m2"));
        Assert.True(_policy.Settled(["m1", "m2"], _fleet.Racks(), _clock.GetUtcNow()));
    }

    [Fact]
    public void The_loop_settles_early_once_every_allocated_miner_was_heard_since_the_connection()
    {
        Report("m1");
        Report("m2");
        _clock.Advance(TimeSpan.FromSeconds(1));
        _gate.Connected(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_policy.Settled(["m1", "m2"], _fleet.Racks(), _clock.GetUtcNow()));

        Report("m1");
        Assert.False(_policy.Settled(["m1", "m2"], _fleet.Racks(), _clock.GetUtcNow()));
        Report("m2");

        // Telemetry alone is not enough: until the rack's agent status (with the miners' capabilities) is heard, the
        // miners would look unenforceable and a re-solve would move them for nothing.
        Assert.False(_policy.Settled(["m1", "m2"], _fleet.Racks(), _clock.GetUtcNow()));
        _fleet.Apply(new AgentStatusPayload
        {
            Publisher = "agent-s1-r1",
            Seq = ++_seq,
            Timestamp = _clock.GetUtcNow(),
            Site = "s1",
            Rack = "r1",
            State = AgentState.Online,
            Capabilities = [TestCapabilities.Writable("m1", "antminer", quota: false), TestCapabilities.Writable("m2", "antminer", quota: false)],
        });
        Assert.True(_policy.Settled(["m1", "m2"], _fleet.Racks(), _clock.GetUtcNow()));
    }

    [Fact]
    public void An_agent_that_never_reports_capabilities_only_delays_the_loop_until_the_calm_has_passed()
    {
        Report("m1");
        _gate.Connected(_clock.GetUtcNow());
        Report("m1");
        Agent(AgentState.Online);
        Assert.False(_policy.Settled(["m1"], _fleet.Racks(), _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(_policy.Settled(["m1"], _fleet.Racks(), _clock.GetUtcNow()));
    }

    [Fact]
    public void An_agent_offline_keeps_its_miners_for_the_grace_period_then_they_are_lost()
    {
        _gate.Connected(_clock.GetUtcNow());
        Agent(AgentState.Online);
        Report("m1");
        Agent(AgentState.Offline);

        _clock.Advance(TimeSpan.FromMinutes(2.9));
        RackJudgement within = _policy.Judge(Rack(), _clock.GetUtcNow());
        Assert.False(within.AgentLost);
        Assert.False(IsStale("m1"));

        _clock.Advance(TimeSpan.FromMinutes(0.2));
        Assert.True(_policy.Judge(Rack(), _clock.GetUtcNow()).AgentLost);
    }

    [Fact]
    public void An_agent_back_online_is_held_until_its_first_telemetry_then_gets_a_full_window()
    {
        _gate.Connected(_clock.GetUtcNow());
        Agent(AgentState.Online);
        Report("m1");
        Report("m2");
        Agent(AgentState.Offline);
        _clock.Advance(TimeSpan.FromSeconds(90));
        Agent(AgentState.Online);

        // Restarted and still probing: longer than a window without a word, yet nothing is stale.
        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.False(IsStale("m1"));

        // Its first cycle reports m2 only: from then on m1 has one window.
        Report("m2");
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(IsStale("m1"));
        Report("m2");
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(IsStale("m1"));
        Assert.False(IsStale("m2"));
    }

    [Fact]
    public void An_agent_back_online_that_never_reports_is_judged_after_the_grace()
    {
        _gate.Connected(_clock.GetUtcNow());
        Agent(AgentState.Online);
        Report("m1");
        Agent(AgentState.Offline);
        _clock.Advance(TimeSpan.FromSeconds(90));
        Agent(AgentState.Online);

        _clock.Advance(TimeSpan.FromMinutes(2.9));
        Assert.False(IsStale("m1"));
        _clock.Advance(TimeSpan.FromMinutes(0.2));
        Assert.True(IsStale("m1"));
    }

    [Fact]
    public void Without_outages_staleness_is_judged_as_before()
    {
        _gate.Connected(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMinutes(5));
        Report("m1");
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True(IsStale("m1"));
        Assert.True(_policy.Settled(["m1"], _fleet.Racks(), _clock.GetUtcNow()));
    }

    [Fact]
    public void A_calm_window_longer_than_the_stale_window_holds_staleness_that_long()
    {
        // A grace shorter than the calm, so the calm is what holds the silent rack here.
        var longCalm = new StalenessPolicy(_gate, new EngineOptions { TelemetryStaleS = 60, ReconnectCalmS = 300, AgentOfflineGraceMin = 1 });
        Report("m1");
        _gate.Connected(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(299));
        Assert.False(StaleUnder(longCalm, "m1"));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(StaleUnder(longCalm, "m1"));
    }

    [Fact]
    public void A_rack_silent_since_the_reconnect_is_held_for_the_offline_grace_then_judged()
    {
        _gate.Connected(_clock.GetUtcNow());
        Report("m1");
        _gate.Disconnected();
        _clock.Advance(TimeSpan.FromSeconds(61));
        _gate.Connected(_clock.GetUtcNow());

        // Its agent is still in its own reconnect backoff: well past the stale window, nothing from the rack yet.
        _clock.Advance(TimeSpan.FromSeconds(150));
        Assert.False(IsStale("m1"));
        Assert.False(_policy.Judge(Rack(), _clock.GetUtcNow()).AgentLost);

        // Past the 3 min grace from the connection the silence counts.
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(IsStale("m1"));
    }

    [Fact]
    public void A_rack_heard_since_the_reconnect_is_judged_by_the_window_not_the_grace()
    {
        _gate.Connected(_clock.GetUtcNow());
        Report("m1");
        Report("m2");
        _gate.Disconnected();
        _clock.Advance(TimeSpan.FromSeconds(61));
        _gate.Connected(_clock.GetUtcNow());
        Report("m2");

        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True(IsStale("m1"));
    }

    private RackLiveState Rack() => Assert.Single(_fleet.Racks());

    private bool IsStale(string minerId) => StaleUnder(_policy, minerId);

    private bool StaleUnder(StalenessPolicy p, string minerId)
    {
        DateTimeOffset now = _clock.GetUtcNow();
        RackJudgement judgement = p.Judge(Rack(), now);
        MinerLiveState live = StalenessPolicy.Effective(_fleet.Miner("s1", "r1", minerId)!, judgement, now);
        return judgement.AgentLost || now - live.TelemetryAt > p.Stale;
    }

    private void Report(string minerId) => _fleet.Apply(new MinerTelemetryPayload
    {
        Publisher = "agent-s1-r1",
        Seq = ++_seq,
        Timestamp = _clock.GetUtcNow(),
        Site = "s1",
        Rack = "r1",
        MinerId = minerId,
        Profile = "antminer",
        Hashrate5sHs = 100e12,
    });

    private void Agent(AgentState state) => _fleet.Apply(new AgentStatusPayload
    {
        Publisher = "agent-s1-r1",
        Seq = ++_seq,
        Timestamp = _clock.GetUtcNow(),
        Site = "s1",
        Rack = "r1",
        State = state,
    });
}

using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Polling;

public sealed class MinerHealthTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static MinerSnapshot Hashing(double ths) => new()
    {
        Identity = new MinerIdentity { Profile = "antminer-stock" },
        Hashrate5s = Hashrate.FromTerahashes(ths),
    };

    [Fact]
    public void Logs_one_line_per_state_change_and_none_while_the_state_holds()
    {
        var logs = new InMemoryLoggerProvider();
        var tracker = new MinerHealthTracker([new MinerOptions { Id = "m1", Address = "10.0.0.1" }], logs.CreateLogger<MinerHealthTracker>());
        MinerPollOutcome ok = MinerHealthClassifier.FromSnapshot(Hashing(100), null, 80);
        MinerPollOutcome refused = MinerHealthClassifier.FromError(new MinerApiError(MinerApiErrorKind.Unreachable, "connection refused"));

        tracker.Record(0, ok, T0, TimeSpan.FromMilliseconds(5));
        tracker.Record(0, ok, T0.AddSeconds(10), TimeSpan.FromMilliseconds(5));
        tracker.Record(0, refused, T0.AddSeconds(20), TimeSpan.FromMilliseconds(5));
        tracker.Record(0, refused, T0.AddSeconds(30), TimeSpan.FromMilliseconds(5));
        tracker.Record(0, ok, T0.AddSeconds(40), TimeSpan.FromMilliseconds(5));

        Assert.Equal(
            ["Ok", "Unreachable", "Ok"],
            logs.Records.Select(r => r.Property("State")));
        InMemoryLoggerProvider.LogRecord down = logs.Records[1];
        Assert.Equal("m1", down.Property("MinerId"));
        Assert.Equal("10.0.0.1", down.Property("Address"));
        Assert.Equal("Miner m1 at 10.0.0.1 is now Unreachable: Unreachable: connection refused", down.Message);

        MinerPollStatus h = tracker[0];
        Assert.Equal(T0.AddSeconds(40), h.LastSuccessAt);
        Assert.Equal("Unreachable: connection refused", h.LastError);
        Assert.Equal(0, h.ConsecutiveFailures);
        Assert.Equal(3, h.Successes);
        Assert.Equal(2, h.Failures);
    }

    [Fact]
    public void Failed_poll_keeps_the_last_good_snapshot_and_its_time()
    {
        var tracker = new MinerHealthTracker([new MinerOptions { Id = "m1", Address = "10.0.0.1" }], new InMemoryLoggerProvider().CreateLogger<MinerHealthTracker>());
        tracker.Record(0, MinerHealthClassifier.FromSnapshot(Hashing(100), null, 80), T0, TimeSpan.Zero);
        tracker.Record(0, MinerHealthClassifier.FromError(new MinerApiError(MinerApiErrorKind.Timeout, "no reply")), T0.AddSeconds(10), TimeSpan.Zero);
        Assert.Equal(MinerHealthState.Timeout, tracker[0].State);
        Assert.Equal(100e12, tracker[0].Snapshot!.Hashrate5s!.Value.HashesPerSecond, 1);
        Assert.Equal(T0, tracker[0].LastSuccessAt);
        Assert.Equal(1, tracker[0].ConsecutiveFailures);
    }

    [Theory]
    [InlineData(100, 110, MinerHealthState.Ok)]
    [InlineData(80, 100, MinerHealthState.Ok)]
    [InlineData(79, 100, MinerHealthState.Degraded)]
    [InlineData(0, 100, MinerHealthState.NotHashing)]
    public void Hashrate_against_nominal_decides_ok_degraded_or_not_hashing(double ths, double nominalThs, MinerHealthState expected)
    {
        MinerPollOutcome o = MinerHealthClassifier.FromSnapshot(Hashing(ths), Hashrate.FromTerahashes(nominalThs), 80);
        Assert.Equal(expected, o.State);
    }

    [Theory]
    [InlineData(MinerApiErrorKind.Unreachable, MinerHealthState.Unreachable)]
    [InlineData(MinerApiErrorKind.Timeout, MinerHealthState.Timeout)]
    [InlineData(MinerApiErrorKind.MalformedReply, MinerHealthState.Malformed)]
    [InlineData(MinerApiErrorKind.AccessDenied, MinerHealthState.AccessDenied)]
    [InlineData(MinerApiErrorKind.UnsupportedReply, MinerHealthState.Failing)]
    public void Each_error_kind_maps_to_its_state(MinerApiErrorKind kind, MinerHealthState expected)
    {
        Assert.Equal(expected, MinerHealthClassifier.FromError(new MinerApiError(kind, "x")).State);
    }

    [Fact]
    public void Pool_password_in_a_garbled_reply_never_reaches_the_reason()
    {
        var error = new MinerApiError(MinerApiErrorKind.MalformedReply, "unexpected token") { Excerpt = "\"URL\":\"stratum+tcp://p:3333\",\"User\":\"w1\",\"Pass\":\"hunter2\"}" };
        MinerPollOutcome o = MinerHealthClassifier.FromError(error);
        Assert.DoesNotContain("hunter2", o.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", o.Error, StringComparison.Ordinal);
        Assert.Contains("\"Pass\":\"***", o.Reason, StringComparison.Ordinal);
    }
}

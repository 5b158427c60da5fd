using CloudMining.Farm.Controller.Admission;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Admission;

/// <summary>Probation of new miner ids and one rack per miner id, on a manual clock.</summary>
public sealed class MinerAdmissionTests : IDisposable
{
    private static readonly TimeSpan Reading = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryLoggerProvider _log = new();
    private readonly MinerAdmission _admission;

    public MinerAdmissionTests()
    {
        _admission = new MinerAdmission(probationReadings: 5, probationSpan: TimeSpan.FromMinutes(3), ownerSilent: TimeSpan.FromMinutes(10), _log.CreateLogger("admission"));
        _admission.Load([new KnownMiner("known-1", "R01", _clock.GetUtcNow())], ["allocated-1"], _clock.GetUtcNow());
    }

    [Fact]
    public void A_new_miner_id_is_admitted_only_after_enough_healthy_readings_over_the_span()
    {
        for (int i = 0; i < 4; i++)
        {
            Assert.Empty(Step(Sighting("new-1", "R01")));
        }

        Assert.True(_admission.OnProbation.ContainsKey("new-1"));

        // Five readings, then six, but not yet three minutes of them.
        Assert.Empty(Step(Sighting("new-1", "R01")));
        Assert.Empty(Step(Sighting("new-1", "R01")));
        Assert.Contains(("new-1", "R01"), Step(Sighting("new-1", "R01")));
        Assert.False(_admission.OnProbation.ContainsKey("new-1"));
        Assert.Equal("R01", Assert.Single(_admission.TakeChanges()).Rack);
    }

    [Fact]
    public void An_unhealthy_reading_starts_probation_again_and_a_repeated_reading_counts_once()
    {
        for (int i = 0; i < 4; i++)
        {
            Step(Sighting("new-1", "R01"));
        }

        Step(Sighting("new-1", "R01", healthy: false));
        Assert.Equal(0, _admission.OnProbation["new-1"].HealthyReadings);

        MinerSighting same = Sighting("new-1", "R01");
        _admission.Admit([same], _clock.GetUtcNow());
        _admission.Admit([same], _clock.GetUtcNow());
        Assert.Equal(1, _admission.OnProbation["new-1"].HealthyReadings);
    }

    [Fact]
    public void Miners_the_store_knows_are_admitted_at_once_and_an_allocated_id_belongs_to_the_rack_reporting_it()
    {
        DateTimeOffset at = _clock.GetUtcNow();
        IReadOnlySet<(string, string)> admitted = Step(Sighting("known-1", "R01"), Sighting("allocated-1", "R03"));
        Assert.Contains(("known-1", "R01"), admitted);
        Assert.Contains(("allocated-1", "R03"), admitted);
        Assert.Equal(new KnownMiner("allocated-1", "R03", at), Assert.Single(_admission.TakeChanges()));
    }

    [Fact]
    public void The_same_id_from_a_second_rack_is_a_conflict_not_a_move()
    {
        IReadOnlySet<(string, string)> admitted = Step(Sighting("known-1", "R01"), Sighting("known-1", "R02"));

        Assert.Equal([("known-1", "R01")], admitted);
        MinerConflict conflict = Assert.Single(_admission.Conflicts);
        Assert.Equal(("known-1", "R01", "R02"), (conflict.MinerId, conflict.OwnerRack, conflict.ClaimingRack));
        Assert.Contains(_log.Records, e => e.Message.Contains("Miner id conflict", StringComparison.Ordinal) && e.Message.Contains("R02", StringComparison.Ordinal));
        Assert.Empty(_admission.TakeChanges());

        // Still no move while its own rack keeps reporting it.
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal([("known-1", "R01")], Step(Sighting("known-1", "R01"), Sighting("known-1", "R02")));
        }

        Assert.Single(_admission.Conflicts);
    }

    [Fact]
    public void A_miner_its_rack_stopped_reporting_for_the_owner_silent_period_moves_to_the_rack_that_reports_it()
    {
        MinerSighting last = Sighting("known-1", "R01");
        Step(last);
        for (int i = 0; i < 19; i++)
        {
            // Its own rack's (old) reading is the one the allocator sees, and judges stale; nothing moves.
            Assert.Equal([("known-1", "R01")], Step(last, Sighting("known-1", "R02")));
        }

        Assert.Single(_admission.Conflicts);
        IReadOnlySet<(string, string)> admitted = Step(last, Sighting("known-1", "R02"));

        Assert.Equal([("known-1", "R02")], admitted);
        Assert.Empty(_admission.Conflicts);
        Assert.Equal("R02", Assert.Single(_admission.TakeChanges()).Rack);
        Assert.Equal("R02", _admission.OwnerOf("known-1"));
    }

    [Fact]
    public void A_new_id_from_two_racks_is_on_probation_on_one_of_them_only()
    {
        IReadOnlySet<(string, string)> admitted = new HashSet<(string, string)>();
        for (int i = 0; i < 10; i++)
        {
            admitted = Step(Sighting("new-2", "R01"), Sighting("new-2", "R02"));
        }

        Assert.Equal([("new-2", "R01")], admitted);
        Assert.Equal("R02", Assert.Single(_admission.Conflicts).ClaimingRack);
    }

    public void Dispose() => _log.Dispose();

    private IReadOnlySet<(string, string)> Step(params MinerSighting[] sightings)
    {
        IReadOnlySet<(string, string)> admitted = _admission.Admit(sightings, _clock.GetUtcNow());
        _clock.Advance(Reading);
        return admitted;
    }

    private MinerSighting Sighting(string minerId, string rack, bool healthy = true) => new(minerId, rack, _clock.GetUtcNow(), healthy);
}

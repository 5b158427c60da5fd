using System.Text;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Telemetry;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

public sealed class ReportedStateBudgetTests
{
    private static readonly JsonSchemaSubsetValidatorSet Schemas = new();

    /// <summary>
    /// The worst a report can hold after the per-field bounds: every miner failed with a reason of the longest length in
    /// characters that JSON escapes to six bytes each, the most pools listed with the longest URLs and workers of the
    /// same, every rejected entry listed, and a whole rejection.
    /// </summary>
    private static ReportedPoolStatePayload WorstCase(int miners)
    {
        string Worst(int chars) => new('\u2028', chars); // escaped as \u2028 by System.Text.Json
        var pools = Enumerable.Range(0, ReportedStateBudget.MaxPoolsListed).Select(i => new PoolTarget(Worst(ReportedStateBudget.MaxEchoChars), Worst(ReportedStateBudget.MaxEchoChars), i, 1000)).ToList();
        string id(int i) => $"R01-{i:0000}-" + new string('x', FarmTopics.MaxIdLength - 10);
        var statuses = Enumerable.Range(0, miners).Select(i => new ReportedMinerStatus(id(i), ReportedMinerState.Failed, long.MaxValue, Worst(ReportedStateBudget.MaxReasonChars), DateTimeOffset.MaxValue)).ToList();
        statuses.AddRange(Enumerable.Range(0, ReportedStateBudget.MaxRejectedListed).Select(i => new ReportedMinerStatus(id(miners + i), ReportedMinerState.Rejected, Reason: Worst(ReportedStateBudget.MaxReasonChars))));
        return new ReportedPoolStatePayload
        {
            Publisher = new string('p', 128),
            Seq = long.MaxValue,
            Timestamp = DateTimeOffset.MaxValue,
            Site = new string('s', 64),
            Rack = new string('r', 64),
            Generation = long.MaxValue,
            Miners = [.. Enumerable.Range(0, miners).Select(i => new MinerPoolAssignment(id(i), pools, new string('c', 64)))],
            Errors = [.. statuses.Select(s => $"{s.MinerId}: {s.State}: {s.Reason}"), "43 more desired entries rejected (not listed; 63 in all)", "desired generation 9 rejected: " + Worst(ReportedStateBudget.MaxReasonChars * 4)],
            Applied = false,
            MinerStatus = statuses,
            Rejected = new ReportedRejection(long.MaxValue, Worst(ReportedStateBudget.MaxReasonChars * 4)),
        };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(200)]
    [InlineData(5000)]
    public void The_worst_case_report_of_any_rack_fits_the_budget_and_stays_valid(int miners)
    {
        ReportedPoolStatePayload worst = WorstCase(miners);
        Assert.True(ReportedStateBudget.SizeOf(worst) > ReportedStateBudget.MaxBytes, "the worst case is over the budget before fitting");

        ReportedPoolStatePayload fitted = ReportedStateBudget.Fit(worst);

        Assert.InRange(ReportedStateBudget.SizeOf(fitted), 1, ReportedStateBudget.MaxBytes);
        Assert.Equal((worst.Generation, worst.Applied, worst.Site, worst.Rack), (fitted.Generation, fitted.Applied, fitted.Site, fitted.Rack));
        Assert.NotNull(fitted.Rejected);
        Assert.StartsWith("report shortened to fit 131072 bytes", fitted.Errors[^1], StringComparison.Ordinal);
        Assert.Empty(Schemas.Validate(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(fitted, FarmJsonContext.Default.ReportedPoolStatePayload))));

        // What is kept is the most useful first: miners that are not applied, each named with its state.
        Assert.All(fitted.MinerStatus!, s => Assert.Contains(worst.MinerStatus!, w => (w.MinerId, w.State) == (s.MinerId, s.State)));
        Assert.All(fitted.MinerStatus!, s => Assert.NotEqual(ReportedMinerState.Applied, s.State));
    }

    [Fact]
    public void A_realistic_rack_report_is_left_whole()
    {
        var statuses = Enumerable.Range(0, 200).Select(i => new ReportedMinerStatus($"R01-{i:000}", i % 10 == 0 ? ReportedMinerState.Failed : ReportedMinerState.Applied, 7, i % 10 == 0 ? "add stratum+tcp://customer.pool.example:3333 (cust.w): The miner refused 'addpool': Access denied to 'addpool' command" : null)).ToList();
        var report = new ReportedPoolStatePayload
        {
            Publisher = string.Empty,
            Seq = 1,
            Timestamp = DateTimeOffset.UnixEpoch,
            Site = "s1",
            Rack = "R01",
            Generation = 7,
            Miners = [.. statuses.Select(s => new MinerPoolAssignment(s.MinerId, [new PoolTarget("stratum+tcp://customer.pool.example:3333", "cust." + s.MinerId, 0, 600), new PoolTarget("stratum+ssl://house.pool.example:443", "house." + s.MinerId, 1, 400)], "c-1"))],
            Errors = [.. statuses.Where(s => s.Reason is not null).Select(s => $"{s.MinerId}: failed: {s.Reason}")],
            Applied = false,
            MinerStatus = statuses,
        };

        Assert.Same(report, ReportedStateBudget.Fit(report));
    }
}

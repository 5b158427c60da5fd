using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Controller.Engine;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ledger;

/// <summary>The hourly ledger: each completed hour once per contract, across a restart, with values that add up.</summary>
public sealed class HourlyLedgerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Hours_are_filled_once_each_across_an_engine_restart_and_add_up()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync(o => o.ElectricityPricePerKwh = 0.10m);
        farm.WithMiners(racks: 2, perRack: 2, th: 100, watts: 3000);
        await farm.RunAsync(Step, Step);                       // 10:00:30, fleet known
        await farm.AddContractAsync("c1", 100);                 // one whole miner: 100 TH/s, 3 kW
        DateTimeOffset start = farm.Clock.GetUtcNow();
        await farm.RunAsync(TimeSpan.FromMinutes(150), Step);   // to 12:30:30

        // Restart in the middle of hour 12: a new engine over the same SQLite file.
        await farm.CloseAsync();
        await farm.OpenAsync();
        await farm.RunAsync(TimeSpan.FromMinutes(90), Step);    // to 14:00:30

        DateTimeOffset ten = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        IReadOnlyList<LedgerEntry> rows = await farm.Engine.GetLedgerAsync("c1", ten, ten.AddDays(1), CancellationToken.None);
        Assert.Equal([ten, ten.AddHours(1), ten.AddHours(2), ten.AddHours(3)], rows.Select(r => r.Hour));

        // Hour 10 started with the contract at 10:00:30; the others are full hours.
        Assert.Equal(100 * (3600 - 30) / 3600.0, rows[0].TargetTerahashHours, 1e-6);
        Assert.All(rows.Skip(1), r => Assert.Equal(100, r.TargetTerahashHours, 1e-6));

        // Delivered: what the pool accepted, less one 30 s step after each (re)start (the first reading is a baseline).
        Assert.All(rows, r => Assert.InRange(r.DeliveredTerahashHours / r.TargetTerahashHours, 0.985, 1.0001));
        Assert.Equal(100 * (3600 - 30 - 30) / 3600.0, rows[0].DeliveredTerahashHours, 1e-3);
        Assert.Equal(100.0, rows[1].DeliveredTerahashHours, 1e-3);
        Assert.Equal(100 * (3600 - 30) / 3600.0, rows[2].DeliveredTerahashHours, 1e-3);
        Assert.Equal(100.0, rows[3].DeliveredTerahashHours, 1e-3);

        // The pool's own counter agrees with the ledger's sum, up to the two baselines.
        double accepted = farm.Miners.Values.Sum(m => m.AcceptedOn("stratum+tcp://customer.pool.example:3333", "acct.c1"));
        double acceptedThh = accepted * 4294967296.0 / 1e12 / 3600;
        double openThh = 100 * 30 / 3600.0; // the open 14:00 hour
        Assert.Equal(acceptedThh - (2 * 100 * 30 / 3600.0) - openThh, rows.Sum(r => r.DeliveredTerahashHours), 1e-3);

        foreach (LedgerEntry r in rows)
        {
            Assert.Equal(Math.Max(0, r.TargetTerahashHours - r.DeliveredTerahashHours), r.ShortfallTerahashHours, 1e-9);
            Assert.Equal(Math.Round((decimal)r.EnergyKilowattHours * 0.10m, 8), r.ElectricityCost);
            Assert.Equal(Math.Round(0.24m * (decimal)r.DeliveredTerahashHours / 24m, 8), r.MaintenanceFee);
        }

        Assert.Equal(3.0, rows[1].EnergyKilowattHours, 1e-6);
        Assert.Equal(3.0, rows[3].EnergyKilowattHours, 1e-6);

        // Hour 12 spans the restart; its energy misses at most the step the new engine had no previous tick for.
        Assert.InRange(rows[2].EnergyKilowattHours, 3.0 * (3600 - 30) / 3600 - 1e-6, 3.0 + 1e-6);
        Assert.True(start < ten.AddMinutes(1));
    }

    [Fact]
    public async Task Ledger_of_an_ended_contract_stops_at_its_end_and_is_kept()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(Step, Step);
        await farm.AddContractAsync("c1", 100);
        await farm.RunAsync(TimeSpan.FromMinutes(80), Step);    // 11:20:30
        await farm.Engine.EndContractAsync("c1", CancellationToken.None);
        await farm.RunAsync(TimeSpan.FromMinutes(120), Step);

        DateTimeOffset ten = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        IReadOnlyList<LedgerEntry> rows = await farm.Engine.GetLedgerAsync(null, ten, ten.AddDays(1), CancellationToken.None);
        Assert.Equal([ten, ten.AddHours(1)], rows.Select(r => r.Hour));
        Assert.Equal(100 * (20.5 * 60) / 3600.0, rows[1].TargetTerahashHours, 1e-3);
        Assert.DoesNotContain(await farm.Store.LoadOpenLedgerAsync(CancellationToken.None), a => a.ContractId == "c1");
    }
}

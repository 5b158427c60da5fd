using CloudMining.Farm.Controller.Proof;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Proof;

/// <summary>Delivered hashrate from accepted-difficulty counters over a sliding window.</summary>
public sealed class DeliveryMeterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PoolKey Customer = PoolKey.Of("stratum+tcp://customer.example:3333", "alice.1");
    private static readonly PoolKey House = PoolKey.Of("stratum+tcp://house.example:3333", "op.house");

    [Theory]
    [InlineData(100e12, 10)]
    [InlineData(13.5e12, 5)]
    [InlineData(1.2e15, 30)]
    public void Steady_difficulty_rate_gives_the_rate_it_encodes(double hashrateHs, int intervalS)
    {
        var meter = new DeliveryMeter(TimeSpan.FromMinutes(15));
        double perSecond = hashrateHs / DeliveryMeter.HashesPerDifficulty;
        double counter = 5e9; // a miner that has been up for a while: the first reading is only a baseline
        for (int t = 0; t <= 20 * 60; t += intervalS)
        {
            meter.Observe("m1", Customer, counter, T0.AddSeconds(t));
            counter += perSecond * intervalS;
        }

        double delivered = meter.DeliveredHs(Customer, T0.AddSeconds(20 * 60 / intervalS * intervalS))!.Value;
        Assert.InRange(delivered / hashrateHs, 0.99, 1.01);
    }

    [Fact]
    public void The_time_since_the_latest_reading_does_not_read_as_under_delivery()
    {
        // Readings every second, judged 0.9 s after the latest: the work of those 0.9 s is not known yet, and a window
        // ending at "now" read 6 % low in a 15 s window, past a 5 % tolerance (CI, 2026-12-06).
        var meter = new DeliveryMeter(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));
        double perSecond = 50e12 / DeliveryMeter.HashesPerDifficulty;
        for (int t = 0; t <= 60; t++)
        {
            meter.Observe("m1", Customer, perSecond * t, T0.AddSeconds(t));
            meter.Observe("m2", Customer, perSecond * t, T0.AddSeconds(t).AddMilliseconds(400));
        }

        double delivered = meter.DeliveredHs(Customer, T0.AddSeconds(60.9))!.Value;
        Assert.True(Math.Abs((delivered / 100e12) - 1) < 0.005, $"read {delivered / 1e12:0.00} TH/s for 100 TH/s");

        // A miner silent for a whole window adds nothing: its share is gone, not frozen at its last rate.
        Assert.Equal(50e12, meter.DeliveredHs(Customer, T0.AddSeconds(75.2))!.Value, 50e12 * 0.005);
    }

    [Fact]
    public void A_telemetry_gap_longer_than_the_window_reads_as_the_rate_kept_not_as_a_burst()
    {
        // A 60 s broker outage with a 15 s window (the end-to-end farm's): the first reading after it carries 70 s of
        // work. Counted whole in the window it read as 4.7 times the rate and moved a contract's miners (CI, 2026-12-06).
        var meter = new DeliveryMeter(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));
        double perSecond = 100e12 / DeliveryMeter.HashesPerDifficulty;
        var readings = Enumerable.Range(0, 13).Select(i => i * 5).Concat(Enumerable.Range(0, 6).Select(i => 130 + (i * 5)));
        foreach (int t in readings)
        {
            meter.Observe("m1", Customer, 1e9 + (perSecond * t), T0.AddSeconds(t));
            if (t >= 15)
            {
                double delivered = meter.DeliveredHs(Customer, T0.AddSeconds(t))!.Value;
                Assert.True(Math.Abs((delivered / 100e12) - 1) < 0.01, $"at {t} s the meter read {delivered / 1e12:0.0} TH/s for 100 TH/s");
            }
        }
    }

    [Fact]
    public void Counter_reset_starts_a_new_baseline_and_loses_only_that_interval()
    {
        var meter = new DeliveryMeter(TimeSpan.FromMinutes(15));
        double perSecond = 100e12 / DeliveryMeter.HashesPerDifficulty;
        double counter = 0;
        for (int t = 0; t <= 1200; t += 10)
        {
            if (t == 900)
            {
                counter = perSecond * 3; // restarted: the counter starts again from almost nothing
            }

            double credited = meter.Observe("m1", Customer, counter, T0.AddSeconds(t));
            Assert.True(credited >= 0 && credited <= perSecond * 10 * 1.0001, $"credited {credited} at {t} s");
            counter += perSecond * 10;
        }

        Assert.Equal(1, meter.Resets);

        // The window (300..1200 s] holds 90 intervals; the one ending in the reset is lost, nothing is double-counted.
        double delivered = meter.DeliveredHs(Customer, T0.AddSeconds(1200))!.Value;
        Assert.Equal(100e12 * 89 / 90, delivered, 100e12 * 0.001);
    }

    [Fact]
    public void Miners_on_the_same_account_add_up_and_other_pools_do_not_count()
    {
        var meter = new DeliveryMeter(TimeSpan.FromMinutes(15));
        double perSecond = 50e12 / DeliveryMeter.HashesPerDifficulty;
        for (int t = 0; t <= 900; t += 10)
        {
            meter.Observe("m1", Customer, perSecond * t, T0.AddSeconds(t));
            meter.Observe("m2", PoolKey.Of("STRATUM+TCP://Customer.example:3333/", "Alice.1"), 2 * perSecond * t, T0.AddSeconds(t));
            meter.Observe("m1", House, 10 * perSecond * t, T0.AddSeconds(t));
        }

        Assert.Equal(150e12, meter.DeliveredHs(Customer, T0.AddSeconds(900))!.Value, 150e12 * 0.001);
        Assert.Equal(500e12, meter.DeliveredHs(House, T0.AddSeconds(900))!.Value, 500e12 * 0.001);
    }

    [Fact]
    public void Repeated_readings_and_a_too_short_span_give_no_rate()
    {
        var meter = new DeliveryMeter(TimeSpan.FromMinutes(15));
        meter.Observe("m1", Customer, 100, T0);
        Assert.Equal(50, meter.Observe("m1", Customer, 150, T0.AddSeconds(10)));
        Assert.Equal(0, meter.Observe("m1", Customer, 150, T0.AddSeconds(10)));
        Assert.Null(meter.DeliveredHs(Customer, T0.AddSeconds(30)));
        Assert.Null(meter.DeliveredHs(House, T0.AddSeconds(3000)));
        // Known up to the latest reading (10 s): the rate of what is known, not diluted by the 50 s not yet reported.
        Assert.Equal(50 * DeliveryMeter.HashesPerDifficulty / 10, meter.DeliveredHs(Customer, T0.AddSeconds(60))!.Value, 1);
    }

    [Fact]
    public void Work_older_than_the_window_falls_out()
    {
        var meter = new DeliveryMeter(TimeSpan.FromMinutes(15));
        double perSecond = 100e12 / DeliveryMeter.HashesPerDifficulty;
        double counter = 0;
        for (int t = 0; t <= 900; t += 10)
        {
            meter.Observe("m1", Customer, counter, T0.AddSeconds(t));
            counter += perSecond * 10;
        }

        // The miner stops hashing but keeps reporting: half a window later half the work is still inside it.
        for (int t = 910; t <= 900 + 450; t += 10)
        {
            meter.Observe("m1", Customer, counter, T0.AddSeconds(t));
        }

        Assert.Equal(50e12, meter.DeliveredHs(Customer, T0.AddSeconds(900 + 450))!.Value, 100e12 * 0.012);

        // Then it goes silent: a whole window without a reading and it adds nothing.
        Assert.Equal(0, meter.DeliveredHs(Customer, T0.AddSeconds(900 + 450 + 901))!.Value);
    }

    [Fact]
    public void Work_on_a_pool_no_contract_asks_about_is_kept_for_one_window_only()
    {
        // The soak's leak: only the pools a contract asked about were pruned, so every miner's house-pool counter kept one
        // record per reading forever (100,000 miners: 24 MB a minute). Two hours of readings every 10 s, never asked.
        var meter = new DeliveryMeter(TimeSpan.FromMinutes(15));
        double perSecond = 100e12 / DeliveryMeter.HashesPerDifficulty;
        for (int t = 0; t <= 2 * 3600; t += 10)
        {
            meter.Observe("m1", House, perSecond * t, T0.AddSeconds(t));
            meter.Observe("m2", House, perSecond * t, T0.AddSeconds(t));
        }

        // A window of 15 minutes holds 90 readings' work per counter, not 720.
        Assert.Equal(2 * 90, meter.CreditCount);

        // What is kept is still the whole window: the rate reads right when asked at last.
        Assert.Equal(200e12, meter.DeliveredHs(House, T0.AddSeconds(2 * 3600))!.Value, 200e12 * 0.001);
    }

    [Fact]
    public void A_counter_no_longer_read_is_forgotten_after_an_hour()
    {
        var meter = new DeliveryMeter(TimeSpan.FromMinutes(15));
        double perSecond = 100e12 / DeliveryMeter.HashesPerDifficulty;
        for (int t = 0; t <= 600; t += 10)
        {
            meter.Observe("m1", Customer, perSecond * t, T0.AddSeconds(t));
            meter.Observe("m1", House, perSecond * t, T0.AddSeconds(t));
        }

        Assert.Equal(2, meter.CounterCount);

        // The customer's pool leaves the miner's configuration; the house pool goes on.
        for (int t = 610; t <= 600 + 3600 + 900; t += 10)
        {
            meter.Observe("m1", House, perSecond * t, T0.AddSeconds(t));
        }

        Assert.Equal(1, meter.CounterCount);
        Assert.Null(meter.DeliveredHs(Customer, T0.AddSeconds(600 + 3600 + 900)));
        Assert.Equal(100e12, meter.DeliveredHs(House, T0.AddSeconds(600 + 3600 + 900))!.Value, 100e12 * 0.001);
    }
}

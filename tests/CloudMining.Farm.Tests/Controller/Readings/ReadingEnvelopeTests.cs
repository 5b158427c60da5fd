using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Tests.Firmware;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Readings;

/// <summary>The physical envelope of a reading and how a suspect miner is flagged, warned about and cleared.</summary>
public sealed class ReadingEnvelopeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReadingEnvelope Envelope = new();

    private static MinerLiveState Live(double? avg = 100e12, double? nominal = null, double? power = 3000, double? temp = 70, string? model = "Antminer S19 Pro", int second = 0, string id = "m01") => new()
    {
        Site = "s1",
        Rack = "r07",
        MinerId = id,
        Model = model,
        Hashrate5sHs = avg,
        HashrateAverageHs = avg,
        HashrateNominalHs = nominal,
        PowerW = power,
        MaxChipTempC = temp,
        TelemetryAt = T0.AddSeconds(second),
    };

    public static TheoryData<string> Folders() => FixtureDecodeTests.Folders();

    [FixtureTheory]
    [MemberData(nameof(Folders))]
    public void Every_captured_miner_reading_is_inside_the_envelope(string folder)
    {
        (_, MinerReadResult result) = FixtureMiner.Decode(folder);
        if (!result.IsSuccess)
        {
            return;
        }

        // Through the real fold: the agent's payload as the controller's fleet state keeps it.
        var fleet = new FleetState();
        fleet.Apply(MinerTelemetryPayload.From(result.Snapshot, "s1", "r07", "m01", "agent-s1-r07", 1, T0));
        MinerLiveState live = fleet.Miner("s1", "r07", "m01")!;
        Assert.Null(Envelope.Problem(live));
    }

    [Theory]
    [InlineData(1e300, "average hashrate 1E+300 H/s is above the absolute ceiling of 2.00 PH/s")]
    [InlineData(-5e12, "average hashrate -5.00 TH/s is negative")]
    [InlineData(double.PositiveInfinity, "average hashrate Infinity H/s is not a finite number")]
    [InlineData(double.NaN, "average hashrate NaN H/s is not a finite number")]
    [InlineData(2.5e15, "average hashrate 2.50 PH/s is above the absolute ceiling of 2.00 PH/s")]
    public void Hashrates_outside_the_absolute_envelope_are_named(double hs, string expected)
    {
        Assert.Equal(expected, Envelope.Problem(Live(hs)));
    }

    [Fact]
    public void A_nominal_hashrate_bounds_the_reading_and_a_model_limit_overrides_it()
    {
        Assert.Null(Envelope.Problem(Live(200e12, nominal: 104e12)));
        Assert.Equal("average hashrate 210.00 TH/s is above 2× its nominal 104.00 TH/s", Envelope.Problem(Live(210e12, nominal: 104e12)));

        // A GH/s figure read as MH/s: the nominal is a thousand times off, the reading cannot be believed.
        Assert.StartsWith("nominal hashrate", Envelope.Problem(Live(100e12, nominal: 104e18)), StringComparison.Ordinal);

        var options = new ReadingEnvelopeOptions();
        options.Models["antminer s19 pro"] = new ModelReadingLimits { MaxHashrateTh = 120, MaxPowerW = 3600 };
        var envelope = new ReadingEnvelope(options);
        Assert.Null(envelope.Problem(Live(115e12, power: 3500)));
        Assert.Equal("average hashrate 130.00 TH/s is above the 120.00 TH/s configured for model Antminer S19 Pro", envelope.Problem(Live(130e12)));
        Assert.Equal("power 3700 W is outside 0..3600 W", envelope.Problem(Live(100e12, power: 3700)));
    }

    [Theory]
    [InlineData(25000, 70, "power 25000 W is outside 0..20000 W")]
    [InlineData(-1, 70, "power -1 W is outside 0..20000 W")]
    [InlineData(3000, 400, "chip temperature 400 °C is outside -40..150 °C")]
    [InlineData(3000, -273, "chip temperature -273 °C is outside -40..150 °C")]
    public void Power_and_temperature_outside_the_envelope_are_named(double watts, double celsius, string expected)
    {
        Assert.Equal(expected, Envelope.Problem(Live(power: watts, temp: celsius)));
    }

    [Fact]
    public void A_suspect_miner_is_cleared_only_after_three_new_plausible_readings()
    {
        var suspects = new SuspectMiners();
        Assert.Null(suspects.Observe(Live(second: 0), T0));
        Assert.NotNull(suspects.Observe(Live(1e300, second: 10), T0.AddSeconds(10)));
        Assert.Equal(1, suspects.Count);

        // The same plausible reading looked at many times (every tick, every API call) counts once.
        for (int i = 0; i < 5; i++)
        {
            Assert.NotNull(suspects.Observe(Live(second: 20), T0.AddSeconds(20 + i)));
        }

        Assert.NotNull(suspects.Observe(Live(second: 30), T0.AddSeconds(30)));
        Assert.Null(suspects.Observe(Live(second: 40), T0.AddSeconds(40)));
        Assert.Null(suspects.ReasonFor("m01"));
        Assert.Equal(0, suspects.Count);

        // An implausible reading in between starts the count again.
        suspects.Observe(Live(-1, second: 50), T0.AddSeconds(50));
        suspects.Observe(Live(second: 60), T0.AddSeconds(60));
        suspects.Observe(Live(1e300, second: 70), T0.AddSeconds(70));
        suspects.Observe(Live(second: 80), T0.AddSeconds(80));
        Assert.NotNull(suspects.Observe(Live(second: 90), T0.AddSeconds(90)));

        suspects.Retain([]);
        Assert.Null(suspects.ReasonFor("m01"));
    }

    [Fact]
    public void Suspect_warnings_are_rate_limited_per_miner_and_for_the_fleet()
    {
        using var log = new InMemoryLoggerProvider();
        var options = new ReadingEnvelopeOptions { PlausibleReadingsToClear = 1, MaxLogLinesPerInterval = 3, LogInterval = TimeSpan.FromMinutes(10) };
        var suspects = new SuspectMiners(options, log.CreateLogger("test"));

        // One miner flapping every 10 s for 5 minutes: one warning.
        for (int s = 0; s < 300; s += 20)
        {
            suspects.Observe(Live(1e300, second: s), T0.AddSeconds(s));
            suspects.Observe(Live(second: s + 10), T0.AddSeconds(s + 10));
        }

        Assert.Single(log.Records, r => r.Level == LogLevel.Warning);

        // Fifty fake miners at once: three lines, then one line counting the rest when the window turns.
        for (int k = 0; k < 50; k++)
        {
            suspects.Observe(Live(1e300, second: 400, id: $"fake{k}"), T0.AddMinutes(11));
        }

        Assert.Equal(4, log.Records.Count(r => r.Level == LogLevel.Warning));
        suspects.Observe(Live(1e300, second: 1500, id: "late"), T0.AddMinutes(25));
        var warnings = log.Records.Where(r => r.Level == LogLevel.Warning).ToArray();
        Assert.Equal(6, warnings.Length);
        Assert.Contains("47 more miner(s) became suspect", warnings[4].Message, StringComparison.Ordinal);
        Assert.Contains("Miner late on rack r07 is suspect and not sold", warnings[5].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_that_make_no_sense_are_refused_naming_the_key()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ReadingEnvelopeOptionsValidator.Validate(new ReadingEnvelopeOptions { MaxHashrateTh = 1e300 }));
        Assert.Equal("Controller:Engine:Readings:MaxHashrateTh", e.Setting);
        var options = new ReadingEnvelopeOptions();
        options.Models["S21"] = new ModelReadingLimits { MaxPowerW = double.NaN };
        Assert.Equal("Controller:Engine:Readings:Models:S21:MaxPowerW", Assert.Throws<ControllerConfigurationException>(() => ReadingEnvelopeOptionsValidator.Validate(options)).Setting);
        Assert.Equal("Controller:Engine:Readings:PlausibleReadingsToClear", Assert.Throws<ControllerConfigurationException>(() => ReadingEnvelopeOptionsValidator.Validate(new ReadingEnvelopeOptions { PlausibleReadingsToClear = 0 })).Setting);
    }
}

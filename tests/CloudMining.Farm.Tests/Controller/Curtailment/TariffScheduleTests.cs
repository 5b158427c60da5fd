using CloudMining.Farm.Controller.Curtailment.Signals;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

public sealed class TariffScheduleTests
{
    private const string Berlin = """
        {
          "site": "s1",
          "currency": "EUR",
          "timeZone": "Europe/Berlin",
          "defaultPricePerMWh": 85,
          // Weekday peak and a cheap weekend noon.
          "periods": [
            { "days": ["mon", "tue", "wed", "thu", "fri"], "from": "07:00", "to": "22:00", "pricePerMWh": 140.5 },
            { "days": ["sat", "sun"], "from": "10:00", "to": "16:00", "pricePerMWh": -5 },
            { "days": ["fri"], "from": "22:00", "to": "24:00", "pricePerMWh": 99 }
          ]
        }
        """;

    [Theory]
    [InlineData("2026-12-07T06:30:00Z", 140.5)] // Monday 07:30 in Berlin (UTC+1)
    [InlineData("2026-12-07T05:59:00Z", 85)]    // Monday 06:59 local
    [InlineData("2026-12-07T21:00:00Z", 85)]    // Monday 22:00 local: the band ends before 22:00
    [InlineData("2026-12-06T10:00:00Z", -5)]    // Sunday 11:00 local
    [InlineData("2026-12-11T22:59:00Z", 99)]    // Friday 23:59 local
    [InlineData("2026-07-06T05:30:00Z", 140.5)] // Monday 07:30 in summer time (UTC+2)
    public void The_price_follows_the_local_weekday_and_time(string utc, double expected)
    {
        TariffSchedule tariff = TariffSchedule.Parse(Berlin);

        EnergyPrice price = tariff.PriceAt(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal((decimal)expected, price.PerMegawattHour);
        Assert.Equal((SignalSource.Tariff, "EUR", "s1"), (price.Source, price.Currency, price.Site));
    }

    [Theory]
    [InlineData("""{"site":"s1","currency":"EUR","timeZone":"Mars/Olympus","defaultPricePerMWh":1}""", "timeZone: 'Mars/Olympus' is not a known time zone")]
    [InlineData("""{"site":"s1","currency":"eur","timeZone":"UTC","defaultPricePerMWh":1}""", "currency: 'eur' is not an ISO 4217 code")]
    [InlineData("""{"site":"s1","currency":"EUR","timeZone":"UTC"}""", "defaultPricePerMWh: missing or not a number")]
    [InlineData("""{"site":"s1","currency":"EUR","timeZone":"UTC","defaultPricePerMWh":1,"periods":[{"days":["mon"],"from":"7am","to":"22:00","pricePerMWh":1}]}""", "periods[0].from: '7am' is not a local time HH:mm")]
    [InlineData("""{"site":"s1","currency":"EUR","timeZone":"UTC","defaultPricePerMWh":1,"periods":[{"days":["monday"],"from":"07:00","to":"22:00","pricePerMWh":1}]}""", "periods[0].days: 'monday' is not a weekday")]
    [InlineData("""{"site":"s1","currency":"EUR","timeZone":"UTC","defaultPricePerMWh":1,"periods":[{"days":["mon"],"from":"22:00","to":"06:00","pricePerMWh":1}]}""", "periods[0].to: 06:00 is not after from 22:00; split a band across midnight")]
    [InlineData("""{"site":"s1","currency":"EUR","timeZone":"UTC","defaultPricePerMWh":1,"periods":[{"days":["mon","tue"],"from":"07:00","to":"12:00","pricePerMWh":1},{"days":["tue"],"from":"11:00","to":"13:00","pricePerMWh":2}]}""", "periods[1]: overlaps periods[0] on the same weekday")]
    [InlineData("""{"site":"s1","currency":"EUR","timeZone":"UTC","defaultPricePerMWh":1e9}""", "defaultPricePerMWh: 1000000000 is outside")]
    [InlineData("""not json""", "not JSON")]
    public void A_bad_schedule_is_refused_naming_the_field(string json, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => TariffSchedule.Parse(json));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_a_bad_file_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tariff-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"site":"s1"}""");
        try
        {
            FormatException e = Assert.Throws<FormatException>(() => TariffSchedule.Load(path));
            Assert.StartsWith($"Tariff schedule '{path}': currency: missing", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using System.Text;
using CloudMining.Farm.Controller.Curtailment.Signals;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

public sealed class SignalPayloadParserTests
{
    private const string PriceTopic = "farm/v1/s1/signals/energy-price";
    private const string EventTopic = "farm/v1/s1/signals/demand-response";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static SignalParseResult<EnergyPrice> Price(string json, string topic = PriceTopic) =>
        SignalPayloadParser.ParsePrice(topic, Encoding.UTF8.GetBytes(json), "s1", Now);

    private static SignalParseResult<DemandResponseEvent> Event(string json, string topic = EventTopic) =>
        SignalPayloadParser.ParseDemandResponse(topic, Encoding.UTF8.GetBytes(json), "s1", Now);

    [Fact]
    public void A_good_price_is_read_with_its_validity()
    {
        SignalParseResult<EnergyPrice> r = Price("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":123.45,"currency":"EUR","validFrom":"2026-12-06T12:00:00Z","validUntil":"2026-12-06T13:00:00Z","publisher":"feed-1","future":"ignored"}""");

        Assert.True(r.Ok, r.Error);
        Assert.Equal((123.45m, "EUR", SignalSource.Mqtt), (r.Value!.PerMegawattHour, r.Value.Currency, r.Value.Source));
        Assert.Equal(Now.AddHours(1), r.Value.ValidUntil);
    }

    [Fact]
    public void A_good_demand_response_event_is_read()
    {
        SignalParseResult<DemandResponseEvent> r = Event("""{"schema":"farm.v1.demand-response","site":"s1","id":"grid-42","reduceKw":500,"start":"2026-12-06T12:30:00Z","end":"2026-12-06T14:30:00Z"}""");

        Assert.True(r.Ok, r.Error);
        Assert.Equal(("grid-42", 500d, TimeSpan.FromHours(2)), (r.Value!.Id, r.Value.ReduceKilowatts, r.Value.Duration));
    }

    [Theory]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s2","pricePerMWh":1,"currency":"EUR","validFrom":"2026-12-06T12:00:00Z"}""", "site 's2' in the payload does not match the topic's site 's1'")]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","pricePerMWh":1,"currency":"EUR","validFrom":"2026-12-06T12:00:00Z"}""", "schema is 'farm.v1.demand-response', expected 'farm.v1.energy-price'")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":1e30,"currency":"EUR","validFrom":"2026-12-06T12:00:00Z"}""", "not a farm.v1.energy-price JSON object")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":250000,"currency":"EUR","validFrom":"2026-12-06T12:00:00Z"}""", "pricePerMWh 250000 is outside -10000..100000")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":"12","currency":"EUR","validFrom":"2026-12-06T12:00:00Z"}""", "not a farm.v1.energy-price JSON object")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":12,"currency":"euro","validFrom":"2026-12-06T12:00:00Z"}""", "currency 'euro' is not an ISO 4217 code")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":12,"currency":"EUR"}""", "validFrom is missing")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":12,"currency":"EUR","validFrom":"2026-12-06T12:00:00Z","validUntil":"2026-12-06T11:00:00Z"}""", "is not after validFrom")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":"s1","pricePerMWh":12,"currency":"EUR","validFrom":"2027-01-06T12:00:00Z"}""", "more than 7 days ahead")]
    [InlineData("""[1,2,3]""", "not a farm.v1.energy-price JSON object")]
    [InlineData("""{"schema":""", "not a farm.v1.energy-price JSON object")]
    [InlineData("""null""", "the payload is null")]
    [InlineData("""{"schema":"farm.v1.energy-price","site":{"a":{"b":{"c":{"d":{"e":1}}}}}}""", "not a farm.v1.energy-price JSON object")]
    public void A_bad_price_is_refused_saying_why(string json, string expected)
    {
        SignalParseResult<EnergyPrice> r = Price(json);

        Assert.False(r.Ok);
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
        Assert.StartsWith(PriceTopic, r.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","id":"x","reduceKw":-5,"start":"2026-12-06T12:30:00Z","end":"2026-12-06T14:30:00Z"}""", "reduceKw -5 must be more than 0")]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","id":"x","reduceKw":5e9,"start":"2026-12-06T12:30:00Z","end":"2026-12-06T14:30:00Z"}""", "at most 1000000 kW")]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","id":"x/../y","reduceKw":5,"start":"2026-12-06T12:30:00Z","end":"2026-12-06T14:30:00Z"}""", "id 'x/../y' must be 1-64 letters")]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","id":"x","reduceKw":5,"start":"2026-12-06T14:30:00Z","end":"2026-12-06T12:30:00Z"}""", "is not after start")]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","id":"x","reduceKw":5,"start":"2026-12-06T12:30:00Z","end":"2026-12-08T12:30:00Z"}""", "more than 24 h")]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","id":"x","reduceKw":5,"start":"2026-12-06T09:00:00Z","end":"2026-12-06T11:00:00Z"}""", "has passed")]
    [InlineData("""{"schema":"farm.v1.demand-response","site":"s1","id":"x","reduceKw":5,"start":"2026-12-06T12:30:00Z"}""", "start and end are both required")]
    public void A_bad_demand_response_event_is_refused_saying_why(string json, string expected)
    {
        SignalParseResult<DemandResponseEvent> r = Event(json);

        Assert.False(r.Ok);
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_on_another_sites_topic_is_refused_before_it_is_read()
    {
        SignalParseResult<EnergyPrice> r = Price("""{"schema":"farm.v1.energy-price","site":"s2","pricePerMWh":1,"currency":"EUR","validFrom":"2026-12-06T12:00:00Z"}""", "farm/v1/s2/signals/energy-price");

        Assert.False(r.Ok);
        Assert.Contains("for site 's2', but this controller serves site 's1'", r.Error, StringComparison.Ordinal);
        Assert.False(Price("{}", "farm/v1/s1/signals/demand-response").Ok);
        Assert.False(Price("{}", "farm/v1/s1/telemetry/energy-price").Ok);
    }

    [Fact]
    public void A_huge_payload_is_refused_without_being_parsed()
    {
        string huge = """{"schema":"farm.v1.energy-price","site":"s1","pad":" """ + new string('x', 1 << 20) + "\"}";

        SignalParseResult<EnergyPrice> r = Price(huge);

        Assert.False(r.Ok);
        Assert.Contains($"more than the {SignalPayloadParser.MaxPayloadBytes} a signal may have", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_are_refused_and_never_throw()
    {
        var random = new Random(1414);
        for (int i = 0; i < 2000; i++)
        {
            byte[] noise = new byte[random.Next(0, 300)];
            random.NextBytes(noise);
            if (i % 3 == 0 && noise.Length >= 40)
            {
                // Mostly-JSON noise reaches further into the parser.
                Encoding.UTF8.GetBytes("{\"schema\":\"farm.v1.energy-price\",").CopyTo(noise.AsSpan());
            }

            Assert.False(SignalPayloadParser.ParsePrice(PriceTopic, noise, "s1", Now).Ok);
            Assert.False(SignalPayloadParser.ParseDemandResponse(EventTopic, noise, "s1", Now).Ok);
        }
    }
}

using System.Globalization;
using System.Text.Json;

namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>
/// Parses and checks the curtailment signals that arrive over MQTT (<c>farm.v1.energy-price</c>,
/// <c>farm.v1.demand-response</c>). Pure: the transport hands in the topic, the bytes, the site this controller serves
/// and the time. A message is refused — with the reason, never an exception — when it is too large, not JSON, of
/// another schema, for another site (in the topic or the payload: a spoofed or misrouted message), or its figures
/// or times are outside what a real price feed or grid operator sends.
/// </summary>
public static class SignalPayloadParser
{
    /// <summary>A signal is a handful of fields; anything larger is refused before it is parsed.</summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>Prices per MWh outside this range are typing or unit errors (negative prices do happen).</summary>
    public const decimal MinPricePerMWh = -10_000m;

    public const decimal MaxPricePerMWh = 100_000m;

    /// <summary>No single site sheds more than a gigawatt.</summary>
    public const double MaxReduceKw = 1_000_000;

    /// <summary>A demand-response event lasts at most a day.</summary>
    public static readonly TimeSpan MaxEventDuration = TimeSpan.FromHours(24);

    /// <summary>How far ahead a price or an event may be announced (day-ahead markets and scheduled events).</summary>
    public static readonly TimeSpan MaxLead = TimeSpan.FromDays(7);

    public static SignalParseResult<EnergyPrice> ParsePrice(string topic, ReadOnlySpan<byte> payload, string site, DateTimeOffset now)
    {
        if (Precheck(topic, payload, site, SignalTopics.EnergyPrice) is { } refused)
        {
            return new SignalParseResult<EnergyPrice>(null, refused);
        }

        EnergyPriceMessage? m;
        try
        {
            m = JsonSerializer.Deserialize(payload, SignalJsonContext.Default.EnergyPriceMessage);
        }
        catch (JsonException e)
        {
            return new SignalParseResult<EnergyPrice>(null, $"{topic}: not a farm.v1.energy-price JSON object ({e.Message}); see docs/mqtt-contract.md");
        }

        string? error = m is null ? "the payload is null"
            : m.Schema != "farm.v1.energy-price" ? $"schema is '{m.Schema}', expected 'farm.v1.energy-price'"
            : SiteError(m.Site, site)
            ?? (m.PricePerMWh is not { } price ? "pricePerMWh is missing"
            : price < MinPricePerMWh || price > MaxPricePerMWh ? $"pricePerMWh {price.ToString(CultureInfo.InvariantCulture)} is outside {MinPricePerMWh}..{MaxPricePerMWh}; send the price per MWh"
            : m.Currency is not { Length: 3 } c || !c.All(char.IsAsciiLetterUpper) ? $"currency '{m.Currency}' is not an ISO 4217 code such as EUR"
            : m.ValidFrom is not { } from ? "validFrom is missing"
            : from > now + MaxLead ? $"validFrom {from:O} is more than {MaxLead.TotalDays:0} days ahead"
            : m.ValidUntil is { } until && until <= from ? $"validUntil {until:O} is not after validFrom {from:O}"
            : m.ValidUntil is { } until2 && until2 <= now ? $"validUntil {until2:O} has passed"
            : null);
        return error is null
            ? new SignalParseResult<EnergyPrice>(new EnergyPrice(site, m!.PricePerMWh!.Value, m.Currency!, m.ValidFrom!.Value, m.ValidUntil, SignalSource.Mqtt), null)
            : new SignalParseResult<EnergyPrice>(null, $"{topic}: {error}; see docs/mqtt-contract.md");
    }

    public static SignalParseResult<DemandResponseEvent> ParseDemandResponse(string topic, ReadOnlySpan<byte> payload, string site, DateTimeOffset now)
    {
        if (Precheck(topic, payload, site, SignalTopics.DemandResponse) is { } refused)
        {
            return new SignalParseResult<DemandResponseEvent>(null, refused);
        }

        DemandResponseMessage? m;
        try
        {
            m = JsonSerializer.Deserialize(payload, SignalJsonContext.Default.DemandResponseMessage);
        }
        catch (JsonException e)
        {
            return new SignalParseResult<DemandResponseEvent>(null, $"{topic}: not a farm.v1.demand-response JSON object ({e.Message}); see docs/mqtt-contract.md");
        }

        string? error = m is null ? "the payload is null"
            : m.Schema != "farm.v1.demand-response" ? $"schema is '{m.Schema}', expected 'farm.v1.demand-response'"
            : SiteError(m.Site, site)
            ?? (m.Id is not { Length: > 0 and <= 64 } id || !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-') ? $"id '{Clip(m.Id)}' must be 1-64 letters, digits, '.', '_' or '-'"
            : m.ReduceKw is not { } kw || !double.IsFinite(kw) || kw <= 0 || kw > MaxReduceKw ? $"reduceKw {m.ReduceKw?.ToString(CultureInfo.InvariantCulture) ?? "(missing)"} must be more than 0 and at most {MaxReduceKw:0} kW"
            : m.Start is not { } start || m.End is not { } end ? "start and end are both required"
            : end <= start ? $"end {end:O} is not after start {start:O}"
            : end - start > MaxEventDuration ? $"the event lasts {(end - start).TotalHours:0.#} h, more than {MaxEventDuration.TotalHours:0} h"
            : end <= now ? $"end {end:O} has passed"
            : start > now + MaxLead ? $"start {start:O} is more than {MaxLead.TotalDays:0} days ahead"
            : null);
        return error is null
            ? new SignalParseResult<DemandResponseEvent>(new DemandResponseEvent(m!.Id!, site, m.ReduceKw!.Value, m.Start!.Value, m.End!.Value, SignalSource.Mqtt), null)
            : new SignalParseResult<DemandResponseEvent>(null, $"{topic}: {error}; see docs/mqtt-contract.md");
    }

    private static string? Precheck(string topic, ReadOnlySpan<byte> payload, string site, string kind)
    {
        if (!SignalTopics.TryParse(topic, out string topicSite, out string topicKind) || topicKind != kind)
        {
            return $"'{Clip(topic)}' is not a {kind} signal topic ({SignalTopics.For("{site}", kind)})";
        }

        if (!string.Equals(topicSite, site, StringComparison.Ordinal))
        {
            return $"{Clip(topic)}: for site '{Clip(topicSite)}', but this controller serves site '{site}'; check the broker's ACL for signals";
        }

        if (payload.Length > MaxPayloadBytes)
        {
            return $"{topic}: {payload.Length} bytes, more than the {MaxPayloadBytes} a signal may have";
        }

        return payload.IsEmpty ? $"{topic}: empty payload (a retained message being cleared?)" : null;
    }

    private static string? SiteError(string? payloadSite, string site) =>
        string.Equals(payloadSite, site, StringComparison.Ordinal) ? null : $"site '{Clip(payloadSite)}' in the payload does not match the topic's site '{site}'";

    private static string Clip(string? text) => text is null ? "(missing)" : text.Length <= 80 ? text : text[..80] + "…";
}

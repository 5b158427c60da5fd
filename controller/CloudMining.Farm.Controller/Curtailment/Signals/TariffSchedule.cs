using System.Globalization;
using System.Text.Json;

namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>
/// A site's time-of-use tariff from a JSON file (format in docs/curtailment.md): a default price per MWh and bands by
/// weekday and local time in the tariff's time zone. Parsing checks everything and names the bad field
/// (<c>periods[1].from</c>); bands of one weekday may not overlap.
/// </summary>
public sealed class TariffSchedule
{
    private static readonly Dictionary<string, DayOfWeek> DayNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = DayOfWeek.Monday, ["tue"] = DayOfWeek.Tuesday, ["wed"] = DayOfWeek.Wednesday, ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday, ["sat"] = DayOfWeek.Saturday, ["sun"] = DayOfWeek.Sunday,
    };

    private TariffSchedule(string site, string currency, TimeZoneInfo zone, decimal defaultPrice, IReadOnlyList<TariffPeriod> periods)
    {
        Site = site;
        Currency = currency;
        TimeZone = zone;
        DefaultPerMegawattHour = defaultPrice;
        Periods = periods;
    }

    public string Site { get; }

    public string Currency { get; }

    public TimeZoneInfo TimeZone { get; }

    public decimal DefaultPerMegawattHour { get; }

    public IReadOnlyList<TariffPeriod> Periods { get; }

    /// <summary>The price at <paramref name="instant"/>: the band covering its local weekday and time, else the default.</summary>
    public EnergyPrice PriceAt(DateTimeOffset instant)
    {
        DateTimeOffset local = System.TimeZoneInfo.ConvertTime(instant, TimeZone);
        TariffPeriod? band = Periods.FirstOrDefault(p => p.Covers(local.DayOfWeek, local.TimeOfDay));
        return new EnergyPrice(Site, band?.PerMegawattHour ?? DefaultPerMegawattHour, Currency, instant, null, SignalSource.Tariff);
    }

    /// <summary>Reads and checks a schedule file; throws <see cref="FormatException"/> naming the file and the field.</summary>
    public static TariffSchedule Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new FormatException($"Tariff schedule '{path}': {e.Message}", e);
        }
    }

    /// <summary>Parses a schedule; throws <see cref="FormatException"/> naming the field and what to write instead.</summary>
    public static TariffSchedule Parse(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON ({e.Message}).", e);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the file must hold one JSON object with site, currency, timeZone, defaultPricePerMWh and periods.");
            }

            string site = Text(root, "site");
            string currency = Text(root, "currency");
            if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
            {
                throw new FormatException($"currency: '{currency}' is not an ISO 4217 code such as EUR.");
            }

            string zoneId = Text(root, "timeZone");
            TimeZoneInfo zone;
            try
            {
                zone = System.TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw new FormatException($"timeZone: '{zoneId}' is not a known time zone; use an IANA name such as Europe/Berlin or UTC.", e);
            }

            decimal defaultPrice = Price(root, "defaultPricePerMWh", "defaultPricePerMWh");
            var periods = new List<TariffPeriod>();
            if (root.TryGetProperty("periods", out JsonElement list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException("periods: must be an array of { days, from, to, pricePerMWh }.");
                }

                int index = 0;
                foreach (JsonElement p in list.EnumerateArray())
                {
                    periods.Add(Period(p, $"periods[{index++}]"));
                }
            }

            CheckOverlaps(periods);
            return new TariffSchedule(site, currency, zone, defaultPrice, periods);
        }
    }

    private static TariffPeriod Period(JsonElement p, string at)
    {
        if (p.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{at}: must be an object {{ days, from, to, pricePerMWh }}.");
        }

        if (!p.TryGetProperty("days", out JsonElement days) || days.ValueKind != JsonValueKind.Array || days.GetArrayLength() == 0)
        {
            throw new FormatException($"{at}.days: give a list of weekdays such as [\"mon\", \"tue\"].");
        }

        var set = new HashSet<DayOfWeek>();
        foreach (JsonElement d in days.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.String || !DayNames.TryGetValue(d.GetString()!, out DayOfWeek day))
            {
                throw new FormatException($"{at}.days: '{d}' is not a weekday; use mon, tue, wed, thu, fri, sat, sun.");
            }

            set.Add(day);
        }

        TimeSpan from = Clock(p, "from", at);
        TimeSpan to = Clock(p, "to", at);
        if (to <= from)
        {
            throw new FormatException($"{at}.to: {to:hh\\:mm} is not after from {from:hh\\:mm}; split a band across midnight into two (…-24:00 and 00:00-…).");
        }

        return new TariffPeriod(set, from, to, Price(p, "pricePerMWh", $"{at}.pricePerMWh"));
    }

    private static void CheckOverlaps(List<TariffPeriod> periods)
    {
        for (int a = 0; a < periods.Count; a++)
        {
            for (int b = a + 1; b < periods.Count; b++)
            {
                if (periods[a].Days.Overlaps(periods[b].Days) && periods[a].From < periods[b].To && periods[b].From < periods[a].To)
                {
                    throw new FormatException($"periods[{b}]: overlaps periods[{a}] on the same weekday; a time may have one price only.");
                }
            }
        }
    }

    private static string Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"{name}: missing or not a non-empty string.");

    private static decimal Price(JsonElement o, string name, string at)
    {
        if (!o.TryGetProperty(name, out JsonElement v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out decimal price))
        {
            throw new FormatException($"{at}: missing or not a number (the price per MWh).");
        }

        return price < SignalPayloadParser.MinPricePerMWh || price > SignalPayloadParser.MaxPricePerMWh
            ? throw new FormatException($"{at}: {price.ToString(CultureInfo.InvariantCulture)} is outside {SignalPayloadParser.MinPricePerMWh}..{SignalPayloadParser.MaxPricePerMWh}; write the price per MWh.")
            : price;
    }

    private static TimeSpan Clock(JsonElement o, string name, string at)
    {
        string text = o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : string.Empty;
        if (text == "24:00")
        {
            return TimeSpan.FromHours(24);
        }

        return TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out TimeSpan t)
            ? t
            : throw new FormatException($"{at}.{name}: '{text}' is not a local time HH:mm (00:00 to 24:00).");
    }
}

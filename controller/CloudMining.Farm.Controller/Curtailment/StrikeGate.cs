using System.Globalization;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// One site's price gate: curtail above the strike, restore below strike minus hysteresis, each only after the minimum
/// time in the current state. Time comes from the <see cref="TimeProvider"/>; a missing price holds the current state.
/// </summary>
public sealed class StrikeGate
{
    private readonly TimeProvider _time;
    private DateTimeOffset _since;

    public StrikeGate(StrikeSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings.Validated();
        _time = time ?? throw new ArgumentNullException(nameof(time));

        // The site starts running; the minimum running time counts from the gate's start.
        _since = _time.GetUtcNow();
    }

    public StrikeSettings Settings { get; }

    public bool Curtailed { get; private set; }

    /// <summary>Switches so far.</summary>
    public int Switches { get; private set; }

    /// <summary>Judges <paramref name="price"/> (per MWh) now.</summary>
    public StrikeDecision Observe(decimal price)
    {
        DateTimeOffset now = _time.GetUtcNow();
        TimeSpan inState = now - _since;
        string p = price.ToString("0.##", CultureInfo.InvariantCulture);
        string strike = Settings.Strike.ToString("0.##", CultureInfo.InvariantCulture);
        if (!Curtailed)
        {
            if (price <= Settings.Strike)
            {
                return new StrikeDecision(false, false, $"price {p} at or below the strike {strike}");
            }

            if (inState < Settings.MinRunning)
            {
                return new StrikeDecision(false, false, $"price {p} above the strike {strike}, but running only {inState.TotalMinutes:0.#} of at least {Settings.MinRunning.TotalMinutes:0.#} min");
            }

            return Switch(true, now, $"price {p} above the strike {strike}");
        }

        decimal restoreBelow = Settings.Strike - Settings.Hysteresis;
        string restore = restoreBelow.ToString("0.##", CultureInfo.InvariantCulture);
        if (price >= restoreBelow)
        {
            return new StrikeDecision(true, false, $"price {p} not below {restore} (strike {strike} minus hysteresis)");
        }

        if (inState < Settings.MinCurtailed)
        {
            return new StrikeDecision(true, false, $"price {p} below {restore}, but curtailed only {inState.TotalMinutes:0.#} of at least {Settings.MinCurtailed.TotalMinutes:0.#} min");
        }

        return Switch(false, now, $"price {p} below {restore} (strike {strike} minus hysteresis)");
    }

    private StrikeDecision Switch(bool curtailed, DateTimeOffset now, string why)
    {
        Curtailed = curtailed;
        _since = now;
        Switches++;
        return new StrikeDecision(curtailed, true, why);
    }
}

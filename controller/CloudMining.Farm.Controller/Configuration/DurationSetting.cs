namespace CloudMining.Farm.Controller.Configuration;

/// <summary>
/// One duration as configured: a <see cref="TimeSpan"/> key ("00:00:10") or its older number key with the unit in its
/// name ("…S" seconds, "…Min" minutes), kept readable so existing files keep working. <see cref="Key"/> is the key
/// that was set (the TimeSpan key when neither was), <see cref="Shown"/> its value as a message shows it,
/// <see cref="Value"/> the duration (null when the number fits no TimeSpan), <see cref="Set"/> whether either key was set.
/// </summary>
public sealed record DurationSetting(string Key, string Shown, TimeSpan? Value, bool Set)
{
    /// <summary>
    /// Resolves the pair <paramref name="key"/> / <paramref name="legacyKey"/> (full keys, e.g. "Controller:Engine:TickInterval"
    /// and "Controller:Engine:IntervalS"); both set is an error on the older key, and null is returned.
    /// </summary>
    public static DurationSetting? Resolve(
        ConfigurationErrors errors, string key, TimeSpan? value, string legacyKey, double? legacy, Func<double, TimeSpan> unit, TimeSpan fallback)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(unit);
        if (value is not null && legacy is not null)
        {
            errors.Add(legacyKey, $"is set together with {key}; keep only {Leaf(key)} (a duration such as \"00:00:10\") and remove {Leaf(legacyKey)}, its older spelling.");
            return null;
        }

        if (legacy is { } v)
        {
            // A number no TimeSpan can hold (NaN, 1e300) fails the caller's range check.
            return new DurationSetting(legacyKey, v.ToString(System.Globalization.CultureInfo.InvariantCulture), double.IsFinite(v) && Math.Abs(v) < 1e9 ? unit(v) : null, true);
        }

        return new DurationSetting(key, $"'{value ?? fallback}'", value ?? fallback, value is not null);
    }

    /// <summary>The duration in force: <paramref name="value"/>, else <paramref name="legacy"/> in its unit, else <paramref name="fallback"/>. Call after validation.</summary>
    public static TimeSpan InForce(TimeSpan? value, double? legacy, Func<double, TimeSpan> unit, TimeSpan fallback)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return value ?? (legacy is { } v ? unit(v) : fallback);
    }

    /// <summary>Adds "{Key}: {Shown} {message}" unless the value is representable and <paramref name="ok"/>.</summary>
    public void Check(ConfigurationErrors errors, Func<TimeSpan, bool> ok, string message)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(ok);
        errors.Require(Value is { } t && ok(t), Key, $"{Shown} {message}");
    }

    private static string Leaf(string key) => key[(key.LastIndexOf(':') + 1)..];
}

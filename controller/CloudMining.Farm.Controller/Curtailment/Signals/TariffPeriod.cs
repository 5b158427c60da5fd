namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>One time-of-use band: on these weekdays, from <see cref="From"/> to <see cref="To"/> local time (To 24:00 = midnight), this price.</summary>
public sealed record TariffPeriod(IReadOnlySet<DayOfWeek> Days, TimeSpan From, TimeSpan To, decimal PerMegawattHour)
{
    public bool Covers(DayOfWeek day, TimeSpan timeOfDay) => Days.Contains(day) && timeOfDay >= From && timeOfDay < To;
}

namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>A grid operator's request: reduce the site's power by <see cref="ReduceKilowatts"/> from <see cref="Start"/> to <see cref="End"/>.</summary>
public sealed record DemandResponseEvent(string Id, string Site, double ReduceKilowatts, DateTimeOffset Start, DateTimeOffset End, SignalSource Source)
{
    public TimeSpan Duration => End - Start;

    public bool IsActiveAt(DateTimeOffset instant) => instant >= Start && instant < End;
}

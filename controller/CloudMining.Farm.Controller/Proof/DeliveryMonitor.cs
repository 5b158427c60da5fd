namespace CloudMining.Farm.Controller.Proof;

/// <summary>
/// Hysteresis over delivered hashrate: a contract outside the tolerance for the hold time triggers one rebalance; it can
/// trigger again only after coming back inside half the tolerance, so a contract hovering at the edge does not flap.
/// Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed class DeliveryMonitor
{
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);

    public DeliveryMonitor(double tolerance, TimeSpan hold)
    {
        if (!(tolerance is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The delivery tolerance must be in (0, 1), e.g. 0.05 for 5 %.");
        }

        if (hold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(hold), hold, "The hold time cannot be negative.");
        }

        Tolerance = tolerance;
        Hold = hold;
    }

    public double Tolerance { get; }

    public TimeSpan Hold { get; }

    /// <summary>Evaluates a contract at <paramref name="now"/>; a null delivered rate (not measured) changes nothing.</summary>
    public DeliveryVerdict Evaluate(string contractId, double targetHs, double? deliveredHs, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contractId);
        if (deliveredHs is not double delivered || !(targetHs > 0))
        {
            return new DeliveryVerdict(DeliveryStatus.Unknown, 0, false);
        }

        if (!_states.TryGetValue(contractId, out State? state))
        {
            state = new State();
            _states[contractId] = state;
        }

        double deviation = (delivered - targetHs) / targetHs;
        double size = Math.Abs(deviation);
        if (size <= Tolerance)
        {
            state.OutsideSince = null;
            if (size <= Tolerance / 2)
            {
                state.Armed = true;
            }

            return new DeliveryVerdict(DeliveryStatus.Within, deviation, false);
        }

        DeliveryStatus status = deviation < 0 ? DeliveryStatus.Under : DeliveryStatus.Over;
        if (state.OutsideSince is null || state.Direction != status)
        {
            state.OutsideSince = now;
            state.Direction = status;
        }

        bool trigger = state.Armed && now - state.OutsideSince.Value >= Hold;
        if (trigger)
        {
            state.Armed = false;
        }

        return new DeliveryVerdict(status, deviation, trigger);
    }

    /// <summary>
    /// Not judged now (curtailed by plan): a deviation seen so far does not carry over, so the hold time starts again
    /// from the first evaluation after the pause.
    /// </summary>
    public void Pause(string contractId)
    {
        if (_states.TryGetValue(contractId, out State? state))
        {
            state.OutsideSince = null;
        }
    }

    /// <summary>Forgets a contract (ended).</summary>
    public void Forget(string contractId) => _states.Remove(contractId);

    private sealed class State
    {
        public bool Armed { get; set; } = true;

        public DateTimeOffset? OutsideSince { get; set; }

        public DeliveryStatus Direction { get; set; }
    }
}

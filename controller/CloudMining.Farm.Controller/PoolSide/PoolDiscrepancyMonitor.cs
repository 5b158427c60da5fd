namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// Compares the pool's hashrate for each contract's worker with the hashrate we proved from accepted difficulty: a
/// disagreement beyond the tolerance that lasts the hold time raises one <see cref="PoolDiscrepancy"/>; it can be
/// raised again only after the figures have agreed once more. Thread-safe; time from the given clock.
/// </summary>
public sealed class PoolDiscrepancyMonitor
{
    private readonly TimeProvider _time;
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public PoolDiscrepancyMonitor(double tolerance, TimeSpan hold, TimeProvider time)
    {
        if (!(tolerance is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The pool-side tolerance must be in (0, 1), e.g. 0.1 for 10 %.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(hold, TimeSpan.Zero);
        Tolerance = tolerance;
        Hold = hold;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public double Tolerance { get; }

    public TimeSpan Hold { get; }

    /// <summary>
    /// Takes one comparison now; returns the event when this disagreement has just lasted the hold time, else null.
    /// Without a figure of ours (null or 0: not measured yet) nothing changes. A <paramref name="partial"/> pool figure
    /// (its averaging window reaches back before the watch or the contract began, so it reads low) is no comparison:
    /// it raises nothing and a disagreement's hold starts again from the next whole one.
    /// </summary>
    public PoolDiscrepancy? Observe(string contractId, string worker, double? oursHs, double poolHs, bool partial = false)
    {
        ArgumentNullException.ThrowIfNull(contractId);
        ArgumentNullException.ThrowIfNull(worker);
        if (oursHs is not double ours || !(ours > 0) || !double.IsFinite(poolHs))
        {
            return null;
        }

        DateTimeOffset now = _time.GetUtcNow();
        double deviation = (poolHs - ours) / ours;
        lock (_gate)
        {
            if (!_states.TryGetValue(contractId, out State? state))
            {
                state = new State();
                _states[contractId] = state;
            }

            if (partial)
            {
                state.OutsideSince = null;
                return null;
            }

            if (Math.Abs(deviation) <= Tolerance)
            {
                state.OutsideSince = null;
                state.Raised = false;
                return null;
            }

            state.OutsideSince ??= now;
            if (state.Raised || now - state.OutsideSince.Value < Hold)
            {
                return null;
            }

            state.Raised = true;
            return new PoolDiscrepancy(contractId, worker, ours, poolHs, deviation, state.OutsideSince.Value, now);
        }
    }

    /// <summary>Forgets a contract (ended, or its watch removed).</summary>
    public void Forget(string contractId)
    {
        lock (_gate)
        {
            _states.Remove(contractId);
        }
    }

    private sealed class State
    {
        public DateTimeOffset? OutsideSince { get; set; }

        public bool Raised { get; set; }
    }
}

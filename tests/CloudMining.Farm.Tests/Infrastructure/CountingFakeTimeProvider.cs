using Microsoft.Extensions.Time.Testing;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>
/// The package's <see cref="FakeTimeProvider"/>, plus a count of the timers waiting on it (the package exposes none):
/// a test waits until the code under test has started waiting (a Task.Delay, a timer) before it advances time, so an
/// advance is never spent before anyone listens. Everything else — the clock, Advance, timers firing — is the package's.
/// </summary>
public sealed class CountingFakeTimeProvider : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly HashSet<CountedTimer> _armed = [];

    public CountingFakeTimeProvider()
    {
    }

    public CountingFakeTimeProvider(DateTimeOffset startDateTime)
        : base(startDateTime)
    {
    }

    /// <summary>Timers that are armed and have not yet fired for the last time (one-shots) or been stopped or disposed.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _armed.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new CountedTimer(this, callback);
        // Armed before the package sees it: a zero due time fires inside base.CreateTimer.
        timer.Arm(dueTime, period);
        timer.Inner = base.CreateTimer(timer.Fire, state, dueTime, period);
        return timer;
    }

    private sealed class CountedTimer(CountingFakeTimeProvider owner, TimerCallback callback) : ITimer
    {
        private bool _periodic;

        public ITimer? Inner { get; set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                _periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    owner._armed.Remove(this);
                }
                else
                {
                    owner._armed.Add(this);
                }
            }
        }

        public void Fire(object? state)
        {
            lock (owner._gate)
            {
                if (!_periodic)
                {
                    owner._armed.Remove(this);
                }
            }

            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._armed.Remove(this);
            }

            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

using CloudMining.Farm.Gpio.Sensors;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// Decides from consecutive tachometer readings whether a fan group has failed: slower than its minimum while driven
/// above a duty threshold, for N reads in a row (a fan needs a few seconds to spin up after the duty rises, and one
/// bad reading is not a dead fan). Below the threshold a slow fan may simply be idling, so those reads do not count.
/// </summary>
public sealed class FanFailureDetector
{
    private readonly FanSpeed _minimum;
    private readonly double _aboveDutyPercent;
    private readonly int _readsToFail;
    private int _lowReads;

    public FanFailureDetector(int minRpm, double aboveDutyPercent, int readsToFail)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minRpm);
        ArgumentOutOfRangeException.ThrowIfLessThan(readsToFail, 1);
        _minimum = FanSpeed.FromRpm(minRpm);
        _aboveDutyPercent = aboveDutyPercent;
        _readsToFail = readsToFail;
    }

    public bool IsFailed { get; private set; }

    /// <summary>Low reads in a row so far.</summary>
    public int LowReads => _lowReads;

    public FanHealthChange Observe(FanSpeed speed, double dutyPercent)
    {
        if (speed >= _minimum)
        {
            _lowReads = 0;
            if (IsFailed)
            {
                IsFailed = false;
                return FanHealthChange.Recovered;
            }

            return FanHealthChange.None;
        }

        if (dutyPercent <= _aboveDutyPercent)
        {
            _lowReads = 0;
            return FanHealthChange.None;
        }

        _lowReads++;
        if (!IsFailed && _lowReads >= _readsToFail)
        {
            IsFailed = true;
            return FanHealthChange.Failed;
        }

        return FanHealthChange.None;
    }
}

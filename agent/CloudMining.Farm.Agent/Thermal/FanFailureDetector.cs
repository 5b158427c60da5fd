using CloudMining.Farm.Gpio.Sensors;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// Decides from consecutive tachometer readings whether a fan group has failed: slower than its minimum while driven
/// above a duty threshold, for N reads in a row (a fan needs a few seconds to spin up after the duty rises, and one
/// bad reading is not a dead fan). Below the threshold a slow fan may simply be idling, so those reads do not count.
/// </summary>
public sealed class FanFailureDetector
{
    private readonly FanSpeed minimum;
    private readonly double aboveDutyPercent;
    private readonly int readsToFail;
    private int lowReads;

    public FanFailureDetector(int minRpm, double aboveDutyPercent, int readsToFail)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minRpm);
        ArgumentOutOfRangeException.ThrowIfLessThan(readsToFail, 1);
        minimum = FanSpeed.FromRpm(minRpm);
        this.aboveDutyPercent = aboveDutyPercent;
        this.readsToFail = readsToFail;
    }

    public bool IsFailed { get; private set; }

    /// <summary>Low reads in a row so far.</summary>
    public int LowReads => lowReads;

    public FanHealthChange Observe(FanSpeed speed, double dutyPercent)
    {
        if (speed >= minimum)
        {
            lowReads = 0;
            if (IsFailed)
            {
                IsFailed = false;
                return FanHealthChange.Recovered;
            }

            return FanHealthChange.None;
        }

        if (dutyPercent <= aboveDutyPercent)
        {
            lowReads = 0;
            return FanHealthChange.None;
        }

        lowReads++;
        if (!IsFailed && lowReads >= readsToFail)
        {
            IsFailed = true;
            return FanHealthChange.Failed;
        }

        return FanHealthChange.None;
    }
}

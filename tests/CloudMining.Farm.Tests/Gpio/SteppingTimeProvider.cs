namespace CloudMining.Farm.Tests.Gpio;

/// <summary>A clock that moves forward by a fixed step every time it is read, so timeouts expire after a known number of polls without real waiting.</summary>
public sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
}

namespace CloudMining.Farm.Agent.Polling;

/// <summary>One finished poll cycle and every miner's health right after it, handed to listeners such as the MQTT publisher.</summary>
public sealed class PollCycleCompletedEventArgs(PollCycleResult cycle, IReadOnlyList<MinerPollStatus> miners) : EventArgs
{
    public PollCycleResult Cycle { get; } = cycle;

    public IReadOnlyList<MinerPollStatus> Miners { get; } = miners;
}

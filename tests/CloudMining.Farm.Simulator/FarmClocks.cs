namespace CloudMining.Farm.Simulator;

/// <summary>The clocks a farm runs on: Mining drives dynamics, uptime, shares and boot delays; Wire drives reply delays of the "slow" fault.</summary>
/// <remarks>Two clocks so that a test can freeze mining time with a manual clock while network delays still pass in real time.</remarks>
public sealed record FarmClocks(TimeProvider Mining, TimeProvider Wire)
{
    public static FarmClocks System { get; } = new(TimeProvider.System, TimeProvider.System);

    public static FarmClocks WithMining(TimeProvider mining) => new(mining, TimeProvider.System);
}

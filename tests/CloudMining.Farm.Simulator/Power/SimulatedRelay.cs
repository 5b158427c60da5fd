namespace CloudMining.Farm.Simulator.Power;

/// <summary>One simulated PDU relay: which chip line drives it, how the board is wired, and which miner's outlet it switches.</summary>
/// <param name="ActiveLow">The board energises the coil when the line is Low.</param>
/// <param name="NormallyClosed">The outlet is wired through the NC contact: powered while the coil is not energised.</param>
public sealed record SimulatedRelay(string MinerId, int Line, bool ActiveLow = false, bool NormallyClosed = true)
{
    /// <summary>What the relay board does with a wire level: energise the coil or not, and through which contact the outlet is fed.</summary>
    public bool Powers(bool lineIsHigh)
    {
        bool coilEnergised = ActiveLow ? !lineIsHigh : lineIsHigh;
        return NormallyClosed ? !coilEnergised : coilEnergised;
    }
}

namespace CloudMining.Farm.Simulator.Mining;

/// <summary>Noise that is a pure function of (seed, stream, step): the same miner shows the same hashrate for the same 5-second window, however often it is asked.</summary>
public static class DeterministicNoise
{
    /// <summary>A value in [-1, 1], bell-shaped (sum of three uniforms).</summary>
    public static double Symmetric(int seed, int stream, long step)
    {
        ulong s = unchecked(((ulong)(uint)seed << 32) ^ ((ulong)(uint)stream * 0x9E3779B97F4A7C15UL) ^ (ulong)step);
        double u1 = Unit(ref s);
        double u2 = Unit(ref s);
        double u3 = Unit(ref s);
        return (u1 + u2 + u3 - 1.5) / 1.5;
    }

    /// <summary>A 64-bit hash of the inputs, for identities (MAC, serials).</summary>
    public static ulong Hash(int seed, int stream, long step)
    {
        ulong s = unchecked(((ulong)(uint)seed << 32) ^ ((ulong)(uint)stream * 0x9E3779B97F4A7C15UL) ^ (ulong)step);
        return SplitMix(ref s);
    }

    private static double Unit(ref ulong state) => (SplitMix(ref state) >> 11) * (1.0 / 9007199254740992.0);

    private static ulong SplitMix(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}

namespace CloudMining.Farm.Simulator;

/// <summary>farm-sim entry point: simulated ASICs on loopback.</summary>
internal static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("farm-sim: being assembled; see README.md.");
        return 2;
    }
}

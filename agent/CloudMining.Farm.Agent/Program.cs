namespace CloudMining.Farm.Agent;

/// <summary>farm-agent entry point: the rack service and the technician's commands.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("farm-agent: being assembled; see README.md.");
        return args.Length == 0 ? 2 : 2;
    }
}

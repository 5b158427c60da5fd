namespace CloudMining.Farm.Ctl.Cli;

/// <summary>farmctl's exit codes, for scripts: 0 done, 1 the controller refused or failed the operation, 2 bad usage or no controller.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The controller answered with a problem (validation, capacity, conflict, not found, internal error).</summary>
    public const int Refused = 1;

    /// <summary>The command line was wrong, or the controller could not be reached at all.</summary>
    public const int UsageOrConnection = 2;
}

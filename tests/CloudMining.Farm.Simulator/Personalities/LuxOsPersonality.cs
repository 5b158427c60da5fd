using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>Luxor LuxOS (LUXminer) on Antminer hardware: bmminer-style summary/stats in GH/s, plus power and fans; privileged commands need a session id from "logon".</summary>
/// <remarks>No LuxOS capture is in the fixtures: the version keys follow the luxos library's documented output; codes of the LuxOS-only commands are the simulator's own.</remarks>
public sealed class LuxOsPersonality : AntminerPersonality
{
    private const string LuxMiner = "2024.9.17.174900-4631c4d1";

    private static readonly IReadOnlyList<MinerModel> Catalog =
    [
        new("Antminer S19", 95, 3, 76, 4, 6000, 3250, 525, StatsLayout.S19),
        new("Antminer S19 Pro", 110, 3, 114, 4, 6000, 3250, 525, StatsLayout.S19),
        new("Antminer S19j Pro", 104, 3, 126, 4, 6000, 3068, 525, StatsLayout.S19),
        new("Antminer S21", 200, 3, 108, 4, 6600, 3500, 490, StatsLayout.S19),
    ];

    public override string Name => "luxos";

    public override IReadOnlyList<MinerModel> Models => Catalog;

    /// <summary>LuxOS quotas are per pool group (groupquota), so cgminer's per-pool poolquota is not there.</summary>
    public override bool SupportsQuota => false;

    public override IReadOnlyList<string> ReadCommands { get; } = ["version", "summary", "stats", "pools", "power", "fans", "logon"];

    public override IReadOnlyCollection<string> ExtraPrivilegedCommands { get; } = ["resetminer", "logoff"];

    public override string Description(MinerView view) => "LUXminer " + LuxMiner;

    public override string FirmwareVersion(MinerModel model) => "2024.9.17.174900";

    protected override string MinerSoftwareKey => "LUXminer";

    protected override string MinerSoftwareVersion(MinerModel model) => LuxMiner;

    protected override string CompileTime(MinerModel model) => "Tue Sep 17 17:49:18 UTC 2024";

    protected override string MsgWord(MinerView view) => "LUXminer";

    /// <summary>The session id "logon" hands out; fixed per miner so a client can reuse it.</summary>
    public static string SessionId(MinerView view) => view.Identity.Serial[..8];

    public override ApiReply? Read(string command, string? parameter, MinerView view) => command switch
    {
        "power" => Ok(view, 300, "Power", Section("POWER", false, new ApiObject(2).Add("PSU", true).Add("Watts", (long)view.PowerWatts))),
        "fans" => Fans(view),
        "logon" => Ok(view, 301, "Logon", Section("SESSION", false, new ApiObject(1).Add("SessionID", SessionId(view)))),
        _ => base.Read(command, parameter, view),
    };

    public override ApiReply? Write(string command, string? parameter, MinerView view, out bool restartAfterReply)
    {
        restartAfterReply = false;
        if (command is not ("resetminer" or "logoff"))
        {
            return null;
        }

        string session = (parameter ?? string.Empty).Split(',')[0].Trim();
        if (session != SessionId(view))
        {
            return new ApiReply(new ApiStatus("E", CgminerCodes.AccessDenied, "Invalid session id", Description(view)), view.When);
        }

        restartAfterReply = command == "resetminer";
        return new ApiReply(new ApiStatus("S", 302, command == "resetminer" ? "Resetting miner" : "Logoff", Description(view)), view.When);
    }

    /// <summary>LuxOS privileged commands take the session id first; accept them with or without it.</summary>
    public override string? NormalizeWriteParameter(string command, string? parameter)
    {
        if (parameter is null)
        {
            return null;
        }

        int comma = parameter.IndexOf(',', StringComparison.Ordinal);
        string first = comma >= 0 ? parameter[..comma] : parameter;
        bool looksLikeSession = first.Length == 8 && first.All(Uri.IsHexDigit) && !first.All(char.IsDigit);
        return looksLikeSession ? (comma >= 0 ? parameter[(comma + 1)..] : null) : parameter;
    }

    protected override ApiReply Version(MinerView view)
    {
        var o = new ApiObject(5)
            .Add("API", "3.7")
            .Add("CompileTime", CompileTime(view.Model))
            .Add("LUXminer", LuxMiner)
            .Add("Miner", view.Identity.FirmwareVersion)
            .Add("Type", view.Model.Name);
        return Ok(view, CgminerCodes.Version, "LUXminer versions", Section("VERSION", true, o));
    }

    private ApiReply Fans(MinerView v)
    {
        var objects = new List<ApiObject>();
        for (int i = 0; i < v.FanRpm.Count; i++)
        {
            objects.Add(new ApiObject(4).Add("FAN", i).Add("ID", i).Add("RPM", v.FanRpm[i]).Add("Speed", v.FanDutyPercent));
        }

        return Ok(v, 202, $"{objects.Count} Fan(s)", Section("FANS", false, objects));
    }
}

using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>Luxor LuxOS (LUXminer) on Antminer hardware: bmminer-style summary/stats in GH/s, plus power and fans; privileged commands need a session id from "logon".</summary>
/// <remarks>No LuxOS capture is in the fixtures: the version keys follow LuxOS's documented output; codes of the LuxOS-only commands follow docs.luxor.tech where it shows them (logon 316, session 319, profileset 321, curtail 335) and are the simulator's own otherwise.</remarks>
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

    /// <inheritdoc />
    public override bool ReportsSerialOnApi => true;

    public override IReadOnlyList<MinerModel> Models => Catalog;

    /// <summary>LuxOS quotas are per pool group (groupquota), so cgminer's per-pool poolquota is not there.</summary>
    public override bool SupportsQuota => false;

    public override IReadOnlyList<string> ReadCommands { get; } = ["version", "summary", "stats", "pools", "power", "fans", "logon", "session", "profiles", "config", "groups"];


    public override string Description(MinerView view) => "LUXminer " + LuxMiner;

    public override string FirmwareVersion(MinerModel model) => "2024.9.17.174900";

    protected override string MinerSoftwareKey => "LUXminer";

    protected override string MinerSoftwareVersion(MinerModel model) => LuxMiner;

    protected override string CompileTime(MinerModel model) => "Tue Sep 17 17:49:18 UTC 2024";

    protected override string MsgWord(MinerView view) => "LUXminer";

    /// <summary>Commands that need the session id as their first parameter (docs.luxor.tech, "Session management" and each command's page).</summary>
    public static IReadOnlySet<string> SessionCommands { get; } = new HashSet<string>(StringComparer.Ordinal) { "logoff", "curtail", "profileset", "ledset", "resetminer", "rebootdevice", "atmset", "fanset" };

    /// <summary>Pool group commands, which take no session (pyasic's and asic-rs's LuxOS clients send them without one).</summary>
    private static readonly HashSet<string> GroupCommands = new(StringComparer.Ordinal) { "addgroup", "groupquota", "removegroup" };

    public override bool UsesPoolGroups => true;

    public override ApiReply? Read(string command, string? parameter, MinerView view) => command switch
    {
        "power" => Ok(view, 300, "Power", Section("POWER", false, new ApiObject(2).Add("PSU", true).Add("Watts", (long)view.PowerWatts))),
        "fans" => Fans(view),
        _ => base.Read(command, parameter, view),
    };

    /// <summary>
    /// Sessions (logon 316 "Session created", session 319, one at a time, expiring a minute after their last use),
    /// curtail sleep/wakeup (335 "Curtailment command sent"), profiles/profileset (321 "Profile Set"), ledset,
    /// resetminer, rebootdevice, config, and pool groups (groups, addgroup, groupquota, removegroup, addpool with a
    /// group). Codes and messages are LuxOS's documented ones where its documentation shows them; the refusal of a
    /// missing or stale session id is the simulator's wording.
    /// </summary>
    public override ApiReply? Control(string command, string? parameter, IMinerControls miner, out bool restartAfterReply)
    {
        restartAfterReply = false;
        switch (command)
        {
            case "logon":
                string? opened = miner.OpenSession(miner.Spec.SessionLifetime);
                MinerView v = miner.Snapshot();
                return opened is null
                    ? Error(v, 317, "Unable to create session: another session is active")
                    : Ok(v, 316, "Session created", Section("SESSION", false, new ApiObject(1).Add("SessionID", opened)));
            case "session":
                MinerView sv = miner.Snapshot();
                return Ok(sv, 319, "Session information", Section("SESSION", false, new ApiObject(1).Add("SessionID", miner.ActiveSession ?? string.Empty)));
            case "profiles":
                return Profiles(miner);
            case "config":
                return Config(miner);
            case "groups":
                return Groups(miner);
        }

        bool sessionCommand = SessionCommands.Contains(command);
        if (!sessionCommand && !GroupCommands.Contains(command) && !(command == "addpool" && (parameter ?? string.Empty).Split(',').Length == 4))
        {
            return null; // cgminer's own pool commands and reads
        }

        miner.CountWrite();
        MinerView view = miner.Snapshot();
        if (!miner.Spec.WriteAccess)
        {
            return Error(view, CgminerCodes.AccessDenied, $"Access denied to '{command}' command");
        }

        string[] args = (parameter ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        if (sessionCommand)
        {
            bool valid = args[0].Length > 0 && miner.UseSession(args[0], miner.Spec.SessionLifetime);
            if (!valid && !miner.Spec.PermissiveRpcWrites)
            {
                return Error(view, CgminerCodes.AccessDenied, "Invalid session id");
            }

            args = valid ? args[1..] : args;
        }

        switch (command)
        {
            case "logoff":
                miner.CloseSession();
                return Ok(view, 318, "Session terminated");
            case "curtail" when args.Length >= 1 && args[0] is "sleep" or "wakeup":
                bool sleep = args[0] == "sleep";
                miner.Sleeping = sleep;
                return Ok(miner.Snapshot(), 335, "Curtailment command sent", Section("CURTAIL", false, new ApiObject(1).Add("Action", sleep ? "sleep mode" : "wake up")));
            case "curtail":
                return Error(view, 336, "Invalid curtail action; use sleep or wakeup");
            case "profileset":
                string wanted = args.Length >= 1 ? args[0] : string.Empty;
                if (ProfileList(view.Model).FirstOrDefault(p => p.Name == wanted) is not { Name: not null } profile)
                {
                    return Error(view, 322, $"Invalid profile '{wanted}'");
                }

                miner.SetPowerLevel(profile.Name == "default" ? null : profile.Name, profile.Scale);
                return Ok(miner.Snapshot(), 321, "Profile Set", Section("PROFILE", false,
                    new ApiObject(4).Add("Board", 0).Add("FrequencyStep", 5).Add("Profile", profile.Name).Add("VoltageStep", F(0.05, 2))));
            case "ledset" when args.Length >= 2 && args[0] == "red" && args[1] is "on" or "off" or "blink":
                miner.Locating = args[1] != "off";
                return Ok(view, 332, "LED set");
            case "ledset":
                return Error(view, 333, "Invalid LED parameters; use red,on|off|blink");
            case "resetminer":
                restartAfterReply = true;
                return Ok(view, 302, "Resetting miner");
            case "rebootdevice":
                restartAfterReply = true;
                return Ok(view, 303, "Rebooting device");
            case "atmset" or "fanset":
                return Ok(view, 340, "Set " + command);
            case "addgroup" when args.Length == 2 && args[0].Length > 0 && int.TryParse(args[1], out int q) && q > 0:
                int id = miner.AddGroup(args[0], q);
                return Ok(view, 309, $"Added group {id}: '{args[0]}'");
            case "groupquota" when args.Length == 2 && int.TryParse(args[0], out int gid) && int.TryParse(args[1], out int quota) && quota > 0:
                return miner.SetGroupQuota(gid, quota) ? Ok(view, 311, $"Set group {gid} quota to {quota}") : Error(view, 312, $"Invalid group id {gid}");
            case "removegroup" when args.Length == 1 && int.TryParse(args[0], out int rid):
                return miner.RemoveGroup(rid) ? Ok(view, 310, $"Removed group {rid}") : Error(view, 312, $"Cannot remove group {rid}: it does not exist, is the default group or still has pools");
            case "addpool":
                if (!int.TryParse(args[3], out int group) || miner.Groups.All(g => g.Id != group) || args[0].Length == 0 || args[1].Length == 0)
                {
                    return Error(view, CgminerCodes.InvalidAddPool, $"Invalid addpool details '{args[0]}' (group '{args[3]}')");
                }

                int index = miner.AddPool(new PoolDefinition(args[0], args[1], args[2]), group);
                return Ok(view, CgminerCodes.AddPool, $"Added pool {index}: '{args[0]}'");
            default:
                return Error(view, 313, $"Invalid parameters for '{command}'");
        }
    }

    /// <summary>LuxOS's profiles for a model: 25 MHz steps around the factory "default", named by frequency, with estimated power and hashrate.</summary>
    public static IReadOnlyList<(string Name, double Watts, double Scale)> ProfileList(MinerModel model)
    {
        var list = new List<(string, double, double)>();
        for (int step = -4; step <= 2; step++)
        {
            double scale = 1 + (0.05 * step);
            double freq = model.FrequencyMhz + (25 * step);
            list.Add((step == 0 ? "default" : $"{freq:0}MHz", Math.Round(model.PowerWatts * scale), scale));
        }

        return list;
    }

    private ApiReply Profiles(IMinerControls miner)
    {
        MinerView v = miner.Snapshot();
        var objects = new List<ApiObject>();
        int step = -4;
        foreach ((string name, double watts, double scale) in ProfileList(v.Model))
        {
            objects.Add(new ApiObject(10)
                .Add("CanRestore", true)
                .Add("Frequency", (long)(v.Model.FrequencyMhz + (25 * step)))
                .Add("HasOverrides", false)
                .Add("Hashrate", F(v.Model.NominalHashesPerSecond / 1e12 * scale, 1))
                .Add("IsDynamic", name != "default")
                .Add("IsTuned", name == "default")
                .Add("Profile Name", name)
                .Add("Step", (step++).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add("Voltage", F(12.0, 2))
                .Add("Watts", (long)watts));
        }

        return Ok(v, 324, $"{objects.Count} Profile(s)", Section("PROFILES", false, objects));
    }

    private ApiReply Config(IMinerControls miner)
    {
        MinerView v = miner.Snapshot();
        var o = new ApiObject(8)
            .Add("CurtailMode", miner.Sleeping ? "Sleep" : "None")
            .Add("Model", v.Model.Name)
            .Add("OS", "LuxOS")
            .Add("Pool Count", v.Pools.Count)
            .Add("Profile", miner.PowerLevel ?? "default")
            .Add("RedLed", miner.Locating ? "blink" : "off")
            .Add("SerialNumber", v.Identity.Serial)
            .Add("Strategy", "Failover");
        return Ok(v, 33, "LUXminer config", Section("CONFIG", false, o));
    }

    private ApiReply Groups(IMinerControls miner)
    {
        MinerView v = miner.Snapshot();
        IReadOnlyList<int> poolGroups = miner.PoolGroups;
        var objects = miner.Groups.Select(g => new ApiObject(4)
            .Add("GROUP", g.Id)
            .Add("Name", g.Name)
            .Add("Quota", g.Quota)
            .Add("Pools", poolGroups.Count(p => p == g.Id))).ToList();
        return Ok(v, 328, $"{objects.Count} Group(s)", Section("GROUPS", false, objects));
    }

    /// <summary>LuxOS lists each pool's group (asic-rs's luxminer pools fixture).</summary>
    protected override void ExtendPool(ApiObject pool, PoolView view) => pool.Add("GROUP", view.Group);

    private ApiReply Error(MinerView view, int code, string msg) => new(new ApiStatus("E", code, msg, Description(view)), view.When);

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

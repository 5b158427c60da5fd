using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>Braiins OS BOSminer: cgminer-like API in MH/s, keys sorted alphabetically, extra temps/fans commands (see antminer/antminer-s9-bos).</summary>
public sealed class BraiinsOsPersonality : FirmwarePersonality
{
    private const string Version = "0.2.0-d360818";

    private static readonly IReadOnlyList<MinerModel> Catalog =
    [
        new("Antminer S9", 13.5, 3, 63, 4, 6000, 1300, 650, FirstChainIndex: 6),
        new("Antminer S19 Pro", 110, 3, 114, 4, 6000, 3100, 525),
        new("Antminer S19j Pro", 104, 3, 126, 4, 6000, 2950, 525),
    ];

    public override string Name => "braiins-os";

    /// <inheritdoc />
    public override string UnitSerial(ulong hash) => BitmainSerial(hash);

    public override IReadOnlyList<MinerModel> Models => Catalog;

    /// <summary>BOSminer is not cgminer; no NUL is assumed after its JSON (the captured replies end at the closing brace).</summary>
    public override bool TrailingNul => false;

    /// <summary>BOS+ serves its public gRPC API (pool groups, actions, tuner) on 50051.</summary>
    public override bool ServesBraiinsGrpc => true;

    /// <summary>BOSminer's cgminer-compatible API changes nothing but pause and resume.</summary>
    public override IReadOnlyCollection<string> ExtraPrivilegedCommands { get; } = ["pause", "resume"];

    /// <summary>
    /// BOSminer's cgminer-compatible API has no addpool, switchpool, poolquota, restart…: an unknown command gets
    /// cgminer's Code 14 "Invalid command" (its API lists only reads plus pause/resume; see docs/simulator.md).
    /// </summary>
    public override (int Code, string Message)? RefuseRpcWrite(string command) =>
        command is "pause" or "resume" ? null : (CgminerCodes.InvalidCommand, "Invalid command");

    public override IReadOnlyList<string> ReadCommands { get; } = ["version", "summary", "pools", "devs", "devdetails", "temps", "fans"];

    public override string Description(MinerView view) => "BOSminer " + Version;

    public override string FirmwareVersion(MinerModel model) => Version;

    public override ApiReply? Read(string command, string? parameter, MinerView view) => command switch
    {
        "version" => Ok(view, CgminerCodes.Version, "BOSminer versions",
            Section("VERSION", true, new ApiObject(2).Add("API", "3.7").Add("BOSminer", Version))),
        "summary" => Summary(view),
        "pools" => Pools(view),
        "devs" => Devs(view),
        "devdetails" => DevDetails(view),
        "temps" => Temps(view),
        "fans" => Fans(view),
        _ => null,
    };

    /// <summary>cgminer's decaying N-minute averages ramp up after boot; approximated from the average since boot.</summary>
    private static double Window(MinerView v, double average, double seconds) =>
        average * Math.Min(1, v.Elapsed / seconds);

    private ApiReply Summary(MinerView v)
    {
        double av = v.HashAverage / 1e6;
        double all = v.DifficultyAccepted + v.DifficultyRejected + v.DifficultyStale;
        var o = new ApiObject(30)
            .Add("Accepted", v.Accepted)
            .Add("Best Share", BestShare(v))
            .Add("Device Hardware%", R(Percent(v.HardwareErrors, v.HardwareErrors + v.Diff1)))
            .Add("Device Rejected%", R(Percent(v.DifficultyRejected, v.Diff1)))
            .Add("Difficulty Accepted", R(v.DifficultyAccepted))
            .Add("Difficulty Rejected", R(v.DifficultyRejected))
            .Add("Difficulty Stale", R(v.DifficultyStale))
            .Add("Discarded", 0)
            .Add("Elapsed", v.Elapsed)
            .Add("Found Blocks", 0)
            .Add("Get Failures", 0)
            .Add("Getworks", v.Getworks)
            .Add("Hardware Errors", v.HardwareErrors)
            .Add("Last getwork", v.When)
            .Add("Local Work", (long)(v.Diff1 / 64))
            .Add("MHS 15m", R(Window(v, av, 900)))
            .Add("MHS 1m", R(Window(v, av, 60)))
            .Add("MHS 24h", R(Window(v, av, 86400)))
            .Add("MHS 5m", R(Window(v, av, 300)))
            .Add("MHS 5s", R(v.Hash5s / 1e6))
            .Add("MHS av", R(av))
            .Add("Network Blocks", 0)
            .Add("Pool Rejected%", R(Percent(v.DifficultyRejected, all)))
            .Add("Pool Stale%", R(Percent(v.DifficultyStale, all)))
            .Add("Rejected", v.Rejected)
            .Add("Remote Failures", 0)
            .Add("Stale", v.Stale)
            .Add("Total MH", R(v.TotalHashes / 1e6))
            .Add("Utility", R(Utility(v)))
            .Add("Work Utility", R(WorkUtility(v)));
        return Ok(v, CgminerCodes.Summary, "Summary", Section("SUMMARY", true, o));
    }

    private ApiReply Pools(MinerView v)
    {
        var objects = new List<ApiObject>();
        foreach (PoolView p in v.Pools)
        {
            double all = p.DifficultyAccepted + p.DifficultyRejected + p.DifficultyStale;
            objects.Add(new ApiObject(38)
                .Add("Accepted", p.Accepted)
                .Add("AsicBoost", true)
                .Add("Bad Work", 0)
                .Add("Best Share", (long)(p.Diff1 > 0 ? Math.Min(p.Diff1 * 8, 1e12) : 0))
                .Add("Current Block Height", 0)
                .Add("Current Block Version", p.Active ? 536870912 : 0)
                .Add("Diff1 Shares", (long)p.Diff1)
                .Add("Difficulty Accepted", R(p.DifficultyAccepted))
                .Add("Difficulty Rejected", R(p.DifficultyRejected))
                .Add("Difficulty Stale", R(p.DifficultyStale))
                .Add("Discarded", 0)
                .Add("Get Failures", 0)
                .Add("Getworks", p.Getworks)
                .Add("Has GBT", false)
                .Add("Has Stratum", true)
                .Add("Has Vmask", true)
                .Add("Last Share Difficulty", R(p.LastShareDifficulty))
                .Add("Last Share Time", p.LastShareAt?.ToUnixTimeSeconds() ?? 0)
                .Add("Long Poll", "N")
                .Add("POOL", p.Index)
                .Add("Pool Rejected%", R(Percent(p.DifficultyRejected, all)))
                .Add("Pool Stale%", R(Percent(p.DifficultyStale, all)))
                .Add("Priority", p.Priority)
                .Add("Proxy", string.Empty)
                .Add("Proxy Type", string.Empty)
                .Add("Quota", p.Quota)
                .Add("Rejected", p.Rejected)
                .Add("Remote Failures", 0)
                .Add("Stale", p.Stale)
                .Add("Status", p.Status)
                .Add("Stratum Active", p.Active)
                .Add("Stratum Difficulty", R(p.Active ? p.ShareDifficulty : 0))
                .Add("Stratum URL", HostPort(p.Url))
                .Add("URL", p.Url)
                .Add("User", p.User)
                .Add("Work Difficulty", R(p.Active ? p.ShareDifficulty : 0))
                .Add("Works", (long)(p.Diff1 / 4)));
        }

        return Ok(v, CgminerCodes.Pool, $"{v.Pools.Count} Pool(s)", Section("POOLS", false, objects));
    }

    private ApiReply Devs(MinerView v)
    {
        var objects = new List<ApiObject>();
        int asc = 0;
        foreach (BoardView b in v.Boards.Where(b => b.Alive))
        {
            double av = b.HashAverage / 1e6;
            double diff1 = b.TotalHashes / 4294967296.0;
            objects.Add(new ApiObject(28)
                .Add("ASC", asc++)
                .Add("Accepted", 0)
                .Add("Device Elapsed", v.Elapsed)
                .Add("Device Hardware%", R(Percent(b.HardwareErrors, b.HardwareErrors + diff1)))
                .Add("Device Rejected%", R(0))
                .Add("Diff1 Work", (long)diff1)
                .Add("Difficulty Accepted", R(0))
                .Add("Difficulty Rejected", R(0))
                .Add("Enabled", "Y")
                .Add("Hardware Error MHS 15m", R(0))
                .Add("Hardware Errors", b.HardwareErrors)
                .Add("ID", b.Index + v.Model.FirstChainIndex)
                .Add("Last Share Difficulty", R(0))
                .Add("Last Share Pool", -1)
                .Add("Last Share Time", v.When)
                .Add("Last Valid Work", v.When)
                .Add("MHS 15m", R(Window(v, av, 900)))
                .Add("MHS 1m", R(Window(v, av, 60)))
                .Add("MHS 5m", R(Window(v, av, 300)))
                .Add("MHS 5s", R(b.Hash5s / 1e6))
                .Add("MHS av", R(av))
                .Add("Name", string.Empty)
                .Add("Nominal MHS", R(b.NominalHash / 1e6))
                .Add("Rejected", 0)
                .Add("Status", "Alive")
                // BOSminer leaves Temperature at 0.0 here and reports temperatures through "temps".
                .Add("Temperature", R(0))
                .Add("Total MH", R(b.TotalHashes / 1e6))
                .Add("Utility", R(0)));
        }

        return Ok(v, CgminerCodes.Devs, $"{objects.Count} ASC(s)", Section("DEVS", false, objects));
    }

    private ApiReply DevDetails(MinerView v)
    {
        var objects = new List<ApiObject>();
        int idx = 0;
        foreach (BoardView b in v.Boards.Where(b => b.Alive))
        {
            objects.Add(new ApiObject(11)
                .Add("Chips", b.Chips)
                .Add("Cores", b.Chips * 114)
                .Add("DEVDETAILS", idx++)
                .Add("Device Path", string.Empty)
                .Add("Driver", string.Empty)
                .Add("Frequency", v.Model.FrequencyMhz)
                .Add("ID", b.Index + v.Model.FirstChainIndex)
                .Add("Kernel", string.Empty)
                .Add("Model", v.Model.Name)
                .Add("Name", string.Empty)
                .Add("Voltage", R(8.8)));
        }

        return Ok(v, CgminerCodes.DevDetails, "Device Details", Section("DEVDETAILS", false, objects));
    }

    private ApiReply Temps(MinerView v)
    {
        var objects = new List<ApiObject>();
        int idx = 0;
        foreach (BoardView b in v.Boards.Where(b => b.Alive))
        {
            objects.Add(new ApiObject(4)
                .Add("Board", R(Math.Round(b.BoardTemp)))
                .Add("Chip", R(Math.Round(b.ChipTemp)))
                .Add("ID", b.Index + v.Model.FirstChainIndex)
                .Add("TEMP", idx++));
        }

        return Ok(v, 201, $"{objects.Count} Temp(s)", Section("TEMPS", false, objects));
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

    private static string HostPort(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        return scheme >= 0 ? url[(scheme + 3)..] : url;
    }
}

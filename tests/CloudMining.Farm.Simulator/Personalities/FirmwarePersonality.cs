using System.Globalization;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>How one firmware family answers: its commands, section and key names, units, status strings and quirks.</summary>
public abstract class FirmwarePersonality
{
    /// <summary>Name, matching the firmware profile file in firmware-profiles/.</summary>
    public abstract string Name { get; }

    /// <summary>Models this firmware runs on; the first is the default.</summary>
    public abstract IReadOnlyList<MinerModel> Models { get; }

    /// <summary>Whether the firmware writes a NUL byte after the reply (cgminer and its forks do).</summary>
    public virtual bool TrailingNul => true;

    /// <summary>Whether pool quotas (load balance) exist on this firmware.</summary>
    public virtual bool SupportsQuota => true;

    /// <summary>Whether cgminer's privileged commands (addpool, switchpool, ...) can work on this firmware at all.</summary>
    public virtual bool AcceptsCgminerWrites => true;

    /// <summary>Whether the firmware serves Bitmain's web CGI (get/set_miner_conf.cgi…) behind Digest authentication.</summary>
    public virtual bool ServesBitmainWeb => false;

    /// <summary>Whether the real firmware refuses every privileged RPC command (stock Antminer: Code 45), unless the miner is simulated permissive.</summary>
    public virtual bool RefusesRpcWrites => false;

    /// <summary>Whether the firmware serves VNish's REST API (/api/v1 with a bearer token from /unlock) on the web port.</summary>
    public virtual bool ServesVnishRest => false;

    /// <summary>Whether hashrate is split between pool groups by group quota (LuxOS) rather than by pool quota.</summary>
    public virtual bool UsesPoolGroups => false;

    /// <summary>
    /// Handles a firmware-specific command that changes the miner itself (sleep, LED, power level, LuxOS sessions and
    /// groups) before any cgminer handling; the personality decides who may run it. Null: not such a command.
    /// </summary>
    public virtual ApiReply? Control(string command, string? parameter, IMinerControls miner, out bool restartAfterReply)
    {
        restartAfterReply = false;
        return null;
    }

    /// <summary>Whether the firmware serves Braiins OS+'s public gRPC API (pool groups, actions, tuner) on the miner's web port.</summary>
    public virtual bool ServesBraiinsGrpc => false;

    /// <summary>
    /// The firmware's own refusal of a privileged cgminer command (BOSminer: only pause and resume exist; anything else
    /// is an unknown command), or null to let the usual write handling decide. Not consulted for permissive miners.
    /// </summary>
    public virtual (int Code, string Message)? RefuseRpcWrite(string command) => null;

    /// <summary>Firmware-specific privileged commands beyond cgminer's (Avalon's ascset, LuxOS's resetminer).</summary>
    public virtual IReadOnlyCollection<string> ExtraPrivilegedCommands => [];

    /// <summary>Handles a firmware-specific privileged command; null leaves it to the cgminer pool commands.</summary>
    public virtual ApiReply? Write(string command, string? parameter, MinerView view, out bool restartAfterReply)
    {
        restartAfterReply = false;
        return null;
    }

    /// <summary>Rewrites a write command's parameter before cgminer handling (LuxOS prefixes a session id).</summary>
    public virtual string? NormalizeWriteParameter(string command, string? parameter) => parameter;

    /// <summary>Read commands this personality answers (for docs and tests).</summary>
    public abstract IReadOnlyList<string> ReadCommands { get; }

    /// <summary>The STATUS "Description" field ("cgminer 1.0.0", "BOSminer 0.2.0-d360818").</summary>
    public abstract string Description(MinerView view);

    /// <summary>Firmware version string a miner of this model reports.</summary>
    public abstract string FirmwareVersion(MinerModel model);

    /// <summary>Serial of one hash board as this firmware prints it.</summary>
    public virtual string BoardSerial(ulong hash, int board) =>
        "SIM" + hash.ToString("X13", CultureInfo.InvariantCulture)[..13];

    /// <summary>The unit's serial number in this vendor's style (default: 16 hex digits, like an Avalon's DNA).</summary>
    public virtual string UnitSerial(ulong hash) => hash.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether this firmware gives the unit's serial on its cgminer API (where farm-agent's firmware profile reads it):
    /// Avalon (version DNA), LuxOS (config SerialNumber), btminer (get_miner_info Msg.minersn). Stock Antminer, VNish and
    /// Braiins OS give it only on their web or gRPC interfaces, which the simulator serves with the same logins as the real
    /// ones: get_system_info.cgi "serinum" (Digest), VNish GET /api/v1/info "serial" (no login), BOS+ MinerService
    /// GetMinerDetails serial_number (session token).
    /// </summary>
    public virtual bool ReportsSerialOnApi => false;

    /// <summary>A Bitmain-style unit serial: 17 upper-case letters and digits.</summary>
    protected static string BitmainSerial(ulong hash)
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var chars = new char[17];
        chars[0] = 'J';
        chars[1] = 'Y';
        for (int i = 2; i < chars.Length; i++)
        {
            chars[i] = alphabet[(int)(hash % (ulong)alphabet.Length)];
            hash /= (ulong)alphabet.Length;
            hash ^= 0x9E3779B97F4A7C15UL * (ulong)i;
        }

        return new string(chars);
    }

    /// <summary>Builds the reply to a read command, or null when the firmware does not know the command.</summary>
    public abstract ApiReply? Read(string command, string? parameter, MinerView view);

    public MinerModel FindModel(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Models[0];
        }

        foreach (MinerModel m in Models)
        {
            if (string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase) ||
                m.Name.EndsWith(" " + name, StringComparison.OrdinalIgnoreCase))
            {
                return m;
            }
        }

        throw new ArgumentException(
            $"Firmware '{Name}' has no model '{name}'; known models: {string.Join(", ", Models.Select(m => m.Name))}.", nameof(name));
    }

    protected ApiReply Ok(MinerView view, int code, string msg, params ApiSection[] sections) =>
        new(new ApiStatus("S", code, msg, Description(view)), view.When, sections);

    protected static ApiSection Section(string name, bool plainPrefix, params ApiObject[] objects) => new(name, objects, plainPrefix);

    protected static ApiSection Section(string name, bool plainPrefix, IEnumerable<ApiObject> objects) => new(name, objects.ToList(), plainPrefix);

    protected static ApiValue F(double value, int decimals) => ApiValue.Fixed(value, decimals);

    protected static ApiValue R(double value) => ApiValue.Real(value);

    protected static ApiValue S(string value) => ApiValue.Str(value);

    protected static ApiValue I(long value) => ApiValue.Whole(value);

    protected static string Fmt(double value, int decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>cgminer's "Last Share Time" as H:MM:SS since the share, or "0" when none (stock bmminer prints it as text).</summary>
    protected static string SinceText(DateTimeOffset now, DateTimeOffset? at)
    {
        if (at is null)
        {
            return "0";
        }

        TimeSpan d = now - at.Value;
        if (d < TimeSpan.Zero)
        {
            d = TimeSpan.Zero;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours}:{d.Minutes:D2}:{d.Seconds:D2}");
    }

    /// <summary>Difficulty as stock bmminer prints "Diff": "65.5K", "512".</summary>
    protected static string ShortDiff(double diff)
    {
        if (diff <= 0)
        {
            return string.Empty;
        }

        if (diff >= 1e6)
        {
            return Fmt(diff / 1e6, 1) + "M";
        }

        return diff >= 1e3 ? Fmt(diff / 1e3, 1) + "K" : Fmt(diff, 0);
    }

    /// <summary>cgminer's "Utility": accepted shares per minute.</summary>
    protected static double Utility(MinerView v) => v.Elapsed > 0 ? v.Accepted * 60.0 / v.Elapsed : 0;

    /// <summary>cgminer's "Work Utility": difficulty-1 shares per minute.</summary>
    protected static double WorkUtility(MinerView v) => v.Elapsed > 0 ? v.Diff1 * 60.0 / v.Elapsed : 0;

    protected static double Percent(double part, double whole) => whole > 0 ? part * 100.0 / whole : 0;

    protected static long BestShare(MinerView v) => (long)(v.Diff1 > 0 ? Math.Min(v.Diff1 * 8, 1e12) : 0);
}

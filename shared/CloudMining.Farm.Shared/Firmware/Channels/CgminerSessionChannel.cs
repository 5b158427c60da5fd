using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// cgminer-style RPC on TCP 4028 whose configuration commands need a session (LuxOS's LUXminer): <c>logon</c> hands
/// out a SessionID (one session at a time, expiring after a minute unused), which goes first in the parameters of the
/// commands that need it (<c>curtail</c>, <c>profileset</c>, <c>ledset</c>, <c>resetminer</c>, <c>rebootdevice</c>…);
/// <c>logoff</c> drops it at the end. A command refused because the session expired logs on again once and is
/// repeated. Pools are written as a whole list: pool commands (the profile's addPool/removePool/switchPool, which take
/// no session on LuxOS) and, for a quota split, LuxOS pool groups — each quota pool in a group of its own whose
/// <c>groupquota</c> is the pool's quota (LuxOS splits the hashrate between groups by quota and fails over inside a
/// group). The result is read back (<c>pools</c>, <c>groups</c>) before success is reported.
/// </summary>
public sealed class CgminerSessionChannel : WriteChannel
{
    /// <summary>The prefix of the pool groups this channel creates for a quota split ("cmf-1", "cmf-2"…); other groups are left alone unless emptied.</summary>
    public const string GroupPrefix = "cmf-";

    private readonly MinerApiClient _client;

    public CgminerSessionChannel(MinerApiClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
    }

    public override WriteChannelKind Kind => WriteChannelKind.CgminerSession;

    public override bool WritesWholePoolList => true;

    /// <summary>Quotas are per pool group: the profile's setPools route names the group quota command.</summary>
    /// <summary>Splits go through pool groups (LuxOS pool groups, one per quota pool, groupquota = the pool's share), not cgminer's pool quotas.</summary>
    public override string QuotaStyle(FirmwareProfile profile) => SupportsQuota(profile) ? Wire.PoolQuotaStyles.GroupRatio : Wire.PoolQuotaStyles.None;

    public override bool SupportsQuota(FirmwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Route(MinerOperation.SetPools)?.Command is { Length: > 0 };
    }

    public override async Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pools);
        const MinerOperation op = MinerOperation.SetPools;
        FirmwareProfile profile = target.Profile;
        if (pools.Count == 0)
        {
            return ChannelResult.NotSupported(op, Name, target, "an empty pool list was asked", "send at least one pool");
        }

        bool split = pools.Any(p => p.Quota is not null);
        if (split && !SupportsQuota(profile))
        {
            return ChannelResult.NotSupported(op, Name, target, $"a quota split is asked but the profile '{profile.Name}' names no group quota command",
                $"add 'command: groupquota' to operations.setPools in {Path.GetFileName(profile.SourceFile)} if the firmware has pool groups");
        }

        if (!profile.Actions.ContainsKey(ProfileAction.AddPool) || !profile.Actions.ContainsKey(ProfileAction.RemovePool))
        {
            return ChannelResult.NotSupported(op, Name, target, $"the profile '{profile.Name}' lacks actions.addPool or actions.removePool",
                $"add them under actions: in {Path.GetFileName(profile.SourceFile)}");
        }

        var run = new Run(this, target, op);
        var secrets = pools.Select(p => p.Password).Where(p => p.Length > 1).ToList();
        try
        {
            // Where each desired pool goes: all in the default group 0 for a failover list; for a quota split the first
            // in group 0 and each other in a group of its own, every group with the pool's quota.
            List<(PoolEntry Pool, string Group, int Quota)> layout = split
                ? [.. pools.Select((p, i) => (p, i == 0 ? string.Empty : GroupPrefix + (i + 1).ToString(CultureInfo.InvariantCulture), Math.Max(1, p.Quota ?? 1)))]
                : [.. pools.Select(p => (p, string.Empty, 1))];
            Dictionary<string, int> groupIds = await EnsureGroupsAsync(run, layout, cancellationToken);

            // 1. Add what is missing (in its group).
            List<PoolRow> current = await PoolsAsync(run, cancellationToken);
            foreach ((PoolEntry pool, string group, _) in layout)
            {
                int wantedGroup = groupIds[group];
                if (current.Any(c => Same(c, pool) && (c.Group ?? 0) == wantedGroup))
                {
                    continue;
                }

                var values = new Dictionary<string, string> { ["url"] = pool.Url, ["user"] = pool.User, ["password"] = pool.Password };
                string? parameter = Render(profile, ProfileAction.AddPool, values);
                if (wantedGroup != 0)
                {
                    parameter += "," + wantedGroup.ToString(CultureInfo.InvariantCulture);
                }

                await run.CommandAsync(Step(profile, ProfileAction.AddPool).Command, parameter, session: false, secrets, cancellationToken);
            }

            // 2. The desired pools of group 0 first, in order (switchpool moves one to the top: last first).
            var first = layout.Where(l => l.Group.Length == 0).ToList();
            current = await PoolsAsync(run, cancellationToken);
            if (profile.Actions.ContainsKey(ProfileAction.SwitchPool))
            {
                for (int i = first.Count - 1; i >= 0 && !InOrder(current.Where(c => (c.Group ?? 0) == 0).ToList(), first); i--)
                {
                    if (current.FirstOrDefault(c => Same(c, first[i].Pool) && (c.Group ?? 0) == 0) is { } row)
                    {
                        await run.CommandAsync(Step(profile, ProfileAction.SwitchPool).Command, Render(profile, ProfileAction.SwitchPool, Index(row.Index)), session: false, secrets, cancellationToken);
                        current = await PoolsAsync(run, cancellationToken);
                    }
                }
            }

            // 3. Remove the rest, highest index first; a pool still in use is disabled first (it cannot be removed in use).
            foreach (PoolRow extra in current.Where(c => !Wanted(c, layout, groupIds)).OrderByDescending(c => c.Index).ToList())
            {
                if (extra.Active && profile.Actions.ContainsKey(ProfileAction.DisablePool))
                {
                    await run.CommandAsync(Step(profile, ProfileAction.DisablePool).Command, Render(profile, ProfileAction.DisablePool, Index(extra.Index)), session: false, secrets, cancellationToken);
                }

                await run.CommandAsync(Step(profile, ProfileAction.RemovePool).Command, Render(profile, ProfileAction.RemovePool, Index(extra.Index)), session: false, secrets, cancellationToken);
            }

            // 4. Groups this channel made for an earlier split and no longer needs.
            if (split || current.Any(c => (c.Group ?? 0) != 0))
            {
                Dictionary<string, (int Id, int Quota)> all = await GroupsAsync(run, cancellationToken);
                foreach ((string name, (int id, _)) in all.Where(g => g.Key.StartsWith(GroupPrefix, StringComparison.Ordinal) && !layout.Any(l => l.Group == g.Key)).OrderByDescending(g => g.Value.Id))
                {
                    await run.CommandAsync("removegroup", id.ToString(CultureInfo.InvariantCulture), session: false, secrets, cancellationToken);
                }
            }

            if (split)
            {
                string quotaCommand = profile.Route(op)!.Command!;
                foreach ((_, string group, int quota) in layout)
                {
                    await run.CommandAsync(quotaCommand, $"{groupIds[group].ToString(CultureInfo.InvariantCulture)},{quota.ToString(CultureInfo.InvariantCulture)}", session: false, secrets, cancellationToken);
                }

                // Verify the split as LuxOS reports it; the pools themselves are read back by the caller.
                var quotas = (await GroupsAsync(run, cancellationToken)).Values.ToDictionary(g => g.Id, g => g.Quota);
                foreach ((PoolEntry pool, string group, int quota) in layout)
                {
                    int id = groupIds[group];
                    if (quotas.GetValueOrDefault(id) != quota)
                    {
                        return run.Failed(ChannelErrorKind.CommandError, $"group {id} for {pool.Url} ({pool.User}) reads back with quota {quotas.GetValueOrDefault(id)}, not {quota}",
                            "see the miner's groups; the agent tries again after a backoff");
                    }
                }
            }

            return ChannelResult.Ok(op, Name, run.Sent, run.Messages);
        }
        catch (MinerApiException e)
        {
            return run.From(e.Error, secrets);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return run.From(new MinerApiError(MinerApiErrorKind.Unreachable, $"{target.Endpoint}: {e.GetType().Name}"), secrets);
        }
    }

    public override async Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        if (route.Command is not { } command)
        {
            return ChannelResult.NotSupported(route.Operation, Name, target, $"the route for {WriteChannelNames.Of(route.Operation)} names no command",
                $"add 'command:' (and 'value:' for its parameter) to operations.{WriteChannelNames.Of(route.Operation)} in {Path.GetFileName(target.Profile.SourceFile)}");
        }

        return await WithSessionAsync(target, route.Operation, route.Value, command, cancellationToken);
    }

    /// <summary>Chooses the firmware profile (from <c>profiles</c>) whose power is nearest the target and sets it with the route's command (profileset).</summary>
    public override async Task<ChannelResult> SetPowerTargetAsync(ChannelTarget target, OperationRoute route, Power power, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        const MinerOperation op = MinerOperation.SetPowerTarget;
        var run = new Run(this, target, op);
        List<(string Name, double Watts)> profiles;
        try
        {
            profiles = await ProfilesAsync(run, cancellationToken);
        }
        catch (MinerApiException e)
        {
            return run.From(e.Error, []);
        }

        if (profiles.Count == 0)
        {
            return run.Failed(ChannelErrorKind.NotSupported, "the 'profiles' command lists no profile with a power in watts", "check the miner's profiles; LuxOS sets power through them");
        }

        (string chosen, double watts) = profiles.MinBy(p => Math.Abs(p.Watts - power.Watts));
        ChannelResult result = await WithSessionAsync(target, op, chosen, route.Command ?? "profileset", cancellationToken, run.Sent);
        return result.Succeeded
            ? result with { Messages = [.. result.Messages, string.Create(CultureInfo.InvariantCulture, $"profile {chosen} ({watts:0} W), the nearest to {power.Watts:0} W of {string.Join(", ", profiles.Select(p => p.Name))}")] }
            : result;
    }

    /// <summary>Logs on and off (changing nothing); reports the profiles' power range.</summary>
    public override async Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var run = new Run(this, target, MinerOperation.SetPools);
        try
        {
            string session = await run.LogonAsync(cancellationToken);
            await run.LogoffAsync(session, cancellationToken);
            List<(string Name, double Watts)> profiles = target.Profile.Route(MinerOperation.SetPowerTarget) is null ? [] : await ProfilesAsync(run, cancellationToken);
            return new ChannelProbe(Name, ChannelProbeStatus.Ready, "logon and logoff accepted")
            {
                PowerTargetRange = profiles.Count == 0 ? null : (profiles.Min(p => p.Watts), profiles.Max(p => p.Watts)),
            };
        }
        catch (MinerApiException e)
        {
            ChannelError error = run.From(e.Error, []).Error!;
            return ChannelProbe.Failed(Name, error);
        }
    }

    private async Task<ChannelResult> WithSessionAsync(ChannelTarget target, MinerOperation op, string? value, string command, CancellationToken cancellationToken, int alreadySent = 0)
    {
        var run = new Run(this, target, op) { Sent = alreadySent };
        string? session = null;
        try
        {
            session = await run.LogonAsync(cancellationToken);
            try
            {
                await run.CommandAsync(command, Prefixed(session, value), session: true, [session], cancellationToken);
            }
            catch (MinerApiException e) when (ExpiredSession(e.Error))
            {
                // The session lapsed between logon and the command (a minute unused): log on again, once.
                session = await run.LogonAsync(cancellationToken);
                await run.CommandAsync(command, Prefixed(session, value), session: true, [session], cancellationToken);
            }

            if (op is not (MinerOperation.Reboot or MinerOperation.RestartMining))
            {
                await run.LogoffAsync(session, cancellationToken);
            }

            return ChannelResult.Ok(op, Name, run.Sent, run.Messages);
        }
        catch (MinerApiException e)
        {
            return run.From(e.Error, session is null ? [] : [session]);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return run.From(new MinerApiError(MinerApiErrorKind.Unreachable, $"{target.Endpoint}: {e.GetType().Name}"), []);
        }
    }

    private static string Prefixed(string session, string? value) => string.IsNullOrEmpty(value) ? session : session + "," + value;

    /// <summary>LUXminer's refusal of a session id it no longer knows.</summary>
    private static bool ExpiredSession(MinerApiError error) =>
        error.Kind is MinerApiErrorKind.CommandError or MinerApiErrorKind.AccessDenied &&
        (error.StatusMessage ?? error.Message).Contains("session", StringComparison.OrdinalIgnoreCase);

    private static async Task<List<PoolRow>> PoolsAsync(Run run, CancellationToken ct)
    {
        using ApiReplySet set = await run.ReadAsync("pools", ct);
        var rows = new List<PoolRow>();
        foreach (JsonElement o in set.First.Reply!.SectionObjects("POOLS"))
        {
            rows.Add(new PoolRow(
                Int(o, "POOL") ?? rows.Count,
                Text(o, "URL") ?? string.Empty,
                Text(o, "User") ?? string.Empty,
                Int(o, "GROUP"),
                Int(o, "Priority") ?? rows.Count,
                JsonLookup.TryGetProperty(o, "Stratum Active", out JsonElement active) && active.ValueKind == JsonValueKind.True));
        }

        return rows;
    }

    private static async Task<Dictionary<string, (int Id, int Quota)>> GroupsAsync(Run run, CancellationToken ct)
    {
        using ApiReplySet set = await run.ReadAsync("groups", ct);
        var groups = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (JsonElement o in set.First.Reply!.SectionObjects("GROUPS"))
        {
            if (Text(o, "Name") is { } name && Int(o, "GROUP") is { } id)
            {
                groups[name] = (id, Int(o, "Quota") ?? 1);
            }
        }

        return groups;
    }

    private static async Task<List<(string Name, double Watts)>> ProfilesAsync(Run run, CancellationToken ct)
    {
        using ApiReplySet set = await run.ReadAsync("profiles", ct);
        var list = new List<(string, double)>();
        foreach (JsonElement o in set.First.Reply!.SectionObjects("PROFILES"))
        {
            if (Text(o, "Profile Name") is { } name && JsonLookup.TryGetProperty(o, "Watts", out JsonElement w) && w.ValueKind == JsonValueKind.Number && w.GetDouble() > 0)
            {
                list.Add((name, w.GetDouble()));
            }
        }

        return [.. list.OrderBy(p => p.Item2)];
    }

    /// <summary>Creates the quota groups that do not exist yet (addgroup name,quota); the empty name is the default group 0.</summary>
    private static async Task<Dictionary<string, int>> EnsureGroupsAsync(Run run, List<(PoolEntry Pool, string Group, int Quota)> layout, CancellationToken ct)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal) { [string.Empty] = 0 };
        if (layout.All(l => l.Group.Length == 0))
        {
            return ids;
        }

        Dictionary<string, (int Id, int Quota)> groups = await GroupsAsync(run, ct);
        foreach ((_, string group, int quota) in layout.Where(l => l.Group.Length > 0))
        {
            if (!groups.ContainsKey(group))
            {
                await run.CommandAsync("addgroup", $"{group},{quota.ToString(CultureInfo.InvariantCulture)}", session: false, [], ct);
            }
        }

        groups = await GroupsAsync(run, ct);
        foreach ((_, string group, _) in layout.Where(l => l.Group.Length > 0))
        {
            ids[group] = groups.TryGetValue(group, out var g) ? g.Id
                : throw new MinerApiException(new MinerApiError(MinerApiErrorKind.CommandError, $"group {group} was added but 'groups' does not list it") { Command = "addgroup" });
        }

        return ids;
    }

    private static bool Same(PoolRow row, PoolEntry pool) =>
        string.Equals(row.Url.Trim(), pool.Url.Trim(), StringComparison.OrdinalIgnoreCase) && string.Equals(row.User.Trim(), pool.User.Trim(), StringComparison.Ordinal);

    private static bool Wanted(PoolRow row, List<(PoolEntry Pool, string Group, int Quota)> layout, Dictionary<string, int> ids) =>
        layout.Any(l => Same(row, l.Pool) && (row.Group ?? 0) == ids[l.Group]);

    /// <summary>Whether the desired pools (failover list) already come first, in order.</summary>
    private static bool InOrder(List<PoolRow> current, List<(PoolEntry Pool, string Group, int Quota)> layout)
    {
        var order = current.OrderBy(c => c.Priority).ThenBy(c => c.Index).ToList();
        for (int i = 0; i < layout.Count; i++)
        {
            if (i >= order.Count || !Same(order[i], layout[i].Pool))
            {
                return false;
            }
        }

        return true;
    }

    private static ActionStep Step(FirmwareProfile profile, ProfileAction action) => profile.Actions[action][0];

    private static string? Render(FirmwareProfile profile, ProfileAction action, Dictionary<string, string> values) => Step(profile, action).Render(values);

    private static Dictionary<string, string> Index(int i) => new() { ["index"] = i.ToString(CultureInfo.InvariantCulture) };

    private static string? Text(JsonElement o, string key) => JsonLookup.TryGetProperty(o, key, out JsonElement v) ? JsonLookup.GetText(v) : null;

    private static int? Int(JsonElement o, string key) =>
        JsonLookup.TryGetProperty(o, key, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) ? (int)d : null;

    private sealed record PoolRow(int Index, string Url, string User, int? Group, int Priority, bool Active);

    /// <summary>One operation's conversation with the miner: the requests sent, the miner's messages, errors typed with the fix.</summary>
    private sealed class Run(CgminerSessionChannel channel, ChannelTarget target, MinerOperation op)
    {
        public int Sent { get; set; }

        public List<string> Messages { get; } = [];

        public async Task<string> LogonAsync(CancellationToken ct)
        {
            SessionStep login = target.Profile.Session ?? new SessionStep("logon", null, "SESSION.SessionID");
            Sent++;
            ApiReplySet reply;
            try
            {
                reply = await channel._client.ExecuteAsync(target.Endpoint, login.Command, login.Parameter, cancellationToken: ct);
            }
            catch (MinerApiException e) when (SessionTaken(e.Error))
            {
                // LUXminer keeps one session at a time: while another of our operations (a capability probe, a pool
                // write) holds it, logon is refused (317) and the holder's id is read with "session", as LuxOS clients do.
                Sent++;
                reply = await channel._client.ExecuteAsync(target.Endpoint, "session", null, cancellationToken: ct);
            }

            using ApiReplySet _ = reply;
            int dot = login.Field.IndexOf('.', StringComparison.Ordinal);
            string section = dot > 0 ? login.Field[..dot] : login.Field;
            string key = dot > 0 ? login.Field[(dot + 1)..] : "SessionID";
            if (reply.First.Reply is { } r && r.TryGetFirstObject(section, out JsonElement? o) && Text(o.Value, key) is { Length: > 0 } session)
            {
                return session;
            }

            throw new MinerApiException(new MinerApiError(MinerApiErrorKind.UnsupportedReply,
                $"{target.Endpoint}: the '{login.Command}' reply has no {login.Field} (another client may hold the miner's only session)") { Command = login.Command });
        }

        private static bool SessionTaken(MinerApiError error) =>
            error.StatusCode == 317 || (error.StatusMessage ?? string.Empty).Contains("another session", StringComparison.OrdinalIgnoreCase);

        public async Task LogoffAsync(string session, CancellationToken ct)
        {
            try
            {
                Sent++;
                using ApiReplySet _ = await channel._client.ExecuteAsync(target.Endpoint, "logoff", session, cancellationToken: ct);
            }
            catch (MinerApiException)
            {
                // The work is done; a session left behind expires within a minute on its own.
            }
        }

        public async Task<ApiReplySet> ReadAsync(string command, CancellationToken ct)
        {
            Sent++;
            return await channel._client.ExecuteAsync(target.Endpoint, command, null, cancellationToken: ct);
        }

        public async Task CommandAsync(string command, string? parameter, bool session, List<string> secrets, CancellationToken ct)
        {
            Sent++;
            using ApiReplySet reply = await channel._client.ExecuteAsync(target.Endpoint, command, parameter, cancellationToken: ct);
            if (reply.First.Reply?.Status?.Msg is { } msg)
            {
                Messages.Add(Mask(msg, secrets));
            }
        }

        public ChannelResult Failed(ChannelErrorKind kind, string message, string fix) =>
            ChannelResult.Failed(op, channel.Name, Sent, Messages, new ChannelError(kind, target.MinerId, channel.Name, message, fix));

        public ChannelResult From(MinerApiError error, IReadOnlyList<string> secrets)
        {
            string message = Mask(error.Message, secrets);
            (ChannelErrorKind kind, string fix) = error.Kind switch
            {
                MinerApiErrorKind.Unreachable => (ChannelErrorKind.Unreachable, "check the miner is powered and reachable; the change is tried again once it answers"),
                MinerApiErrorKind.Timeout => (ChannelErrorKind.Timeout, "the miner may be busy or booting; the change is tried again once it answers"),
                MinerApiErrorKind.AccessDenied => (ChannelErrorKind.AccessDenied,
                    "LUXminer refused the command: it needs a valid session (logon), and only one session exists at a time — check no other tool holds one; the agent tries again after a backoff"),
                MinerApiErrorKind.UnsupportedReply => (ChannelErrorKind.CommandError, "another client may hold the miner's only session (it expires a minute after its last use); the agent tries again after a backoff"),
                MinerApiErrorKind.CommandError => (ChannelErrorKind.CommandError, "see the miner's message; the agent tries again after a backoff"),
                _ => (ChannelErrorKind.MalformedReply, "the reply could not be read; check the firmware profile matches the firmware"),
            };
            return ChannelResult.Failed(op, channel.Name, Sent, Messages, new ChannelError(kind, target.MinerId, channel.Name, message, fix));
        }

        private static string Mask(string text, IReadOnlyList<string> secrets)
        {
            foreach (string secret in secrets.Where(s => s.Length > 1))
            {
                text = text.Replace(secret, ActionRunner.Mask, StringComparison.Ordinal);
            }

            return text;
        }
    }
}

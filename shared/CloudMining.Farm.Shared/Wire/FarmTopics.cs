namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Builds and parses the versioned topic tree <c>farm/v1/{site}/{rack}/...</c>. Ids are validated so that no id can
/// inject a level or a wildcard (<c>/ + #</c>, NUL) and rack ids cannot collide with the site-level branches.
/// </summary>
public static class FarmTopics
{
    public const string Root = "farm/v1";

    /// <summary>Rack ids that would be ambiguous with <c>farm/v1/{site}/allocation/...</c> and <c>farm/v1/{site}/capacity</c>.</summary>
    public static readonly IReadOnlySet<string> ReservedRackIds = new HashSet<string>(StringComparer.Ordinal) { "allocation", "capacity" };

    public const int MaxIdLength = 64;

    /// <summary>Retained agent status; the agent's last will publishes "offline" here.</summary>
    public static string AgentStatus(string site, string rack) => $"{Rack(site, rack)}/status";

    public static string MinerTelemetry(string site, string rack, string minerId) => $"{Rack(site, rack)}/miners/{Id(minerId, "miner id")}/telemetry";

    /// <summary>Every answering miner's reading of one cycle in one message (or a few), when the agent batches telemetry.</summary>
    public static string TelemetryBatch(string site, string rack) => $"{Rack(site, rack)}/{TelemetryBatchLevel}";

    public static string MinerState(string site, string rack, string minerId) => $"{Rack(site, rack)}/miners/{Id(minerId, "miner id")}/state";

    /// <summary>Relay actions, alarms and watchdog steps of one rack.</summary>
    public static string Events(string site, string rack) => $"{Rack(site, rack)}/events";

    /// <summary>Retained pool configuration the controller wants on a rack.</summary>
    public static string Desired(string site, string rack) => $"{Rack(site, rack)}/desired";

    /// <summary>Pool configuration the agent actually applied.</summary>
    public static string Reported(string site, string rack) => $"{Rack(site, rack)}/reported";

    public static string Allocation(string site, string contractId) => $"{Root}/{Id(site, "site id")}/allocation/{Id(contractId, "contract id")}";

    /// <summary>Retained free/used capacity of a site for the contract platform.</summary>
    public static string Capacity(string site) => $"{Root}/{Id(site, "site id")}/capacity";

    /// <summary>Subscription filter for all telemetry of a site (or every site with "+").</summary>
    public static string AllTelemetryFilter(string site = "+") => $"{Root}/{site}/+/miners/+/telemetry";

    /// <summary>Subscription filter for the telemetry batches of every rack of a site (or every site with "+").</summary>
    public static string AllTelemetryBatchFilter(string site = "+") => $"{Root}/{site}/+/{TelemetryBatchLevel}";

    /// <summary>The last level of a rack's batch topic.</summary>
    public const string TelemetryBatchLevel = "telemetry-batch";

    /// <summary>Parses a concrete topic; null if it is not part of the farm/v1 tree.</summary>
    public static FarmTopic? TryParse(string? topic)
    {
        if (topic is null || !topic.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            return null;
        }

        string[] p = topic[(Root.Length + 1)..].Split('/');
        foreach (string level in p)
        {
            if (IdProblem(level) is not null)
            {
                return null;
            }
        }

        return p switch
        {
            [var site, "capacity"] => new FarmTopic(FarmTopicKind.Capacity, site),
            [var site, "allocation", var contract] => new FarmTopic(FarmTopicKind.Allocation, site, ContractId: contract),
            [var site, var rack, "status"] when !ReservedRackIds.Contains(rack) => new FarmTopic(FarmTopicKind.AgentStatus, site, rack),
            [var site, var rack, "events"] when !ReservedRackIds.Contains(rack) => new FarmTopic(FarmTopicKind.Events, site, rack),
            [var site, var rack, "desired"] when !ReservedRackIds.Contains(rack) => new FarmTopic(FarmTopicKind.Desired, site, rack),
            [var site, var rack, "reported"] when !ReservedRackIds.Contains(rack) => new FarmTopic(FarmTopicKind.Reported, site, rack),
            [var site, var rack, TelemetryBatchLevel] when !ReservedRackIds.Contains(rack) => new FarmTopic(FarmTopicKind.TelemetryBatch, site, rack),
            [var site, var rack, "miners", var miner, "telemetry"] when !ReservedRackIds.Contains(rack) => new FarmTopic(FarmTopicKind.MinerTelemetry, site, rack, miner),
            [var site, var rack, "miners", var miner, "state"] when !ReservedRackIds.Contains(rack) => new FarmTopic(FarmTopicKind.MinerState, site, rack, miner),
            _ => null,
        };
    }

    /// <summary>
    /// Why <paramref name="payload"/> may not be believed on <paramref name="topic"/>, or null if it may: the broker's ACL
    /// authorizes the topic (a rack's credentials can only publish under its own <c>farm/v1/{site}/{rack}/</c>), never
    /// the payload, so a payload naming another site, rack, miner or contract than its topic is someone else's claim.
    /// </summary>
    public static string? IdentityProblem(FarmTopic topic, FarmMessage payload)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(payload);
        (string? Site, string? Rack, string? Miner, string? Contract) claimed = payload switch
        {
            AgentStatusPayload p => (p.Site, p.Rack, null, null),
            MinerTelemetryPayload p => (p.Site, p.Rack, p.MinerId, null),
            MinerStatePayload p => (p.Site, p.Rack, p.MinerId, null),
            FarmEventPayload p => (p.Site, p.Rack, null, null),
            DesiredPoolStatePayload p => (p.Site, p.Rack, null, null),
            ReportedPoolStatePayload p => (p.Site, p.Rack, null, null),
            AllocationPayload p => (p.Site, null, null, p.ContractId),
            CapacityPayload p => (p.Site, null, null, null),
            TelemetryBatchPayload p => (p.Site, p.Rack, null, null),
            _ => (null, null, null, null),
        };
        return Differs("site", claimed.Site, topic.Site)
            ?? Differs("rack", claimed.Rack, topic.Rack)
            ?? Differs("minerId", claimed.Miner, topic.MinerId)
            ?? Differs("contractId", claimed.Contract, topic.ContractId);
    }

    /// <summary>Why <paramref name="id"/> cannot be a topic level, or null if it can.</summary>
    public static string? IdProblem(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "is empty";
        }

        if (id.Length > MaxIdLength)
        {
            return $"is longer than {MaxIdLength} characters";
        }

        int bad = id.AsSpan().IndexOfAny("/+#\0");
        return bad >= 0 ? $"contains '{(id[bad] == '\0' ? "NUL" : id[bad].ToString())}', which MQTT topics reserve" : null;
    }

    private static string? Differs(string field, string? inPayload, string? inTopic) =>
        inTopic is null || string.Equals(inPayload, inTopic, StringComparison.Ordinal)
            ? null
            : $"the payload says {field} '{Printable(inPayload)}' but its topic is {field} '{inTopic}'; identity comes from the topic the broker authorized";

    // Bounded and without control characters: the payload's value goes into a log line.
    private static string Printable(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        string cut = value.Length > MaxIdLength ? value[..MaxIdLength] + "…" : value;
        return string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c));
    }

    private static string Rack(string site, string rack)
    {
        Id(site, "site id");
        Id(rack, "rack id");
        if (ReservedRackIds.Contains(rack))
        {
            throw new ArgumentException($"Rack id '{rack}' is reserved (it names a site-level branch); choose another rack id.", nameof(rack));
        }

        return $"{Root}/{site}/{rack}";
    }

    private static string Id(string id, string what)
    {
        if (IdProblem(id) is { } problem)
        {
            throw new ArgumentException($"The {what} '{id?.Replace("\0", "\\0", StringComparison.Ordinal)}' {problem}; use letters, digits, '-' or '_'.", what);
        }

        return id;
    }
}

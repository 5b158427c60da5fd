using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Web;

namespace CloudMining.Farm.Simulator;

/// <summary>
/// VNish's REST API as its published OpenAPI description (xminer-api, VNish 1.2.6–1.3.4) gives it: POST
/// /api/v1/unlock {"pw"} answers {"token"} or 403 (wrong password, body {"unlock_timeout": …}); the other endpoints
/// want <c>Authorization: Bearer &lt;token&gt;</c> and answer 401 without a body otherwise (GET status and GET info, which
/// the description gives no security, need none; info holds the firmware, platform, system and the unit's serial).
/// settings hold miner.pools (three slots at most) and miner.overclock.preset; autotune/presets lists the presets;
/// mining/stop|start|pause|resume sleep and wake, mining/restart restarts, system/reboot answers {"after": 3} and
/// reboots, find-miner toggles the locate LED and answers {"on": …}.
/// </summary>
public sealed partial class SimulatedMiner
{
    /// <summary>Pool slots in VNish's settings (its OpenAPI pools array has three items at most).</summary>
    public const int VnishPoolSlots = 3;

    private static readonly double[] VnishPresetSteps = [0.7, 0.8, 0.9, 1.0, 1.1];

    private readonly HashSet<string> _vnishTokens = new(StringComparer.Ordinal);
    private long _vnishUnlocksRefused;

    /// <summary>POST /api/v1/unlock requests refused for a wrong password.</summary>
    public long VnishUnlocksRefused => Interlocked.Read(ref _vnishUnlocksRefused);

    /// <summary>The presets VNish would offer for this model: its nominal power in steps, named by their watts.</summary>
    public IReadOnlyList<(string Name, double Watts, double Scale)> VnishPresets =>
        [.. VnishPresetSteps.Select(s => ((Math.Round(Model.PowerWatts * s / 50) * 50).ToString(CultureInfo.InvariantCulture), Math.Round(Model.PowerWatts * s / 50) * 50, s))];

    private CgiResponse RespondVnish(CgiRequest request, out bool rebootAfterReply)
    {
        rebootAfterReply = false;
        Interlocked.Increment(ref _webRequests);
        const string api = "/api/v1/";
        if (!request.Path.StartsWith(api, StringComparison.Ordinal))
        {
            return NotFound();
        }

        string endpoint = request.Path[api.Length..];
        if (endpoint == "unlock" && request.Method == "POST")
        {
            string? pw = null;
            try
            {
                pw = (JsonNode.Parse(request.Body) as JsonObject)?["pw"]?.GetValue<string>();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                // A body without "pw" is a wrong password.
            }

            if (pw is null || !string.Equals(pw, Spec.VnishPassword, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _vnishUnlocksRefused);
                return new CgiResponse(403, "Forbidden", "application/json", """{"unlock_timeout":null}""");
            }

            string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            lock (_gate)
            {
                _vnishTokens.Add(token);
            }

            return CgiResponse.Json(new JsonObject { ["token"] = token }.ToJsonString());
        }

        if (endpoint == "status" && request.Method == "GET")
        {
            return CgiResponse.Json(VnishStatus(Authorized(request)).ToJsonString());
        }

        if (endpoint == "info" && request.Method == "GET")
        {
            return CgiResponse.Json(VnishInfo().ToJsonString());
        }

        if (!Authorized(request))
        {
            return new CgiResponse(401, "Unauthorized", "application/json", string.Empty);
        }

        switch (request.Method, endpoint)
        {
            case ("GET", "settings"):
                return CgiResponse.Json(VnishSettings().ToJsonString());
            case ("POST", "settings"):
                Interlocked.Increment(ref _webWrites);
                return ApplyVnishSettings(request.Body) is { } problem
                    ? new CgiResponse(500, "Internal Server Error", "application/json", new JsonObject { ["err"] = problem }.ToJsonString())
                    : CgiResponse.Json("""{"restart_required":false,"reboot_required":false}""");
            case ("GET", "autotune/presets"):
                var presets = new JsonArray();
                foreach ((string name, double watts, _) in VnishPresets)
                {
                    presets.Add(new JsonObject
                    {
                        ["name"] = name,
                        ["pretty"] = string.Create(CultureInfo.InvariantCulture, $"{watts:0} watt ~ {Model.NominalHashesPerSecond / 1e12 * watts / Model.PowerWatts:0} TH"),
                        ["status"] = "tuned",
                        ["modded_psu_required"] = false,
                    });
                }

                return CgiResponse.Json(presets.ToJsonString());
            case ("POST", "mining/stop" or "mining/pause"):
                Interlocked.Increment(ref _webWrites);
                SetSleep(true);
                return CgiResponse.Json(string.Empty);
            case ("POST", "mining/start" or "mining/resume"):
                Interlocked.Increment(ref _webWrites);
                SetSleep(false);
                return CgiResponse.Json(string.Empty);
            case ("POST", "mining/restart"):
                Interlocked.Increment(ref _webWrites);
                rebootAfterReply = true;
                return CgiResponse.Json(string.Empty);
            case ("POST", "system/reboot"):
                Interlocked.Increment(ref _webWrites);
                rebootAfterReply = true;
                return CgiResponse.Json("""{"after":3}""");
            case ("POST", "find-miner"):
                Interlocked.Increment(ref _webWrites);
                bool on;
                lock (_gate)
                {
                    _blinking = !_blinking;
                    on = _blinking;
                }

                return CgiResponse.Json(new JsonObject { ["on"] = on }.ToJsonString());
            default:
                return NotFound();
        }
    }

    private bool Authorized(CgiRequest request)
    {
        string? header = request.Header("authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        lock (_gate)
        {
            return _vnishTokens.Contains(header["Bearer ".Length..].Trim());
        }
    }

    private void SetSleep(bool sleeping)
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            _sleeping = sleeping;
        }
    }

    private JsonObject VnishStatus(bool unlocked)
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["miner_state"] = _state != MinerPowerState.Running ? "starting" : _sleeping ? "stopped" : "mining",
                ["miner_state_time"] = (long)Math.Max(0, (_clocks.Mining.GetUtcNow() - _bootedAt).TotalSeconds),
                ["throttled"] = 100,
                ["find_miner"] = _blinking,
                ["unlocked"] = unlocked,
                ["restart_required"] = false,
                ["reboot_required"] = false,
            };
        }
    }

    /// <summary>GET /api/v1/info as the API description's InfoJson: FwInfo's fields, algorithm, hr_measure, system and serial.</summary>
    private JsonObject VnishInfo()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["miner"] = Model.Name,
                ["model"] = Model.Name.Replace("Antminer ", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant(),
                ["fw_name"] = "Vnish",
                ["fw_version"] = "1.2.7",
                ["build_time"] = "2025-03-12 10:41:07",
                ["platform"] = Model.Layout == StatsLayout.S9 ? "xil" : "aml",
                ["install_type"] = "nand",
                ["algorithm"] = "sha256d",
                ["hr_measure"] = "GH/s",
                ["serial"] = Identity.Serial,
                ["system"] = new JsonObject
                {
                    ["os"] = "GNU/Linux",
                    ["miner_name"] = Model.Name,
                    ["file_system_version"] = Identity.FirmwareVersion,
                    ["uptime"] = string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Max(0, (_clocks.Mining.GetUtcNow() - _bootedAt).TotalMinutes)} min"),
                    ["mem_total"] = 250000,
                    ["mem_free"] = 150000,
                    ["mem_free_percent"] = 60,
                    ["mem_buf"] = 10000,
                    ["mem_buf_percent"] = 4,
                    ["network_status"] = new JsonObject
                    {
                        ["mac"] = Identity.Mac,
                        ["ip"] = Spec.Address.ToString(),
                        ["netmask"] = "255.255.255.0",
                        ["gateway"] = string.Empty,
                        ["dns"] = new JsonArray(),
                        ["hostname"] = Id,
                        ["dhcp"] = true,
                    },
                },
            };
        }
    }

    private JsonObject VnishSettings()
    {
        lock (_gate)
        {
            var pools = new JsonArray();
            foreach (MinerPool p in _pools.OrderBy(p => p.Priority).Take(VnishPoolSlots))
            {
                pools.Add(new JsonObject { ["url"] = p.Url, ["user"] = p.User, ["pass"] = p.Password });
            }

            return new JsonObject
            {
                ["miner"] = new JsonObject
                {
                    ["pools"] = pools,
                    ["overclock"] = new JsonObject { ["preset"] = _powerLevel ?? "disabled", ["modded_psu"] = false },
                    ["cooling"] = new JsonObject { ["mode"] = new JsonObject { ["name"] = "auto" } },
                },
                ["ui"] = new JsonObject { ["theme"] = "dark" },
                ["regional"] = new JsonObject { ["timezone"] = "UTC" },
                ["network"] = new JsonObject { ["hostname"] = Id },
            };
        }
    }

    /// <summary>Applies the parts of a settings save it carries (pools replace the list; overclock.preset sets power); the error text, or null.</summary>
    private string? ApplyVnishSettings(string body)
    {
        JsonObject? miner;
        try
        {
            miner = (JsonNode.Parse(body) as JsonObject)?["miner"] as JsonObject;
        }
        catch (JsonException e)
        {
            return "invalid JSON: " + e.Message;
        }

        if (miner is null)
        {
            return null; // nothing for the miner in this save
        }

        List<PoolDefinition>? wanted = null;
        if (miner["pools"] is JsonArray slots)
        {
            if (slots.Count > VnishPoolSlots)
            {
                return $"miner.pools: at most {VnishPoolSlots} pools";
            }

            wanted = [];
            foreach (JsonNode? slot in slots)
            {
                string url = slot?["url"]?.ToString() ?? string.Empty;
                if (url.Length > 0)
                {
                    wanted.Add(new PoolDefinition(url, slot?["user"]?.ToString() ?? string.Empty, slot?["pass"]?.ToString() ?? string.Empty));
                }
            }

            if (wanted.Count == 0)
            {
                return "miner.pools: no pool with a url";
            }
        }

        (string Name, double Watts, double Scale)? preset = null;
        if (miner["overclock"]?["preset"]?.ToString() is { } presetName)
        {
            preset = VnishPresets.FirstOrDefault(p => p.Name == presetName);
            if (preset.Value.Name is null && presetName != "disabled")
            {
                return $"miner.overclock.preset: unknown preset '{presetName}'";
            }
        }

        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            if (wanted is not null)
            {
                ReplacePoolsLocked(wanted);
            }

            if (preset is { } p)
            {
                _powerLevel = p.Name;
                _powerScale = p.Name is null ? 1 : p.Scale;
            }

            RecomputeActiveLocked();
        }

        return null;
    }

    /// <summary>A whole new pool list in order; a pool kept exactly as it was keeps its counters.</summary>
    private void ReplacePoolsLocked(List<PoolDefinition> wanted)
    {
        var next = new List<MinerPool>(wanted.Count);
        for (int i = 0; i < wanted.Count; i++)
        {
            PoolDefinition d = wanted[i];
            MinerPool pool = _pools.FirstOrDefault(p => p.Url == d.Url && p.User == d.User && p.Password == d.Password && !next.Contains(p)) ?? new MinerPool(d, i);
            pool.Priority = i;
            pool.Enabled = true;
            next.Add(pool);
        }

        _pools.Clear();
        _pools.AddRange(next);
        foreach (MinerPool p in _pools)
        {
            _ledger.Touch(p.Url, p.User);
        }
    }
}

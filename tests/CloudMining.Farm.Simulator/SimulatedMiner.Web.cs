using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Web;

namespace CloudMining.Farm.Simulator;

/// <summary>
/// Stock Antminer's web interface: lighttpd with HTTP Digest (realm "antMiner Configuration", user root) in front of
/// the CGI scripts get_miner_conf, set_miner_conf (replaces the whole configuration), reboot, blink,
/// get_blink_status and get_system_info (network settings, model and the unit's serial "serinum"; behind the same
/// Digest login as everything else, as lighttpd's auth covers all of /cgi-bin). The configuration is the miner's own state: its pools (three slots), miner-mode (0 normal,
/// 1 sleep) and the fixed bitmain-* keys. A wrong login gets 401 and a fresh challenge, as lighttpd answers.
/// </summary>
public sealed partial class SimulatedMiner
{
    public const string WebRealm = "antMiner Configuration";

    /// <summary>Pool slots in stock Antminer's configuration form.</summary>
    public const int WebPoolSlots = 3;

    private readonly string _webNonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private bool _sleeping;
    private bool _blinking;
    private long _webRequests;
    private long _webWrites;
    private long _webLoginsRefused;

    /// <summary>Where the web interface (or Braiins OS+'s gRPC API) listens, or null when this miner has none (no WebPort, or a firmware without it).</summary>
    public IPEndPoint? WebEndPoint => _web?.EndPoint ?? GrpcEndPoint;

    /// <summary>HTTP requests the web interface answered (challenges included).</summary>
    public long WebRequestsReceived => Interlocked.Read(ref _webRequests);

    /// <summary>Authenticated configuration changes, reboots and LED changes.</summary>
    public long WebWritesReceived => Interlocked.Read(ref _webWrites);

    /// <summary>Requests that carried a Digest answer the server did not accept (wrong user or password).</summary>
    public long WebLoginsRefused => Interlocked.Read(ref _webLoginsRefused);

    /// <summary>miner-mode 1: the miner keeps its API up but does not hash.</summary>
    public bool Sleeping
    {
        get
        {
            lock (_gate)
            {
                return _sleeping;
            }
        }
    }

    /// <summary>The locate LED blinks (blink.cgi).</summary>
    public bool Blinking
    {
        get
        {
            lock (_gate)
            {
                return _blinking;
            }
        }
    }

    internal CgiResponse RespondWeb(CgiRequest request, out bool rebootAfterReply)
    {
        rebootAfterReply = false;
        if (Personality.ServesVnishRest)
        {
            return RespondVnish(request, out rebootAfterReply);
        }

        Interlocked.Increment(ref _webRequests);
        string path = request.Path;
        if (!path.StartsWith("/cgi-bin/", StringComparison.Ordinal) || !path.EndsWith(".cgi", StringComparison.Ordinal))
        {
            return NotFound();
        }

        string? authorization = request.Header("authorization");
        if (!HttpDigest.Verify(authorization, request.Method, WebRealm, _webNonce, Spec.WebUser, Spec.WebPassword))
        {
            if (authorization is not null)
            {
                Interlocked.Increment(ref _webLoginsRefused);
            }

            return new CgiResponse(401, "Unauthorized", "text/html", "<html><body><h1>401 - Unauthorized</h1></body></html>")
            {
                WwwAuthenticate = HttpDigest.Challenge(WebRealm, _webNonce),
            };
        }

        string script = path["/cgi-bin/".Length..^".cgi".Length];
        switch (script)
        {
            case "get_miner_conf":
                return CgiResponse.Json(ConfigurationText());
            case "set_miner_conf" when request.Method == "POST":
                Interlocked.Increment(ref _webWrites);
                return ApplyConfiguration(request.Body)
                    ? Success()
                    : CgiResponse.Json("""{"stats":"error","code":"M001","msg":"Illegal configuration!"}""");
            case "reboot":
                Interlocked.Increment(ref _webWrites);
                rebootAfterReply = true;
                return Success();
            case "blink" when request.Method == "POST":
                Interlocked.Increment(ref _webWrites);
                bool? blink = ReadBlink(request.Body);
                if (blink is null)
                {
                    return CgiResponse.Json("""{"stats":"error","code":"B001","msg":"Illegal blink value!"}""");
                }

                lock (_gate)
                {
                    _blinking = blink.Value;
                }

                return Success();
            case "get_blink_status":
                return CgiResponse.Json(Blinking ? """{"blink":true}""" : """{"blink":false}""");
            case "get_system_info":
                return CgiResponse.Json(SystemInfoText());
            default:
                return NotFound();
        }
    }

    /// <summary>get_system_info.cgi as stock firmware answers it (the keys of a 2025 S21 build): the unit's serial is "serinum".</summary>
    private string SystemInfoText() => new JsonObject
    {
        ["minertype"] = Model.Name,
        ["nettype"] = "DHCP",
        ["netdevice"] = "eth0",
        ["macaddr"] = Identity.Mac,
        ["hostname"] = "Antminer",
        ["ipaddress"] = Spec.Address.ToString(),
        ["netmask"] = "255.255.255.0",
        ["gateway"] = string.Empty,
        ["dnsservers"] = string.Empty,
        ["system_mode"] = "GNU/Linux",
        ["system_kernel_version"] = "Linux 4.9.113 #1 SMP PREEMPT",
        ["system_filesystem_version"] = Identity.FirmwareVersion,
        ["firmware_type"] = "Release",
        ["serinum"] = Identity.Serial,
    }.ToJsonString();

    private static CgiResponse Success() => CgiResponse.Json("""{"stats":"success","code":"M000","msg":"OK!"}""");

    private static CgiResponse NotFound() => new(404, "Not Found", "text/html", "<html><body><h1>404 - Not Found</h1></body></html>");

    private string ConfigurationText()
    {
        lock (_gate)
        {
            var pools = new JsonArray();
            foreach (MinerPool p in _pools.OrderBy(p => p.Priority).Take(WebPoolSlots))
            {
                pools.Add(new JsonObject { ["url"] = p.Url, ["user"] = p.User, ["pass"] = p.Password });
            }

            while (pools.Count < WebPoolSlots)
            {
                pools.Add(new JsonObject { ["url"] = string.Empty, ["user"] = string.Empty, ["pass"] = string.Empty });
            }

            var conf = new JsonObject
            {
                ["pools"] = pools,
                ["api-listen"] = true,
                ["api-network"] = true,
                ["api-groups"] = "A:stats:pools:devs:summary:version",
                ["api-allow"] = "A:0/0,W:*",
                ["bitmain-fan-ctrl"] = false,
                ["bitmain-fan-pwm"] = "100",
                ["bitmain-use-vil"] = true,
                ["bitmain-freq"] = Model.FrequencyMhz.ToString(CultureInfo.InvariantCulture),
                ["bitmain-voltage"] = "1400",
                ["bitmain-ccdelay"] = "0",
                ["bitmain-pwth"] = "0",
                ["bitmain-work-mode"] = "0",
                ["bitmain-freq-level"] = "100",
                ["miner-mode"] = _sleeping ? 1 : 0,
                ["freq-level"] = "100",
            };
            return conf.ToJsonString();
        }
    }

    /// <summary>set_miner_conf replaces everything: the pool slots with a URL become the pool list in order; miner-mode 1 sleeps.</summary>
    private bool ApplyConfiguration(string body)
    {
        JsonObject? conf;
        try
        {
            conf = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }

        if (conf?["pools"] is not JsonArray slots)
        {
            return false;
        }

        var wanted = new List<PoolDefinition>();
        foreach (JsonNode? slot in slots.Take(WebPoolSlots))
        {
            string url = slot?["url"]?.ToString() ?? string.Empty;
            if (url.Length > 0)
            {
                wanted.Add(new PoolDefinition(url, slot?["user"]?.ToString() ?? string.Empty, slot?["pass"]?.ToString() ?? string.Empty));
            }
        }

        if (wanted.Count == 0)
        {
            return false;
        }

        string mode = conf["miner-mode"]?.ToString() ?? "0";
        ReplacePools(wanted, sleeping: mode == "1");

        return true;
    }

    private static bool? ReadBlink(string body)
    {
        try
        {
            string? value = (JsonNode.Parse(body) as JsonObject)?["blink"]?.ToString();
            return value switch
            {
                "true" => true,
                "false" => false,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

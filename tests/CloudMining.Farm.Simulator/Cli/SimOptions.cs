using System.CommandLine;
using System.Globalization;
using System.Net;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Personalities;

namespace CloudMining.Farm.Simulator.Cli;

/// <summary>farm-sim's command-line options and their translation to FarmOptions.</summary>
internal sealed class SimOptions
{
    private readonly Option<int> _miners = new("--miners") { Description = "How many miners to simulate.", DefaultValueFactory = _ => 10 };
    private readonly Option<string> _firmware = new("--firmware") { Description = "Firmware personalities, comma-separated, assigned round robin: " + string.Join(", ", PersonalityCatalog.Names) + ".", DefaultValueFactory = _ => "antminer" };
    private readonly Option<string?> _model = new("--model") { Description = "Models, comma-separated, assigned round robin (each must exist for the miner's firmware); default: each firmware's first model." };
    private readonly Option<string> _base = new("--base") { Description = "First miner's loopback address; the next ones count up.", DefaultValueFactory = _ => "127.0.1.1" };
    private readonly Option<int> _port = new("--port") { Description = "API port of every miner (first port with --shared-address).", DefaultValueFactory = _ => 4028 };
    private readonly Option<bool> _shared = new("--shared-address") { Description = "Put all miners on --base with consecutive ports from --port." };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of noise and identities; same seed, same farm.", DefaultValueFactory = _ => 1 };
    private readonly Option<string?> _control = new("--control") { Description = "Loopback address:port of the HTTP control API, e.g. 127.0.0.1:8028." };
    private readonly Option<bool> _write = new("--write-access") { Description = "Allow privileged API commands (addpool, switchpool, restart...)." };
    private readonly Option<int?> _webPort = new("--web-port") { Description = "Serve stock Antminer's web CGI (Digest login root/root) and Braiins OS+'s gRPC API (login root/root) on every such miner's address at this port (0: kernel picks; with --shared-address, consecutive ports)." };
    private readonly Option<bool> _permissive = new("--permissive-writes") { Description = "Let stock Antminer accept privileged RPC writes (with --write-access) as older simulators did; real stock firmware answers Code 45." };
    private readonly Option<bool> _loadBalance = new("--load-balance") { Description = "Split hashrate by pool quota instead of failover, where the firmware has quotas." };
    private readonly Option<string?> _manifest = new("--manifest") { Description = "Write a JSON manifest of the miners to this file instead of listing them." };
    private readonly Option<double> _bootDelay = new("--boot-delay") { Description = "Seconds from power-on until the API answers.", DefaultValueFactory = _ => 30 };
    private readonly Option<bool> _startOff = new("--start-off") { Description = "Start every miner powered off (its relay open) until POST /miners/{id}/power turns it on." };
    private readonly Option<string?> _poolApi = new("--pool-api") { Description = "Loopback address:port where the simulated pools serve Braiins Pool's, F2Pool's v2 and a hashrate-only API from their ledger (docs/pool-apis.md)." };
    private readonly Option<string[]> _poolApiKey = new("--pool-api-key") { Description = "A read-only key the pool APIs accept, STYLE:ACCOUNT:KEY with STYLE braiins, f2pool or hashrate-only; repeatable.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<double> _shareDifficulty = new("--share-difficulty") { Description = "Share difficulty of the simulated pools.", DefaultValueFactory = _ => 65536 };

    public RootCommand CreateCommand() => new("farm-sim: simulated ASIC miners answering the CGMiner API on loopback, with faults and power control.")
    {
        _miners, _firmware, _model, _base, _port, _shared, _seed, _control, _write, _webPort, _permissive, _loadBalance, _manifest, _bootDelay, _shareDifficulty, _startOff, _poolApi, _poolApiKey,
    };

    public SimSettings Bind(ParseResult parse)
    {
        int miners = parse.GetValue(_miners);
        string[] firmwares = Split(parse.GetValue(_firmware));
        string[] models = Split(parse.GetValue(_model));
        var empty = new FarmOptions();
        if (miners < 1)
        {
            return new SimSettings(empty, null, null, $"--miners {miners}: simulate at least one miner.");
        }

        foreach (string f in firmwares)
        {
            if (!PersonalityCatalog.Names.Contains(f, StringComparer.OrdinalIgnoreCase))
            {
                return new SimSettings(empty, null, null, $"--firmware '{f}' is unknown; use one of: {string.Join(", ", PersonalityCatalog.Names)}.");
            }
        }

        if (!IPAddress.TryParse(parse.GetValue(_base), out IPAddress? baseAddress) || baseAddress.GetAddressBytes() is not [127, ..])
        {
            return new SimSettings(empty, null, null, $"--base '{parse.GetValue(_base)}' is not a loopback IPv4 address; use one in 127.0.0.0/8 such as 127.0.1.1.");
        }

        int port = parse.GetValue(_port);
        if (port is < 0 or > 65535)
        {
            return new SimSettings(empty, null, null, $"--port {port} is out of range; use 1..65535 (or 0 to let the kernel pick).");
        }

        IPEndPoint? control = null;
        string? controlText = parse.GetValue(_control);
        if (controlText is not null && (!IPEndPoint.TryParse(controlText, out control) || control.Port == 0))
        {
            return new SimSettings(empty, null, null, $"--control '{controlText}' is not address:port; write e.g. 127.0.0.1:8028.");
        }

        if (control is not null && !IPAddress.IsLoopback(control.Address))
        {
            // The control API can power miners off; it must not be reachable from the network.
            return new SimSettings(empty, null, null, $"--control {control} is not a loopback address; the control API only listens on loopback (e.g. 127.0.0.1:8028).");
        }

        IPEndPoint? poolApi = null;
        string? poolApiText = parse.GetValue(_poolApi);
        if (poolApiText is not null && (!IPEndPoint.TryParse(poolApiText, out poolApi) || !IPAddress.IsLoopback(poolApi.Address)))
        {
            return new SimSettings(empty, null, null, $"--pool-api '{poolApiText}' is not a loopback address:port; write e.g. 127.0.0.1:8090.");
        }

        var accounts = new List<PoolApi.PoolApiAccount>();
        foreach (string text in parse.GetValue(_poolApiKey) ?? [])
        {
            string[] parts = text.Split(':', 3);
            PoolApi.PoolApiStyle? style = parts[0].ToLowerInvariant() switch
            {
                "braiins" => PoolApi.PoolApiStyle.Braiins,
                "f2pool" => PoolApi.PoolApiStyle.F2Pool,
                "hashrate-only" => PoolApi.PoolApiStyle.HashrateOnly,
                _ => null,
            };
            if (parts.Length != 3 || style is null || parts[1].Length == 0 || parts[2].Length == 0)
            {
                return new SimSettings(empty, null, null, $"--pool-api-key '{parts[0]}:…' is not STYLE:ACCOUNT:KEY with STYLE braiins, f2pool or hashrate-only.");
            }

            accounts.Add(new PoolApi.PoolApiAccount(style.Value, parts[2], parts[1]));
        }

        if (accounts.Count > 0 && poolApi is null)
        {
            return new SimSettings(empty, null, null, "--pool-api-key needs --pool-api ADDRESS:PORT (where the pool APIs listen).");
        }

        TimeSpan bootDelay = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(_bootDelay)));
        double shareDifficulty = parse.GetValue(_shareDifficulty);
        bool startOn = !parse.GetValue(_startOff);
        if (shareDifficulty <= 0)
        {
            return new SimSettings(empty, null, null, $"--share-difficulty {shareDifficulty.ToString(CultureInfo.InvariantCulture)} must be above 0.");
        }

        var farm = new FarmOptions
        {
            Miners = miners,
            Firmwares = firmwares,
            Models = models,
            BaseAddress = baseAddress,
            Port = port,
            SharedAddress = parse.GetValue(_shared),
            Seed = parse.GetValue(_seed),
            WriteAccess = parse.GetValue(_write),
            WebPort = parse.GetValue(_webPort),
            PermissiveRpcWrites = parse.GetValue(_permissive),
            Strategy = parse.GetValue(_loadBalance) ? PoolStrategy.LoadBalance : PoolStrategy.Failover,
            Customize = (_, s) => s with { BootDelay = bootDelay, ShareDifficulty = shareDifficulty, PoweredOnAtStart = startOn },
        };
        return new SimSettings(farm, control, parse.GetValue(_manifest)) { PoolApi = poolApi, PoolApiAccounts = accounts };
    }

    private static string[] Split(string? text) =>
        (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

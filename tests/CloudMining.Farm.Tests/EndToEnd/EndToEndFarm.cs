using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// The whole system on loopback: mosquitto configured by scripts/broker-setup.sh (one user per agent, the controller,
/// the read-only contract platform), a simulated farm of 3 racks × 8 miners of firmwares that accept pool writes and
/// quotas, three in-process agents built by <see cref="AgentHost"/> from generated agent.json files, and the controller
/// built by <see cref="ControllerHost"/> (SQLite in a temp folder) with second-scale intervals, all on the real clock.
/// </summary>
public sealed class EndToEndFarm : IAsyncDisposable
{
    public const string Site = "e2e";
    public const string HouseUrl = "stratum+tcp://house.pool.e2e:3333";
    public const string HouseWorker = "op.house";
    public const int Racks = 3;
    public const int MinersPerRack = 8;
    public const string PlatformPassword = "plat-e2e-pw";
    public const string ControllerPassword = "ctl-e2e-pw";

    /// <summary>The site's energy price feed (broker user price-feed-e2e: writes farm/v1/e2e/signals/energy-price only).</summary>
    public const string PriceFeedPassword = "price-e2e-pw";

    /// <summary>The read-only watching user: the broker allows one connection per user, so tests watch as this, never as the controller.</summary>
    public const string OperatorPassword = "op-e2e-pw";

    /// <summary>The simulated stock Antminers' web login password (root/root as shipped).</summary>
    public const string WebPassword = "root";

    /// <summary>The simulated VNish miners' web password (VNish's factory "admin").</summary>
    public const string VnishPassword = "admin";
    /// <summary>The simulated Braiins OS+ miners' login password (changed from the empty factory one, as a farm would).</summary>
    public const string BosPassword = "bos-e2e-Admin-7";

    private readonly SortedDictionary<int, IHost> _agents = [];
    private IHost? _controller;
    private Action<JsonObject>? _controllerConfig;
    private SqliteControllerStore? _store;

    private EndToEndFarm(string folder, MosquittoBroker broker, SimulatedFarm sim)
    {
        Folder = folder;
        Broker = broker;
        Sim = sim;
    }

    public string Folder { get; }

    public MosquittoBroker Broker { get; }

    public SimulatedFarm Sim { get; }

    public string ControllerConfigPath => Path.Combine(Folder, "controller.json");

    public string DatabasePath => Path.Combine(Folder, "controller", "controller.db");

    /// <summary>The in-process controller's operations (the engine); null while the controller runs as a process or is stopped.</summary>
    public IControllerOperations? Operations => _controller?.Services.GetRequiredService<IControllerOperations>();

    public IControllerOperations Ops => Operations ?? throw new InvalidOperationException("The in-process controller is not running.");

    public InMemoryLoggerProvider Logs { get; } = new();

    /// <summary>What the three agents logged.</summary>
    public InMemoryLoggerProvider AgentLogs { get; } = new();

    /// <summary>The simulated Whatsminers' API password (the farm changed the factory one with WhatsMinerTool).</summary>
    public const string WhatsminerPassword = MinerSpec.DefaultApiPassword;

    /// <summary>Miners whose firmware lets the agent change pools: all of them, Whatsminer through its privileged API (v2, or v3 on late-2024 firmware).</summary>
    public int WritableMiners => Sim.Miners.Count;

    public static string RackId(int rack) => $"R{rack:00}";

    /// <summary>Miners of a rack (1-based), in configuration order.</summary>
    public IEnumerable<SimulatedMiner> RackMiners(int rack) => Sim.Miners.Skip((rack - 1) * MinersPerRack).Take(MinersPerRack);

    /// <summary>Starts everything; <paramref name="controllerInProcess"/> false leaves the controller to the caller (a process on <see cref="ControllerConfigPath"/>).</summary>
    public static async Task<EndToEndFarm> StartAsync(bool controllerInProcess = true, Action<JsonObject>? controllerConfig = null)
    {
        string folder = Directory.CreateTempSubdirectory("farm-e2e-").FullName;
        MosquittoBroker broker = await StartBrokerAsync(folder);

        // Each farm on its own 127.x.y block, so parallel test classes and the demo (127.0.1.x) never collide.
        IPAddress baseAddress = IPAddress.Parse($"127.{Random.Shared.Next(40, 250)}.{Random.Shared.Next(1, 250)}.1");
        SimulatedFarm sim = await SimulatedFarm.StartAsync(new FarmOptions
        {
            Miners = Racks * MinersPerRack,
            // Whatsminer takes pools through its privileged API: v2 (token + AES) on 4028, v3 on 4433 for late-2024 firmware.
            Firmwares = ["antminer", "braiins-os", "luxos", "vnish", "whatsminer"],
            BaseAddress = baseAddress,
            Port = 0,
            WriteAccess = true,
            // Realistic stock Antminer: cgminer API writes refused (Code 45), pools through the web CGI with Digest.
            PermissiveRpcWrites = false,
            WebPort = 0,
            // Load balance: a miner with several pools splits its work by quota, which quota shares rely on.
            Strategy = PoolStrategy.LoadBalance,
            // A low share difficulty so the pools (and the controller's proof) see thousands of shares a second, not one per 20 s.
            // Stock Antminer and VNish have no pool quotas (their web configurations hold none): LuxOS carries quota shares
            // through its pool groups (cgminer-session, groupquota), Braiins OS+ through gRPC pool groups (its own
            // non-default login); VNish runs S19 Pros and takes pools through REST. Every tenth Whatsminer runs late-2024
            // firmware (API v3).
            Customize = (i, spec) => spec with
            {
                Firmware = spec.Firmware == "whatsminer" && i % 10 == 9 ? "whatsminer-v3" : spec.Firmware,
                Model = spec.Firmware == "vnish" ? "S19 Pro" : spec.Model, BootDelay = TimeSpan.FromMilliseconds(300), RestartDelay = TimeSpan.FromMilliseconds(300), ShareDifficulty = 256,
                WebPassword = spec.Firmware == "braiins-os" ? BosPassword : spec.WebPassword,
            },
        });
        var farm = new EndToEndFarm(folder, broker, sim) { _controllerConfig = controllerConfig };
        try
        {
            await farm.WriteControllerConfigAsync();
            for (int r = 1; r <= Racks; r++)
            {
                await farm.StartAgentAsync(r);
            }

            if (controllerInProcess)
            {
                await farm.StartControllerAsync();
            }
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }

        return farm;
    }

    /// <summary>Starts the controller in this process on the same database and config (again, after <see cref="StopControllerAsync"/>).</summary>
    public async Task StartControllerAsync()
    {
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(ControllerConfigPath));
        _store = await SqliteControllerStore.OpenAsync(settings.Store.Database, CancellationToken.None);
        IHost host = ControllerHost.Build(settings, _store, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(Logs);
        });
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        _controller = host;
    }

    public async Task StopControllerAsync()
    {
        if (_controller is not null)
        {
            await _controller.StopAsync();
            _controller.Dispose();
            _controller = null;
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }

    /// <summary>Hashes per second each pool account received over <paramref name="window"/> on the real clock, measured at the simulated pools.</summary>
    public async Task<Dictionary<(string Url, string User), double>> MeasurePoolsAsync(TimeSpan window)
    {
        IReadOnlyList<PoolAccountView> before = Sim.PoolView();
        var watch = Stopwatch.StartNew();
        // The window is the measurement itself, not synchronisation: the pools must receive work for a while.
        await Task.Delay(window);
        IReadOnlyList<PoolAccountView> after = Sim.PoolView();
        double seconds = watch.Elapsed.TotalSeconds;
        var start = before.ToDictionary(a => (a.Url, a.User), a => a.Hashes);
        return after.ToDictionary(a => (a.Url, a.User), a => (a.Hashes - start.GetValueOrDefault((a.Url, a.User))) / seconds);
    }

    /// <summary>Waits until every rack's agent (but <paramref name="ignoreRack"/>) has applied the controller's latest desired generation.</summary>
    public async Task<bool> AllRacksAppliedAsync(TimeSpan timeout, string? ignoreRack = null) =>
        await Eventually.TrueAsync(async () =>
        {
            FleetView fleet = await Ops.GetFleetAsync(CancellationToken.None);
            return fleet.Racks.Count == Racks && fleet.Racks.Where(r => r.Rack != ignoreRack).All(r => r.DesiredGeneration is { } d && r.AppliedGeneration == d);
        }, timeout, TimeSpan.FromMilliseconds(250));

    public async ValueTask DisposeAsync()
    {
        foreach (IHost agent in _agents.Values)
        {
            try
            {
                await agent.StopAsync(TimeSpan.FromSeconds(5));
            }
            finally
            {
                agent.Dispose();
            }
        }

        await StopControllerAsync();
        await Sim.DisposeAsync();
        await Broker.DisposeAsync();
        Logs.Dispose();
        AgentLogs.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A straggling log handle must not fail the test run.
        }
    }

    private async Task StartAgentAsync(int rack)
    {
        string dir = Path.Combine(Folder, RackId(rack));
        Directory.CreateDirectory(dir);
        var miners = new JsonArray();
        foreach (SimulatedMiner m in RackMiners(rack))
        {
            var miner = new JsonObject { ["Id"] = m.Id, ["Address"] = m.Endpoint.Host, ["Port"] = m.Endpoint.Port, ["Profile"] = m.Firmware };
            if (m.WebEndPoint is { } web)
            {
                miner["WebPort"] = web.Port;
            }

            if (m.ApiV3EndPoint is { } v3)
            {
                miner["ChannelPort"] = v3.Port;
            }

            miners.Add(miner);
        }

        var config = new JsonObject
        {
            ["Agent"] = new JsonObject
            {
                ["Site"] = Site,
                ["RackId"] = RackId(rack),
                ["PollInterval"] = "00:00:01",
                ["MaxConcurrency"] = 16,
                ["MinerTimeout"] = "00:00:00.800",
                ["RetryCount"] = 0,
                ["StateDirectory"] = dir,
                ["ProfilesDirectory"] = RepoPaths.FirmwareProfiles,
                ["Log"] = new JsonObject { ["Directory"] = dir, ["Level"] = "Information" },
                ["Mqtt"] = new JsonObject
                {
                    ["Host"] = Broker.Host,
                    ["Port"] = Broker.Port,
                    ["Username"] = $"agent-{Site}-{RackId(rack)}",
                    ["Password"] = AgentPassword(rack),
                    ["ReconnectMaxDelay"] = "00:00:01",
                },
                ["PoolCredentials"] = new JsonArray(new JsonObject { ["Url"] = "*", ["User"] = "*", ["Password"] = "pool-e2e-secret" }),
                ["MinerCredentials"] = new JsonArray(
                    new JsonObject { ["Miner"] = "*", ["Profile"] = "antminer", ["Password"] = WebPassword },
                    new JsonObject { ["Miner"] = "*", ["Profile"] = "vnish", ["Password"] = VnishPassword },
                    new JsonObject { ["Miner"] = "*", ["Profile"] = "whatsminer", ["Password"] = WhatsminerPassword },
                    new JsonObject { ["Miner"] = "*", ["Profile"] = "whatsminer-v3", ["Password"] = WhatsminerPassword },
                    new JsonObject { ["Miner"] = "*", ["Profile"] = "braiins-os", ["Password"] = BosPassword }),
                ["Miners"] = miners,
            },
        };
        string path = Path.Combine(dir, "agent.json");
        await File.WriteAllTextAsync(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        IHost host = AgentHost.Build(path, new AgentHost.Overrides { ConsoleLog = false, ExtraLogger = AgentLogs });
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        _agents[rack] = host;
    }

    private async Task WriteControllerConfigAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var config = new JsonObject
        {
            ["Controller"] = new JsonObject
            {
                ["Site"] = Site,
                ["Database"] = DatabasePath,
                ["Mqtt"] = new JsonObject { ["Host"] = Broker.Host, ["Port"] = Broker.Port, ["Username"] = "controller", ["Password"] = ControllerPassword, ["ClientId"] = "controller" },
                ["Api"] = new JsonObject { ["Url"] = $"http://127.0.0.1:{FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture)}" },
                ["Engine"] = new JsonObject
                {
                    ["IntervalS"] = 1,
                    ["UnitSizeTh"] = 10,
                    ["ReservePercent"] = 5,
                    ["HousePoolUrl"] = HouseUrl,
                    ["HouseWorker"] = HouseWorker,
                    // Seconds instead of the production quarter hour, so delivery is proven while the test runs.
                    ["ProofWindowMin"] = 0.25,
                    ["ProofHoldMin"] = 0.5,
                    ["TelemetryStaleS"] = 4,
                    // Probation on, but seconds long: a new miner id is sold after 3 healthy readings over 3 s.
                    ["ProbationReadings"] = 3,
                    ["ProbationMin"] = 0.05,
                    ["LagAfterS"] = 15,
                    ["PlatformPublishIntervalS"] = 2,
                    ["ProfilesDirectory"] = RepoPaths.FirmwareProfiles,
                },
            },
            ["Influx"] = new JsonObject { ["Enabled"] = false },
        };
        _controllerConfig?.Invoke((JsonObject)config["Controller"]!);
        await File.WriteAllTextAsync(ControllerConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>A rack agent's broker user and password, as scripts/broker-setup.sh set them up (what an attacker with that rack's credentials holds).</summary>
    public static (string User, string Password) AgentCredentials(int rack) => ($"agent-{Site}-{RackId(rack)}", AgentPassword(rack));

    /// <summary>A service of the in-process controller (e.g. its broker outage gate).</summary>
    public T ControllerService<T>()
        where T : notnull =>
        (_controller ?? throw new InvalidOperationException("The in-process controller is not running.")).Services.GetRequiredService<T>();

    /// <summary>Stops a rack's agent gracefully (it says offline and disconnects) and leaves it down.</summary>
    public async Task StopAgentAsync(int rack)
    {
        IHost old = _agents[rack];
        _agents.Remove(rack);
        try
        {
            await old.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            old.Dispose();
        }
    }

    /// <summary>Stops a rack's agent gracefully (it says offline and disconnects), leaves it down for <paramref name="down"/>, and starts it again on the same config and state.</summary>
    public async Task RestartAgentAsync(int rack, TimeSpan down)
    {
        await StopAgentAsync(rack);

        // The outage is what is under test (a service restart takes seconds), not a wait for something to happen.
        var stopped = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => stopped.Elapsed >= down, down + TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        IHost host = AgentHost.Build(Path.Combine(Folder, RackId(rack), "agent.json"), new AgentHost.Overrides { ConsoleLog = false, ExtraLogger = AgentLogs });
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        _agents[rack] = host;
    }

    private static string AgentPassword(int rack) => $"agent-{rack}-e2e-pw";

    /// <summary>The production broker setup: scripts/broker-setup.sh users and ACL, mosquitto on a free loopback port.</summary>
    private static async Task<MosquittoBroker> StartBrokerAsync(string folder)
    {
        string credentials = Path.Combine(folder, "broker-users.txt");
        IEnumerable<string> lines = Enumerable.Range(1, Racks).Select(r => $"agent:{Site}:{RackId(r)}:{AgentPassword(r)}")
            .Append($"controller:{ControllerPassword}")
            .Append($"operator:{OperatorPassword}")
            .Append($"contract-platform:{PlatformPassword}")
            .Append($"price-feed-{Site}:{PriceFeedPassword}");
        await File.WriteAllLinesAsync(credentials, lines);
        int port = FreeTcpPort.Next();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[]
        {
            Path.Combine(RepoPaths.Root, "scripts", "broker-setup.sh"), "--out", Path.Combine(folder, "broker"), "--credentials", credentials,
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--data-dir", Path.Combine(folder, "broker-data"), "--run-as", Environment.UserName,
        })
        {
            start.ArgumentList.Add(arg);
        }

        using (Process process = Process.Start(start)!)
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"broker-setup.sh exited {process.ExitCode}: {await stderr}");
            }
        }

        return await MosquittoBroker.StartWithConfigFileAsync(Path.Combine(folder, "broker", "mosquitto.conf"), Path.Combine(folder, "broker-data"), port);
    }
}

using System.Net;
using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Simulator;

/// <summary>How to build one simulated miner: where it listens, which firmware and model it imitates, and how it behaves.</summary>
public sealed record MinerSpec
{
    /// <summary>Stable id used by the control API and the manifest ("sim-0001").</summary>
    public required string Id { get; init; }

    /// <summary>Personality name: antminer, braiins-os, whatsminer, avalon, luxos, vnish, generic-cgminer.</summary>
    public required string Firmware { get; init; }

    /// <summary>Model name from the personality's catalog; null picks its default.</summary>
    public string? Model { get; init; }

    public required IPAddress Address { get; init; }

    /// <summary>API port; 0 lets the kernel pick one (kept across power cycles).</summary>
    public int Port { get; init; } = 4028;

    /// <summary>Whether privileged (write) commands are allowed, like cgminer's --api-allow W:.</summary>
    public bool WriteAccess { get; init; }

    /// <summary>
    /// Whether privileged RPC writes reach the cgminer handling even on firmware that refuses them on real hardware
    /// (stock Antminer answers Code 45 to every write whatever api-allow says). False, the default: as the hardware
    /// does. True: the old permissive simulator, for tests of cgminer's write semantics on the antminer personality.
    /// </summary>
    public bool PermissiveRpcWrites { get; init; }

    /// <summary>Port of the web interface on the miner's address, for firmware that has one (stock Antminer); null: none served; 0: the kernel picks.</summary>
    public int? WebPort { get; init; }

    /// <summary>The web interface's Digest login (stock Antminer ships root/root).</summary>
    public string WebUser { get; init; } = "root";

    public string WebPassword { get; init; } = "root";

    /// <summary>VNish's web password (POST /api/v1/unlock); VNish ships "admin".</summary>
    public string VnishPassword { get; init; } = "admin";

    /// <summary>How long a LuxOS session lives after its last use (LUXminer: one minute).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// Whatsminer: the admin password of the privileged API (v2 account admin, v3 account super). Realistic default:
    /// a farm has changed the factory password (admin / super, which the firmware refuses for writes) with WhatsMinerTool.
    /// </summary>
    public string ApiPassword { get; init; } = DefaultApiPassword;

    /// <summary>Whatsminer: API writes switched on in WhatsMinerTool (off: get_token / set.* answer the firmware's refusal).</summary>
    public bool ApiWritesEnabled { get; init; } = true;

    /// <summary>Whatsminer with late-2024 firmware: the API v3 port on the miner's address; 0 lets the kernel pick.</summary>
    public int ApiV3Port { get; init; } = 4433;

    /// <summary>The password simulated Whatsminers have unless a spec says otherwise (what the demo's agent is configured with).</summary>
    public const string DefaultApiPassword = "farm-wm-api";

    /// <summary>Seed of this miner's noise and identity; the same seed gives the same miner.</summary>
    public int Seed { get; init; }

    public IReadOnlyList<PoolDefinition> Pools { get; init; } = [];

    public PoolStrategy Strategy { get; init; } = PoolStrategy.Failover;

    /// <summary>Share difficulty the simulated pools assign (difficulty-1 units per share).</summary>
    public double ShareDifficulty { get; init; } = 65536;

    /// <summary>Fraction of shares rejected (0..1).</summary>
    public double RejectRate { get; init; } = 0.002;

    /// <summary>Fraction of shares stale (0..1).</summary>
    public double StaleRate { get; init; }

    /// <summary>Hashrate noise around nominal per 5-second window, in percent (0 = exactly nominal).</summary>
    public double NoisePercent { get; init; } = 2;

    public double AmbientCelsius { get; init; } = 25;

    /// <summary>Time from power-on until the API answers.</summary>
    public TimeSpan BootDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time the API is gone after a "restart" command.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Hardware errors per board per hour at full load.</summary>
    public double HardwareErrorsPerBoardHour { get; init; } = 12;

    /// <summary>Whether the miner is powered when the farm starts (it then answers at once, booted at start).</summary>
    public bool PoweredOnAtStart { get; init; } = true;
}

using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>
/// Whatsminer on firmware from November 2024 on (fw_ver 20241101 and later): the same btminer reads on 4028, but
/// writes only through API v3 on 4433 (length-framed JSON, SHA-256 tokens); API v2's get_token and encrypted
/// commands answer "invalid API command or data".
/// </summary>
public sealed class WhatsminerV3Personality : WhatsminerPersonality
{
    public override string Name => "whatsminer-v3";

    public override string FirmwareVersion(MinerModel model) => "20241105.16.REL";

    public override bool ServesApiV3 => true;
}

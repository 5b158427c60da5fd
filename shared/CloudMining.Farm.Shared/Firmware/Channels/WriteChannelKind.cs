namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>The mechanisms the agent can change a miner through; one <see cref="WriteChannel"/> implementation each.</summary>
public enum WriteChannelKind
{
    /// <summary>cgminer's privileged API commands on TCP 4028 (addpool, switchpool, restart…), as the profile's actions list them.</summary>
    CgminerRpc,

    /// <summary>Bitmain stock firmware's web CGI (get/set_miner_conf.cgi, reboot.cgi, blink.cgi) behind HTTP Digest authentication.</summary>
    BitmainWeb,
}

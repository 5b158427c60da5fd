namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>The mechanisms the agent can change a miner through; one <see cref="WriteChannel"/> implementation each.</summary>
public enum WriteChannelKind
{
    /// <summary>cgminer's privileged API commands on TCP 4028 (addpool, switchpool, restart…), as the profile's actions list them.</summary>
    CgminerRpc,

    /// <summary>Bitmain stock firmware's web CGI (get/set_miner_conf.cgi, reboot.cgi, blink.cgi) behind HTTP Digest authentication.</summary>
    BitmainWeb,

    /// <summary>cgminer-style RPC whose privileged commands need a session from <c>logon</c> (LuxOS).</summary>
    CgminerSession,

    /// <summary>Whatsminer btminer's privileged API v2 on 4028: <c>get_token</c>, then AES-256-ECB encrypted commands.</summary>
    WhatsminerV2,

    /// <summary>Whatsminer's API v3 on TCP 4433 (firmware from late 2024): length-prefixed JSON, token-signed <c>set.*</c> commands.</summary>
    WhatsminerV3,

    /// <summary>Braiins OS+ public gRPC API (port 50051, token from AuthenticationService/Login).</summary>
    BraiinsGrpc,

    /// <summary>VNish REST <c>/api/v1</c> with a bearer token from <c>/api/v1/unlock</c>.</summary>
    VnishRest,
}

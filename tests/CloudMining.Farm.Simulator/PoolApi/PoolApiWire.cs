using System.Text.Json.Serialization;

namespace CloudMining.Farm.Simulator.PoolApi;

// The simulated pools' request and reply bodies, named as the real APIs name them (docs/pool-apis.md).

/// <summary>Braiins Pool workers reply: {"btc":{"workers":{"user.worker":{…}}}}.</summary>
internal sealed record BraiinsWorkersReply([property: JsonPropertyName("btc")] BraiinsWorkersCoin Btc);

internal sealed record BraiinsWorkersCoin([property: JsonPropertyName("workers")] Dictionary<string, BraiinsWorker> Workers);

/// <summary>One Braiins worker: state ok/low/off/dis, last share (Unix s), hashrates in hash_rate_unit, share counts.</summary>
internal sealed record BraiinsWorker(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("last_share")] long? LastShare,
    [property: JsonPropertyName("hash_rate_unit")] string HashRateUnit,
    [property: JsonPropertyName("hash_rate_scoring")] double HashRateScoring,
    [property: JsonPropertyName("hash_rate_5m")] double HashRate5m,
    [property: JsonPropertyName("hash_rate_60m")] double HashRate60m,
    [property: JsonPropertyName("hash_rate_24h")] double HashRate24h,
    [property: JsonPropertyName("shares_5m")] long Shares5m,
    [property: JsonPropertyName("shares_60m")] long Shares60m,
    [property: JsonPropertyName("shares_24h")] long Shares24h);

/// <summary>F2Pool v2 request body of hash_rate/worker/list and hash_rate/worker/history.</summary>
internal sealed record F2PoolRequest(
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("mining_user_name")] string? MiningUserName,
    [property: JsonPropertyName("worker_name")] string? WorkerName,
    [property: JsonPropertyName("interval")] long? Interval,
    [property: JsonPropertyName("duration")] long? Duration);

internal sealed record F2PoolWorkerListReply([property: JsonPropertyName("workers")] List<F2PoolWorker> Workers);

internal sealed record F2PoolWorker(
    [property: JsonPropertyName("hash_rate_info")] F2PoolHashRateInfo HashRateInfo,
    [property: JsonPropertyName("last_share_at")] long LastShareAt,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("host")] string Host);

/// <summary>F2Pool hashrates, H/s: current, last hour, last 24 h, their stale parts, delayed and locally reported.</summary>
internal sealed record F2PoolHashRateInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("hash_rate")] double HashRate,
    [property: JsonPropertyName("h1_hash_rate")] double H1HashRate,
    [property: JsonPropertyName("h24_hash_rate")] double H24HashRate,
    [property: JsonPropertyName("h1_stale_hash_rate")] double H1StaleHashRate,
    [property: JsonPropertyName("h24_stale_hash_rate")] double H24StaleHashRate,
    [property: JsonPropertyName("h24_delay_hash_rate")] double H24DelayHashRate,
    [property: JsonPropertyName("local_hash_rate")] double LocalHashRate,
    [property: JsonPropertyName("h24_local_hash_rate")] double H24LocalHashRate);

internal sealed record F2PoolHistoryReply([property: JsonPropertyName("hash_rate_list")] List<F2PoolHistoryPoint> HashRateList);

internal sealed record F2PoolHistoryPoint(
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("hash_rate")] double HashRate,
    [property: JsonPropertyName("stale_hash_rate")] double StaleHashRate,
    [property: JsonPropertyName("delay_hash_rate")] double DelayHashRate,
    [property: JsonPropertyName("local_hash_rate")] double LocalHashRate);

/// <summary>F2Pool's uniform error body: {"code": N, "msg": "error_type: description"}.</summary>
internal sealed record F2PoolError([property: JsonPropertyName("code")] int Code, [property: JsonPropertyName("msg")] string Msg);

[JsonSerializable(typeof(BraiinsWorkersReply))]
[JsonSerializable(typeof(F2PoolRequest))]
[JsonSerializable(typeof(F2PoolWorkerListReply))]
[JsonSerializable(typeof(F2PoolHistoryReply))]
[JsonSerializable(typeof(F2PoolError))]
[JsonSerializable(typeof(double))]
internal sealed partial class PoolApiJsonContext : JsonSerializerContext;

namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>Why <see cref="FarmMessageDecoder"/> refused a message.</summary>
public enum FarmRejection
{
    /// <summary>The topic is not part of the farm/v1 tree.</summary>
    NotFarmTopic,

    /// <summary>The payload is larger than the consumer reads; it was not parsed.</summary>
    TooLarge,

    /// <summary>The payload is not the JSON its topic carries (schema, envelope, a null where the contract has a value).</summary>
    Malformed,

    /// <summary>Well formed, but the payload names another site, rack, miner or contract than its topic.</summary>
    Misattributed,
}

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Size bounds every farm/v1 MQTT client and the generated broker configuration share (docs/mqtt-contract.md,
/// "Message size"): a packet over <see cref="MaxPacketSize"/> is refused by the broker and skipped by our clients.
/// </summary>
public static class FarmMqttLimits
{
    /// <summary>
    /// Largest whole MQTT packet (fixed header, topic, payload) in bytes: 1 MiB, 16 times below the old client limit.
    /// Real messages are 1–10 KB; the largest the contract allows — a reported pool state of a 400-miner rack, four
    /// pools per miner, every miner failing, every id at its longest — is about 0.73 MB (FarmMessageSizeTests).
    /// Written as mosquitto's max_packet_size by scripts/broker-setup.sh.
    /// </summary>
    public const int MaxPacketSize = 1024 * 1024;
}

using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>The broker's answer per filter; a <see cref="MqttSubscribeReturnCode.Failure"/> usually means an ACL refused it.</summary>
public sealed record MqttClientSubscribeResult(IReadOnlyList<MqttClientSubscribeResultItem> Items)
{
    public bool AllGranted => Items.All(i => i.ReturnCode != MqttSubscribeReturnCode.Failure);
}

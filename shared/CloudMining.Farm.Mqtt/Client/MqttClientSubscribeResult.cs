using CloudMining.Farm.Mqtt.Messages;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>The broker's answer per filter; a <see cref="MqttSubscribeReturnCode.Failure"/> usually means an ACL refused it (logged as an error).</summary>
public sealed record MqttClientSubscribeResult(IReadOnlyList<MqttClientSubscribeResultItem> Items)
{
    public bool AllGranted => Items.All(i => i.Granted);
}

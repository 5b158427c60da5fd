using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Link;

/// <summary>One message a user of <see cref="AgentMqttLink"/> hands over; the link stamps publisher, seq and ts.</summary>
public readonly record struct AgentOutgoingMessage(string Topic, FarmMessage Payload, MqttQualityOfServiceLevel Qos, bool Retain = false);

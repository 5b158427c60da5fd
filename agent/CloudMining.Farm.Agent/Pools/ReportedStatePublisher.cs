using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>A user of the <see cref="AgentMqttLink"/>: publishes the rack's reported pool state (QoS 1, retained) built by the <see cref="PoolReconciler"/>.</summary>
public sealed class ReportedStatePublisher
{
    private readonly AgentMqttLink _link;
    private readonly string _topic;

    public ReportedStatePublisher(AgentMqttLink link, IOptions<AgentOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _link = link ?? throw new ArgumentNullException(nameof(link));
        _topic = FarmTopics.Reported(options.Value.Site, options.Value.RackId);
    }

    /// <summary>Queues the report behind what the link already has queued (the caller never waits on disk or network); publisher, seq and ts are stamped by the link.</summary>
    public void Queue(ReportedPoolStatePayload report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _link.Enqueue(ct => _link.PublishAsync(_topic, report, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, ct));
    }
}

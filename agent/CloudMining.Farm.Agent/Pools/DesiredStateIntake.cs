using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Hosting;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// A user of the <see cref="AgentMqttLink"/>: subscribes to this rack's desired topic
/// (<c>farm/v1/{site}/{rack}/desired</c>, the only topic the agent's ACL lets it read) and hands what arrives to the
/// <see cref="DesiredPoolStateStore"/>. Messages are read by the shared <see cref="FarmSubscriber"/> (the controller's
/// code: size limit <see cref="DesiredPoolStateStore.MaxPayloadBytes"/>, schema, envelope, site and rack of the topic);
/// one that fails is refused by the store (a <c>desired-rejected</c> event and the reported state say why), one that
/// passes is validated by the store before anything is stored or applied. Re-deliveries are not dropped by seq here:
/// the store orders desired states by generation and ignores an unchanged one, so a controller whose seq counter was
/// reset is still heard.
/// </summary>
public sealed class DesiredStateIntake : IHostedService
{
    private readonly AgentMqttLink _link;
    private readonly DesiredPoolStateStore _store;
    private readonly string _source;
    private bool _subscribed;

    public DesiredStateIntake(AgentMqttLink link, DesiredPoolStateStore store)
    {
        _link = link ?? throw new ArgumentNullException(nameof(link));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _source = "MQTT " + store.DesiredTopic;
    }

    /// <summary>Subscribes through the link (made once connected; renewed after each reconnect, when the broker re-sends the retained state).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_subscribed && _link.Enabled)
        {
            _subscribed = true;
            _link.Subscribe(
                _store.DesiredTopic,
                new FarmSubscriberOptions
                {
                    MaxPayloadBytes = DesiredPoolStateStore.MaxPayloadBytes,
                    DropDuplicates = false,
                    Rejected = (rejected, _) =>
                    {
                        _store.Refuse(rejected, _source);
                        return Task.CompletedTask;
                    },
                },
                (message, _) =>
                {
                    if (message.Payload is DesiredPoolStatePayload desired)
                    {
                        _store.Accept(desired, _source);
                    }

                    return Task.CompletedTask;
                });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

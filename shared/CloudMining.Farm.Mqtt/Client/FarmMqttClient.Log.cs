using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Log lines of the client. They name the broker user where it helps, never the password.</summary>
public sealed partial class FarmMqttClient
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconnect attempt {Attempt} to {Endpoint} failed: {Reason}; next try in {Delay} ({HeldBack} connection log lines held back)")]
    private static partial void LogReconnectFailed(ILogger logger, int attempt, string endpoint, string reason, TimeSpan delay, long heldBack);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Endpoint} as {ClientId} over MQTT {ProtocolVersion} (session present: {SessionPresent}, {HeldBack} connection log lines held back)")]
    private static partial void LogConnected(ILogger logger, string endpoint, string clientId, string protocolVersion, bool sessionPresent, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost connection to {Endpoint}: {Reason} (reconnecting: {WillReconnect}; {HeldBack} connection log lines held back)")]
    private static partial void LogConnectionLost(ILogger logger, string endpoint, string reason, bool willReconnect, long heldBack);

    [LoggerMessage(Level = LogLevel.Error, Message = "Disconnected handler failed")]
    private static partial void LogDisconnectedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DISCONNECT to {Endpoint} was not sent: {Reason}")]
    private static partial void LogDisconnectNotSent(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message handler failed for topic {Topic}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipped a {Size}-byte message on {Topic}: over the {Limit}-byte packet limit; acknowledged and dropped ({Count} so far, {HeldBack} not logged since the last line)")]
    private static partial void LogOversizedSkipped(ILogger logger, long size, string topic, int limit, long count, long heldBack);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused the publish on {Topic} by user {User}: PUBACK 0x{ReasonCode:X2} {ReasonName} from {Endpoint}; check the broker's ACL ({Count} refused so far, {HeldBack} not logged since the last line)")]
    private static partial void LogPublishRefused(ILogger logger, string topic, string user, int reasonCode, string reasonName, string endpoint, long count, long heldBack);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused the subscription to {TopicFilter} for user {User}: SUBACK 0x{ReasonCode:X2} {ReasonName} (client {ClientId}); check the broker's ACL")]
    private static partial void LogSubscriptionRefused(ILogger logger, string topicFilter, string user, int reasonCode, string reasonName, string clientId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped a queued message: {Problem}")]
    private static partial void LogQueuedDropped(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Offline queue pump for {Endpoint} stopped; queued messages stay on disk until the next start")]
    private static partial void LogPumpStopped(ILogger logger, Exception exception, string endpoint);
}

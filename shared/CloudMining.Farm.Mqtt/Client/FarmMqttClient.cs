using System.Threading.Channels;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Mqtt.OfflineQueue;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Net = MQTTnet;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// The farm's MQTT client: a thin layer over MQTTnet 5's <see cref="Net.IMqttClient"/> (MQTT 5 by default, 3.1.1 when
/// configured) that adds what MQTTnet does not have — reconnect with a growing backoff, QoS 1 delivery in call order
/// that survives reconnects (re-sent from the first unacknowledged message), the on-disk offline journal, refused
/// PUBACK/SUBACK reason codes as errors that name the topic and the broker user, and the packet limit.
/// </summary>
public sealed partial class FarmMqttClient : IAsyncDisposable
{
    private readonly MqttClientOptions _options;
    private readonly MqttNetOptions _netOptions;
    private static readonly FarmMqttAdapterFactory AdapterFactory = new();
    private readonly Net.MqttClientFactory _factory = new();
    private readonly string _endpoint;
    private readonly string _versionName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Channel<bool> _wakeSender = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // QoS 1 messages not yet handed to a connection, in call order; re-sends after a reconnect go to its front.
    private readonly LinkedList<MqttOutgoingMessage> _waiting = new();

    // QoS 1 messages handed to a connection and not yet acknowledged, in send order.
    private readonly List<MqttOutgoingMessage> _unacked = [];
    private readonly List<MqttTopicFilter> _subscriptions = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ResiliencePipeline _reconnectPipeline;

    // Reconnect storms and floods of oversized messages cost a few log lines a minute, not megabytes.
    private readonly LogThrottle _connectionLog;
    private readonly LogThrottle _oversizedLog;
    private readonly LogThrottle _refusedLog;
    private TaskCompletionSource _connectedSignal = NewSignal();
    private MqttConnectionGeneration? _current;
    private MqttOfflineJournal? _offlineQueue;
    private Task? _reconnectTask;
    private Task? _pumpTask;
    private Task? _senderTask;
    private long _sendOrder;
    private long _generations;
    private long _oversizedSkipped;
    private long _refusedCount;
    private TimeSpan? _pendingReconnectDelay;
    private bool _stopping;
    private bool _everConnected;
    private bool _reconnectRequested;
    private bool _reconnectRunning;

    public FarmMqttClient(MqttClientOptions options, ILogger<FarmMqttClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _endpoint = options.Endpoint;
        _versionName = MqttProtocolVersions.Name(options.ProtocolVersion);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        _netOptions = new MqttNetOptions(options);
        _connectionLog = new LogThrottle(_time, TimeSpan.FromMinutes(1), burst: 10);
        _oversizedLog = new LogThrottle(_time, TimeSpan.FromMinutes(1));
        _refusedLog = new LogThrottle(_time, TimeSpan.FromMinutes(1), burst: 10);
        _reconnectPipeline = BuildReconnectPipeline();
    }

    /// <summary>Every message the broker delivers, in order; the PUBACK goes out after the handler returns.</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync;

    public event Func<MqttClientConnectResult, Task>? ConnectedAsync;

    public event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync;

    public MqttClientOptions Options => _options;

    public bool IsConnected => _current is { IsAlive: true } c && c.Client.IsConnected;

    /// <summary>The disk queue, when configured: its depth and drop counters.</summary>
    public MqttOfflineJournal? OfflineQueue => _offlineQueue;

    /// <summary>Connections made after the first one.</summary>
    public long ReconnectCount { get; private set; }

    /// <summary>PUBLISH packets from the broker over <see cref="MqttClientOptions.MaxPacketSize"/>: acknowledged, not delivered (MQTT 3.1.1 only; MQTT 5 brokers do not send them).</summary>
    public long OversizedSkippedCount => Interlocked.Read(ref _oversizedSkipped);

    /// <summary>QoS 1 publishes the broker refused with a PUBACK failure reason code (MQTT 5).</summary>
    public long RefusedPublishCount => Interlocked.Read(ref _refusedCount);

    /// <summary>The backoff delay the reconnect loop is waiting out now; null while connected or trying.</summary>
    public TimeSpan? PendingReconnectDelay
    {
        get
        {
            lock (_gate)
            {
                return _pendingReconnectDelay;
            }
        }
    }

    /// <summary>Connects once and throws a typed error if that fails; with AutoReconnect, later losses are repaired.</summary>
    public async Task<MqttClientConnectResult> ConnectAsync(CancellationToken cancellationToken = default)
    {
        MqttClientOptionsValidator.ThrowIfInvalid(_options);
        ThrowIfFinished();
        if (IsConnected)
        {
            throw new InvalidOperationException($"Already connected to {_endpoint}.");
        }

        OpenOfflineQueue();
        StartSender();
        return (await ConnectSessionAsync(cancellationToken).ConfigureAwait(false)).Result;
    }

    /// <summary>Managed start: never throws for an unreachable broker; keeps connecting in the background (needs AutoReconnect).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        MqttClientOptionsValidator.ThrowIfInvalid(_options);
        if (!_options.AutoReconnect)
        {
            throw new MqttConfigurationException("StartAsync keeps reconnecting in the background and needs AutoReconnect; call ConnectAsync otherwise.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFinished();
        OpenOfflineQueue();
        StartSender();
        StartReconnectLoop();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Publishes one message. QoS 0 completes once written to the socket; QoS 1 once the broker acknowledged it (a
    /// refusal throws <see cref="MqttPublishRefusedException"/>). With an offline queue, completes once the message is
    /// durably queued (it is then sent in order when connected). Many QoS 1 calls may be outstanding at once: they go
    /// out in call order, up to <see cref="MqttClientOptions.MaxInflight"/> unacknowledged.
    /// </summary>
    public Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (MqttTopicValidator.TopicNameProblem(message.Topic) is { } problem)
        {
            throw new ArgumentException($"Cannot publish: {problem}.", nameof(message));
        }

        if (message.Qos == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new NotSupportedException("QoS 2 is not supported by this client; use QoS 1 and drop duplicates by seq.");
        }

        if (TooLarge(message) is { } tooLarge)
        {
            throw new MqttMessageTooLargeException(tooLarge);
        }

        if (_offlineQueue is { } queue)
        {
            queue.Enqueue(message);
            return Task.CompletedTask;
        }

        return message.Qos == MqttQualityOfServiceLevel.AtMostOnce
            ? PublishQos0Async(message, cancellationToken)
            : PublishQos1Async(message, cancellationToken);
    }

    /// <summary>
    /// Publishes several messages in call order, pipelined: with an offline queue they are appended with one disk flush
    /// (<see cref="MqttOfflineJournal.EnqueueRange"/>) and the call completes once all are durably queued; without one,
    /// every QoS 1 message is handed to the sender at once (up to <see cref="MqttClientOptions.MaxInflight"/>
    /// unacknowledged, in order) and the call completes when all are acknowledged. Every message is checked (topic,
    /// QoS, packet limit) before any is queued, so a bad one fails the call with nothing sent.
    /// </summary>
    public async Task PublishManyAsync(IReadOnlyList<MqttApplicationMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (int i = 0; i < messages.Count; i++)
        {
            MqttApplicationMessage message = messages[i] ?? throw new ArgumentException($"messages[{i}] is null.", nameof(messages));
            if (MqttTopicValidator.TopicNameProblem(message.Topic) is { } problem)
            {
                throw new ArgumentException($"Cannot publish messages[{i}]: {problem}.", nameof(messages));
            }

            if (message.Qos == MqttQualityOfServiceLevel.ExactlyOnce)
            {
                throw new NotSupportedException("QoS 2 is not supported by this client; use QoS 1 and drop duplicates by seq.");
            }

            if (TooLarge(message) is { } tooLarge)
            {
                throw new MqttMessageTooLargeException(tooLarge);
            }
        }

        if (messages.Count == 0)
        {
            return;
        }

        if (_offlineQueue is { } queue)
        {
            queue.EnqueueRange(messages);
            return;
        }

        if (messages.Any(m => m.Qos == MqttQualityOfServiceLevel.AtLeastOnce) && !_options.AutoReconnect && !IsConnected)
        {
            throw new MqttClientNotConnectedException($"Not connected to {_endpoint}; enable AutoReconnect or an offline queue to hold QoS 1 messages.");
        }

        var acknowledgements = new List<Task>(messages.Count);
        foreach (MqttApplicationMessage message in messages)
        {
            if (message.Qos == MqttQualityOfServiceLevel.AtMostOnce)
            {
                await PublishQos0Async(message, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                acknowledgements.Add(SendQos1(message));
            }
        }

        // Cancelling stops the wait, not the deliveries: the messages keep their places in the order.
        Task all = Task.WhenAll(acknowledgements);
        await (cancellationToken.CanBeCanceled ? all.WaitAsync(cancellationToken) : all).ConfigureAwait(false);
    }

    public async Task<MqttClientSubscribeResult> SubscribeAsync(IReadOnlyList<MqttTopicFilter> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            throw new ArgumentException("Give at least one topic filter.", nameof(filters));
        }

        foreach (MqttTopicFilter filter in filters)
        {
            if (MqttTopicValidator.TopicFilterProblem(filter.Topic) is { } problem)
            {
                throw new ArgumentException($"Cannot subscribe: {problem}.", nameof(filters));
            }

            if (filter.Qos > MqttQualityOfServiceLevel.AtLeastOnce)
            {
                throw new NotSupportedException($"Subscribing to '{filter.Topic}' at QoS 2 is not supported by this client; use QoS 1.");
            }
        }

        MqttConnectionGeneration generation = CurrentOrThrow();
        MqttClientSubscribeResult result = await SubscribeOnAsync(generation, filters, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (MqttClientSubscribeResultItem item in result.Items)
            {
                _subscriptions.RemoveAll(s => s.Topic == item.Filter.Topic);
                if (item.Granted)
                {
                    _subscriptions.Add(item.Filter);
                }
            }
        }

        return result;
    }

    public Task<MqttClientSubscribeResult> SubscribeAsync(string topicFilter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, CancellationToken cancellationToken = default) =>
        SubscribeAsync([new MqttTopicFilter(topicFilter, qos)], cancellationToken);

    public async Task UnsubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        foreach (string filter in filters)
        {
            if (MqttTopicValidator.TopicFilterProblem(filter) is { } problem)
            {
                throw new ArgumentException($"Cannot unsubscribe: {problem}.", nameof(filters));
            }
        }

        MqttConnectionGeneration generation = CurrentOrThrow();
        var unsubscribe = new Net.MqttClientUnsubscribeOptionsBuilder();
        foreach (string filter in filters)
        {
            unsubscribe.WithTopicFilter(filter);
        }

        await WithTimeoutAsync(token => generation.Client.UnsubscribeAsync(unsubscribe.Build(), token), "UNSUBACK", cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _subscriptions.RemoveAll(s => filters.Contains(s.Topic));
        }
    }

    /// <summary>Sends DISCONNECT (so the will is not published) and stops reconnecting.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _stopping = true;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        MqttConnectionGeneration? current = _current;
        if (current is { IsAlive: true })
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.Timeout);
                await current.Client.DisconnectAsync(new Net.MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A DISCONNECT that cannot be sent leaves nothing to do but close the socket.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogDisconnectNotSent(_logger, _endpoint, ex.Message);
            }

            await TearDownAsync(current, null).ConfigureAwait(false);
        }

        await WaitBackgroundAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping)
        {
            await DisconnectAsync().ConfigureAwait(false);
        }

        if (_current is { } current)
        {
            await TearDownAsync(current, null).ConfigureAwait(false);
        }

        await WaitBackgroundAsync().ConfigureAwait(false);
        _offlineQueue?.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>Simulates a network cut: drops the socket without DISCONNECT, so the broker publishes the will.</summary>
    public async Task AbortConnectionAsync()
    {
        if (_current is { } current)
        {
            await TearDownAsync(current, new MqttCommunicationException("Connection aborted by the application.")).ConfigureAwait(false);
        }
    }

    private async Task PublishQos0Async(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        MqttConnectionGeneration? generation = _current;
        if (generation is not { IsAlive: true })
        {
            throw new MqttClientNotConnectedException($"Not connected to {_endpoint}; QoS 0 messages are not held (configure an offline queue to keep them).");
        }

        try
        {
            await generation.Client.PublishAsync(ToWire(message), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Net.Exceptions.MqttCommunicationException or Net.Exceptions.MqttClientNotConnectedException or ObjectDisposedException)
        {
            throw new MqttClientNotConnectedException($"Not connected to {_endpoint}: {ex.Message}", ex);
        }
    }

    private Task PublishQos1Async(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!_options.AutoReconnect && !IsConnected)
        {
            throw new MqttClientNotConnectedException($"Not connected to {_endpoint}; enable AutoReconnect or an offline queue to hold QoS 1 messages.");
        }

        // Cancelling stops the wait, not the delivery: the message keeps its place in the order.
        Task acknowledged = SendQos1(message);
        return cancellationToken.CanBeCanceled ? acknowledged.WaitAsync(cancellationToken) : acknowledged;
    }

    /// <summary>Queues in call order; the sender hands it to the connection; the task completes on PUBACK. Held across reconnects.</summary>
    internal Task SendQos1(MqttApplicationMessage message)
    {
        MqttOutgoingMessage entry;
        lock (_gate)
        {
            entry = new MqttOutgoingMessage(message, ToWire(message), _sendOrder++);
            _waiting.AddLast(entry);
        }

        _wakeSender.Writer.TryWrite(true);
        return entry.Completion.Task;
    }

    private void StartSender()
    {
        lock (_gate)
        {
            _senderTask ??= Task.Run(() => SendLoopAsync(_lifetime.Token), CancellationToken.None);
        }
    }

    // One loop hands QoS 1 messages to MQTTnet without awaiting each PUBACK: MQTTnet assigns packet identifiers and
    // takes its send lock (first come, first served) synchronously inside PublishAsync, so the wire order is the order
    // of these calls, and up to MaxInflight acknowledgements are outstanding at once.
    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _wakeSender.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    MqttOutgoingMessage entry;
                    MqttConnectionGeneration generation;
                    lock (_gate)
                    {
                        if (_current is not { IsAlive: true } current || _unacked.Count >= _options.MaxInflight || _waiting.First is not { } first)
                        {
                            break;
                        }

                        generation = current;
                        entry = first.Value;
                        _waiting.RemoveFirst();
                        entry.Generation = generation;
                        _unacked.Add(entry);
                    }

                    Task<Net.MqttClientPublishResult> pending;
                    try
                    {
                        pending = generation.Client.PublishAsync(entry.Wire, generation.Cancellation.Token);
                    }
#pragma warning disable CA1031 // Handed to the observer, which decides between re-send and failure.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        pending = Task.FromException<Net.MqttClientPublishResult>(ex);
                    }

                    _ = ObservePublishAsync(entry, generation, pending);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private async Task ObservePublishAsync(MqttOutgoingMessage entry, MqttConnectionGeneration generation, Task<Net.MqttClientPublishResult> pending)
    {
        Net.MqttClientPublishResult? result = null;
        Exception? failure = null;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A lost connection keeps the message for the next one; anything else fails it below.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        lock (_gate)
        {
            if (!ReferenceEquals(entry.Generation, generation))
            {
                // Already re-queued for a newer connection: that send decides.
                return;
            }

            if (result is null && (!generation.IsAlive || IsConnectionLoss(failure)))
            {
                // The connection is gone: the message stays unacknowledged and is re-sent when the next one is up.
                return;
            }

            _unacked.Remove(entry);
            entry.Generation = null;
        }

        _wakeSender.Writer.TryWrite(true);
        if (result is null)
        {
            entry.Completion.TrySetException(new MqttCommunicationException($"Publishing on '{BoundedText.Echo(entry.Message.Topic)}' to {_endpoint} failed: {failure?.Message}", failure!));
        }
        else if (result.IsSuccess)
        {
            entry.Completion.TrySetResult();
        }
        else
        {
            entry.Completion.TrySetException(Refused(entry.Message.Topic, (int)result.ReasonCode, result.ReasonCode.ToString(), result.ReasonString));
        }
    }

    // MQTTnet reports a lost connection to every pending request before its Disconnected event reaches our teardown.
    private static bool IsConnectionLoss(Exception? failure) =>
        failure is Net.Exceptions.MqttCommunicationException or Net.Exceptions.MqttClientNotConnectedException or ObjectDisposedException or OperationCanceledException;

    private MqttPublishRefusedException Refused(string topic, int code, string name, string? reasonString)
    {
        long count = Interlocked.Increment(ref _refusedCount);
        string user = _options.Username ?? "(anonymous)";
        if (_refusedLog.TryAcquire(out long heldBack))
        {
            LogPublishRefused(_logger, BoundedText.Echo(topic), user, code, name, _endpoint, count, heldBack);
        }

        return new MqttPublishRefusedException(
            $"MQTT broker {_endpoint} refused the publish on '{BoundedText.Echo(topic)}' by user '{user}': PUBACK 0x{code:X2} {name}{(string.IsNullOrEmpty(reasonString) ? string.Empty : $" ({BoundedText.Echo(reasonString)})")}. Check the broker's ACL for this user and topic.",
            code);
    }

    private async Task<MqttClientSubscribeResult> SubscribeOnAsync(MqttConnectionGeneration generation, IReadOnlyList<MqttTopicFilter> filters, CancellationToken cancellationToken)
    {
        var subscribe = new Net.MqttClientSubscribeOptionsBuilder();
        foreach (MqttTopicFilter filter in filters)
        {
            subscribe.WithTopicFilter(filter.Topic, (MQTTnet.Protocol.MqttQualityOfServiceLevel)filter.Qos);
        }

        Net.MqttClientSubscribeResult answer = await WithTimeoutAsync(token => generation.Client.SubscribeAsync(subscribe.Build(), token), "SUBACK", cancellationToken).ConfigureAwait(false);
        var items = new List<MqttClientSubscribeResultItem>(filters.Count);
        foreach (MqttTopicFilter filter in filters)
        {
            Net.MqttClientSubscribeResultItem? match = answer.Items.FirstOrDefault(i => i.TopicFilter.Topic == filter.Topic);
            int code = match is null ? (int)Net.MqttClientSubscribeResultCode.UnspecifiedError : (int)match.ResultCode;
            var item = new MqttClientSubscribeResultItem(filter, code < 0x80 ? (MqttSubscribeReturnCode)code : MqttSubscribeReturnCode.Failure, code);
            if (!item.Granted)
            {
                LogSubscriptionRefused(_logger, BoundedText.Echo(filter.Topic), _options.Username ?? "(anonymous)", code, ((Net.MqttClientSubscribeResultCode)code).ToString(), _options.ClientId);
            }

            items.Add(item);
        }

        return new MqttClientSubscribeResult(items);
    }

    private async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> request, string answer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            return await request(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MqttCommunicationException($"No {answer} from {_endpoint} within {_options.Timeout}.", ex);
        }
        catch (Exception ex) when (ex is Net.Exceptions.MqttCommunicationException or Net.Exceptions.MqttClientNotConnectedException or ObjectDisposedException)
        {
            throw new MqttClientDisconnectedException($"Connection to {_endpoint} ended while waiting for {answer}: {ex.Message}", ex);
        }
    }

    private MqttConnectionGeneration CurrentOrThrow() =>
        _current is { IsAlive: true } current ? current : throw new MqttClientNotConnectedException($"Not connected to {_endpoint}.");

    private static Net.MqttApplicationMessage ToWire(MqttApplicationMessage message) => new()
    {
        Topic = message.Topic,
        Payload = new System.Buffers.ReadOnlySequence<byte>(message.Payload),
        QualityOfServiceLevel = (MQTTnet.Protocol.MqttQualityOfServiceLevel)message.Qos,
        Retain = message.Retain,
    };

    /// <summary>Why the broker would refuse this message for its size, or null when it fits.</summary>
    private string? TooLarge(MqttApplicationMessage message)
    {
        long size = MqttPublishPacketSize.Of(message.Topic, message.Payload.Length, message.Qos, _options.ProtocolVersion);
        return size <= _options.MaxPacketSize
            ? null
            : $"Cannot publish {size} bytes on '{BoundedText.Echo(message.Topic)}': the packet limit is {_options.MaxPacketSize} bytes (MaxPacketSize, the broker's max_packet_size), and the broker would disconnect this client instead of storing it. Send less per message.";
    }

    private void ThrowIfFinished()
    {
        if (_stopping)
        {
            throw new InvalidOperationException("This client was disconnected or disposed; its queue and loops are closed. Create a new FarmMqttClient.");
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

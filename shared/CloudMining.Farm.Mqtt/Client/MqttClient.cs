using System.Buffers;
using System.Threading.Channels;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Mqtt.OfflineQueue;
using CloudMining.Farm.Mqtt.Packets;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// MQTT 3.1.1 client: QoS 0/1 publish with an in-flight window, subscriptions, keep-alive, automatic reconnect
/// with DUP re-sends, and an optional disk-backed offline queue. Shaped like MQTTnet's client so it can be swapped.
/// </summary>
public sealed partial class MqttClient : IAsyncDisposable
{
    // Publishers wait once this many encoded bytes are queued for the socket: bounds memory, batches writes.
    private const int OutboxHighWater = 1024 * 1024;

    private readonly MqttClientOptions options;
    private readonly string endpoint;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly object gate = new();
    private readonly Channel<bool> wakeWriter = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    // QoS 1 messages waiting for a window slot, in call order: admitted strictly FIFO so the wire order is the call
    // order (a semaphore would wake waiters through the thread pool's LIFO local queues and reorder them).
    private readonly Queue<MqttInflightMessage> waitingForWindow = new();
    private readonly Dictionary<ushort, MqttInflightMessage> inflight = [];
    private readonly Dictionary<ushort, TaskCompletionSource<MqttPacket>> requests = [];
    private readonly List<MqttTopicFilter> subscriptions = [];
    private readonly CancellationTokenSource lifetime = new();
    private readonly ResiliencePipeline reconnectPipeline;
    // Reconnect storms and floods of oversized messages cost a few log lines a minute, not megabytes.
    private readonly LogThrottle connectionLog;
    private readonly LogThrottle oversizedLog;
    private ArrayBufferWriter<byte> outbox = new(64 * 1024);
    private ArrayBufferWriter<byte> sending = new(64 * 1024);
    private TaskCompletionSource drained = NewSignal();
    private TaskCompletionSource connectedSignal = NewSignal();
    private MqttClientSession? session;
    private MqttOfflineJournal? offlineQueue;
    private Task? reconnectTask;
    private Task? pumpTask;
    private long sendOrder;
    private long oversizedSkipped;
    private TimeSpan? pendingReconnectDelay;
    private ushort lastPacketId;
    private bool stopping;

    public MqttClient(MqttClientOptions options, ILogger<MqttClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        endpoint = options.Endpoint;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        time = options.TimeProvider;
        connectionLog = new LogThrottle(time, TimeSpan.FromMinutes(1), burst: 10);
        oversizedLog = new LogThrottle(time, TimeSpan.FromMinutes(1));
        reconnectPipeline = BuildReconnectPipeline();
    }

    /// <summary>Every message the broker delivers, in order; the PUBACK goes out after the handler returns.</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync;

    public event Func<MqttClientConnectResult, Task>? ConnectedAsync;

    public event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync;

    public MqttClientOptions Options => options;

    public bool IsConnected => session is { IsAlive: true };

    /// <summary>The disk queue, when configured: its depth and drop counters.</summary>
    public MqttOfflineJournal? OfflineQueue => offlineQueue;

    /// <summary>Connections made after the first one.</summary>
    public long ReconnectCount { get; private set; }

    /// <summary>PUBLISH packets from the broker over <see cref="MqttClientOptions.MaxPacketSize"/>: read past, acknowledged, not delivered.</summary>
    public long OversizedSkippedCount => Interlocked.Read(ref oversizedSkipped);

    /// <summary>The backoff delay the reconnect loop is waiting out now; null while connected or trying.</summary>
    public TimeSpan? PendingReconnectDelay
    {
        get
        {
            lock (gate)
            {
                return pendingReconnectDelay;
            }
        }
    }

    /// <summary>Connects once and throws a typed error if that fails; with AutoReconnect, later losses are repaired.</summary>
    public async Task<MqttClientConnectResult> ConnectAsync(CancellationToken cancellationToken = default)
    {
        MqttClientOptionsValidator.ThrowIfInvalid(options);
        ThrowIfFinished();
        if (IsConnected)
        {
            throw new InvalidOperationException($"Already connected to {endpoint}.");
        }

        OpenOfflineQueue();
        MqttClientConnectResult result = await ConnectSessionAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Managed start: never throws for an unreachable broker; keeps connecting in the background (needs AutoReconnect).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        MqttClientOptionsValidator.ThrowIfInvalid(options);
        if (!options.AutoReconnect)
        {
            throw new MqttConfigurationException("StartAsync keeps reconnecting in the background and needs AutoReconnect; call ConnectAsync otherwise.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFinished();
        OpenOfflineQueue();
        StartReconnectLoop();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Publishes one message. QoS 0 completes once queued for the socket; QoS 1 once the broker acknowledged it.
    /// With an offline queue, completes once the message is durably queued (it is then sent in order when connected).
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

        if (offlineQueue is { } queue)
        {
            queue.Enqueue(message);
            return Task.CompletedTask;
        }

        return message.Qos == MqttQualityOfServiceLevel.AtMostOnce
            ? PublishQos0Async(message, cancellationToken)
            : PublishQos1Async(message, cancellationToken);
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

        var ack = (MqttSubAckPacket)await RequestAsync(id => new MqttSubscribePacket(id, filters), cancellationToken).ConfigureAwait(false);
        if (ack.ReturnCodes.Count != filters.Count)
        {
            throw new MqttProtocolException($"SUBACK has {ack.ReturnCodes.Count} return codes for {filters.Count} filters.");
        }

        var items = new List<MqttClientSubscribeResultItem>(filters.Count);
        lock (gate)
        {
            for (int i = 0; i < filters.Count; i++)
            {
                items.Add(new MqttClientSubscribeResultItem(filters[i], ack.ReturnCodes[i]));
                if (ack.ReturnCodes[i] != MqttSubscribeReturnCode.Failure)
                {
                    subscriptions.RemoveAll(s => s.Topic == filters[i].Topic);
                    subscriptions.Add(filters[i]);
                }
                else
                {
                    logger.LogWarning("Broker refused subscription to {TopicFilter} for client {ClientId} (SUBACK 0x80); check the ACL", filters[i].Topic, options.ClientId);
                }
            }
        }

        return new MqttClientSubscribeResult(items);
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

        await RequestAsync(id => new MqttUnsubscribePacket(id, filters), cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            subscriptions.RemoveAll(s => filters.Contains(s.Topic));
        }
    }

    /// <summary>Sends DISCONNECT (so the will is not published) and stops reconnecting.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        stopping = true;
        await lifetime.CancelAsync().ConfigureAwait(false);
        MqttClientSession? current = session;
        if (current is { IsAlive: true })
        {
            Task flushed;
            lock (gate)
            {
                MqttPacketEncoder.Encode(MqttDisconnectPacket.Instance, outbox);
                flushed = drained.Task;
            }

            wakeWriter.Writer.TryWrite(true);
            try
            {
                await flushed.WaitAsync(options.Timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                logger.LogWarning("DISCONNECT to {Endpoint} was not flushed within {Timeout}", endpoint, options.Timeout);
            }

            await TearDownAsync(current, null).ConfigureAwait(false);
        }

        await WaitBackgroundAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopping)
        {
            try
            {
                await DisconnectAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MqttCommunicationException or IOException or ObjectDisposedException)
            {
                logger.LogDebug(ex, "Ignoring error while disconnecting on dispose");
            }
        }

        if (session is { } current)
        {
            await TearDownAsync(current, null).ConfigureAwait(false);
        }

        await WaitBackgroundAsync().ConfigureAwait(false);
        offlineQueue?.Dispose();
        lifetime.Dispose();
    }

    /// <summary>Simulates a network cut: drops the socket without DISCONNECT, so the broker publishes the will.</summary>
    public async Task AbortConnectionAsync()
    {
        if (session is { } current)
        {
            await TearDownAsync(current, new MqttCommunicationException("Connection aborted by the application.")).ConfigureAwait(false);
        }
    }

    private Task PublishQos0Async(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (session is not { IsAlive: true })
                {
                    throw new MqttClientNotConnectedException($"Not connected to {endpoint}; QoS 0 messages are not held (configure an offline queue to keep them).");
                }

                if (outbox.WrittenCount < OutboxHighWater)
                {
                    MqttPacketEncoder.EncodePublish(message.Topic, message.Payload.Span, MqttQualityOfServiceLevel.AtMostOnce, message.Retain, false, 0, outbox);
                    break;
                }

                wait = drained.Task;
            }

            return WaitThenPublishQos0Async(wait, message, cancellationToken);
        }

        wakeWriter.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    private async Task WaitThenPublishQos0Async(Task wait, MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        await PublishQos0Async(message, cancellationToken).ConfigureAwait(false);
    }

    private Task PublishQos1Async(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!options.AutoReconnect && !IsConnected)
        {
            throw new MqttClientNotConnectedException($"Not connected to {endpoint}; enable AutoReconnect or an offline queue to hold QoS 1 messages.");
        }

        // Cancelling stops the wait, not the delivery: the message keeps its place in the window.
        Task acknowledged = SendQos1(message);
        return cancellationToken.CanBeCanceled ? acknowledged.WaitAsync(cancellationToken) : acknowledged;
    }

    /// <summary>Queues for a window slot in call order and sends; the task completes on PUBACK. Held across reconnects.</summary>
    internal Task SendQos1(MqttApplicationMessage message)
    {
        MqttInflightMessage entry;
        lock (gate)
        {
            entry = new MqttInflightMessage(message, sendOrder++);
            if (waitingForWindow.Count == 0 && inflight.Count < options.MaxInflight)
            {
                Admit(entry);
            }
            else
            {
                waitingForWindow.Enqueue(entry);
            }
        }

        wakeWriter.Writer.TryWrite(true);
        return entry.Completion.Task;
    }

    // Caller holds the gate.
    private void Admit(MqttInflightMessage entry)
    {
        entry.PacketIdentifier = NextPacketId();
        inflight[entry.PacketIdentifier] = entry;
        if (session is { IsAlive: true })
        {
            entry.Sent = true;
            MqttPacketEncoder.EncodePublish(entry.Message.Topic, entry.Message.Payload.Span, MqttQualityOfServiceLevel.AtLeastOnce, entry.Message.Retain, false, entry.PacketIdentifier, outbox);
        }
    }

    private async Task<MqttPacket> RequestAsync(Func<ushort, MqttPacket> build, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<MqttPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort id;
        lock (gate)
        {
            if (session is not { IsAlive: true })
            {
                throw new MqttClientNotConnectedException($"Not connected to {endpoint}.");
            }

            id = NextPacketId();
            requests[id] = reply;
            MqttPacketEncoder.Encode(build(id), outbox);
        }

        wakeWriter.Writer.TryWrite(true);
        try
        {
            return await reply.Task.WaitAsync(options.Timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new MqttCommunicationException($"No answer from {endpoint} within {options.Timeout}.", ex);
        }
        finally
        {
            lock (gate)
            {
                requests.Remove(id);
            }
        }
    }

    // Caller holds the gate. Skips 0 and identifiers still waiting for an answer.
    private ushort NextPacketId()
    {
        while (true)
        {
            lastPacketId = lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(lastPacketId + 1);
            if (!inflight.ContainsKey(lastPacketId) && !requests.ContainsKey(lastPacketId))
            {
                return lastPacketId;
            }
        }
    }

    private void EnqueueControl(MqttPacket packet)
    {
        lock (gate)
        {
            MqttPacketEncoder.Encode(packet, outbox);
        }

        wakeWriter.Writer.TryWrite(true);
    }

    /// <summary>Why the broker would refuse this message for its size, or null when it fits.</summary>
    private string? TooLarge(MqttApplicationMessage message)
    {
        long size = MqttPacketEncoder.PublishPacketSize(message.Topic, message.Payload.Length, message.Qos);
        return size <= options.MaxPacketSize
            ? null
            : $"Cannot publish {size} bytes on '{BoundedText.Echo(message.Topic)}': the packet limit is {options.MaxPacketSize} bytes (MaxPacketSize, the broker's max_packet_size), and the broker would disconnect this client instead of storing it. Send less per message.";
    }

    private void ThrowIfFinished()
    {
        if (stopping)
        {
            throw new InvalidOperationException("This client was disconnected or disposed; its queue and loops are closed. Create a new MqttClient.");
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

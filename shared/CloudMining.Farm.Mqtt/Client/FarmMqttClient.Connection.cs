using System.Security.Authentication;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Net = MQTTnet;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Connection life cycle: one MQTTnet client per attempt, teardown per generation, reconnect with backoff.</summary>
public sealed partial class FarmMqttClient
{
    // One execution of this pipeline lasts until a connection proved healthy (ReconnectHealthyAfter): a connection
    // that dies sooner is a failed attempt, so the backoff keeps growing instead of restarting at zero each time.
    private ResiliencePipeline BuildReconnectPipeline() =>
        new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                // Reconnecting never gives up: an agent must outlive any broker outage.
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    MqttReconnectBackoff.Delay(args.AttemptNumber, _options.ReconnectMinDelay, _options.ReconnectMaxDelay, Random.Shared.NextDouble())),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                OnRetry = args =>
                {
                    lock (_gate)
                    {
                        _pendingReconnectDelay = args.RetryDelay;
                    }

                    if (_connectionLog.TryAcquire(out long heldBack))
                    {
                        LogReconnectFailed(_logger, args.AttemptNumber + 1, _endpoint, BoundedText.Echo(args.Outcome.Exception?.Message, 500), args.RetryDelay, heldBack);
                    }

                    return default;
                },
            })
            .Build();

    /// <summary>Returns once <paramref name="generation"/> stayed up for ReconnectHealthyAfter; throws when it ended sooner.</summary>
    private async Task WaitHealthyAsync(MqttConnectionGeneration generation, CancellationToken cancellationToken)
    {
        TimeSpan remaining = _options.ReconnectHealthyAfter - _time.GetElapsedTime(generation.ConnectedTimestamp);
        bool lived = remaining <= TimeSpan.Zero;
        if (!lived)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delay = Task.Delay(remaining, _time, wait.Token);
            Task first = await Task.WhenAny(generation.Closed.Task, delay).ConfigureAwait(false);

            // Decided by what happened first: a session that outlived the wait was healthy even if it ends a moment later
            // (that loss then starts a fresh backoff, its first try immediate).
            lived = first == delay && delay.IsCompletedSuccessfully;

            // Cancelled so no timer lingers on the clock after the session ended.
            await wait.CancelAsync().ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!lived && generation.Closed.Task.IsCompleted && !_stopping)
        {
            throw new MqttCommunicationException(
                $"The connection to {_endpoint} ended {_time.GetElapsedTime(generation.ConnectedTimestamp).TotalSeconds:0.###} s after CONNACK, before it counted as healthy ({_options.ReconnectHealthyAfter}).");
        }
    }

    private async Task<(MqttClientConnectResult Result, MqttConnectionGeneration Generation)> ConnectSessionAsync(CancellationToken cancellationToken)
    {
        Net.MqttClientOptions netOptions = _netOptions.Build();
        var generation = new MqttConnectionGeneration(_factory.CreateMqttClient(AdapterFactory), Interlocked.Increment(ref _generations), _time);
        generation.Client.ApplicationMessageReceivedAsync += e => OnMessageReceivedAsync(generation, e);
        generation.Client.DisconnectedAsync += e => OnDisconnectedAsync(generation, e);
        Net.MqttClientConnectResult connAck;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            try
            {
                connAck = await generation.Client.ConnectAsync(netOptions, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new MqttCommunicationException($"No CONNACK from {_endpoint} within {_options.Timeout} (is it an MQTT broker? does it need TLS?).", ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Translate(ex);
            }

            if (connAck.ResultCode != Net.MqttClientConnectResultCode.Success)
            {
                throw new MqttConnectException(connAck.ResultCode, _endpoint, _options.Username, _options.ProtocolVersion);
            }
        }
        catch
        {
            generation.TryMarkFailed();
            generation.Dispose();
            throw;
        }

        bool first;
        lock (_gate)
        {
            if (!generation.IsAlive || _stopping)
            {
                generation.Dispose();
                throw new MqttCommunicationException($"The connection to {_endpoint} ended right after CONNACK.");
            }

            generation.MarkConnected();
            first = !_everConnected;
            _everConnected = true;
            if (!first)
            {
                ReconnectCount++;
            }

            // Unacknowledged messages of earlier connections go out first, in their original order.
            _unacked.Sort((a, b) => a.Order.CompareTo(b.Order));
            for (int i = _unacked.Count - 1; i >= 0; i--)
            {
                _unacked[i].Generation = null;
                _waiting.AddFirst(_unacked[i]);
            }

            _unacked.Clear();
            _current = generation;
        }

        MqttTopicFilter[] resubscribe;
        lock (_gate)
        {
            resubscribe = connAck.IsSessionPresent ? [] : [.. _subscriptions];
        }

        if (resubscribe.Length > 0)
        {
            await SubscribeOnAsync(generation, resubscribe, cancellationToken).ConfigureAwait(false);
        }

        _wakeSender.Writer.TryWrite(true);
        if (_logger.IsEnabled(LogLevel.Information) && _connectionLog.TryAcquire(out long heldBack))
        {
            LogConnected(_logger, _endpoint, _options.ClientId, _versionName, connAck.IsSessionPresent, heldBack);
        }

        var result = new MqttClientConnectResult(connAck.IsSessionPresent);
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _connectedSignal;
        }

        signal.TrySetResult();
        if (ConnectedAsync is { } handler)
        {
            await handler(result).ConfigureAwait(false);
        }

        return (result, generation);
    }

    private Exception Translate(Exception ex)
    {
        if (_netOptions.TlsRejection is { } rejection)
        {
            return new MqttTlsException($"TLS handshake with {_endpoint} failed: {rejection}.", ex);
        }

        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException)
            {
                return new MqttTlsException($"TLS handshake with {_endpoint} failed: {inner.Message}.", ex);
            }

            if (inner is System.Net.Sockets.SocketException socket)
            {
                return new MqttCommunicationException(
                    $"Cannot reach the MQTT broker at {_endpoint}: {socket.SocketErrorCode}. Check that the broker runs and the host/port are right.", ex);
            }
        }

        return new MqttCommunicationException($"Connecting to {_endpoint} failed: {BoundedText.Echo(ex.Message, 500)}", ex);
    }

    private Task OnMessageReceivedAsync(MqttConnectionGeneration generation, Net.MqttApplicationMessageReceivedEventArgs e)
    {
        Net.MqttApplicationMessage received = e.ApplicationMessage;
        var qos = (MqttQualityOfServiceLevel)received.QualityOfServiceLevel;
        long size = MqttPublishPacketSize.Of(received.Topic, received.Payload.Length, qos, _options.ProtocolVersion);
        if (size > _options.MaxPacketSize)
        {
            // Acknowledged like a delivered message, so a broker holding it in our persistent session (or retained)
            // does not send it again on every reconnect: one bad message must never keep the client in a loop.
            long count = Interlocked.Increment(ref _oversizedSkipped);
            if (_oversizedLog.TryAcquire(out long heldBack))
            {
                LogOversizedSkipped(_logger, size, BoundedText.Echo(received.Topic), _options.MaxPacketSize, count, heldBack);
            }

            return Task.CompletedTask;
        }

        if (!generation.IsAlive || ApplicationMessageReceivedAsync is not { } handler)
        {
            return Task.CompletedTask;
        }

        var message = new MqttApplicationMessage
        {
            Topic = received.Topic,
            Payload = ReceivedPayload(received.Payload),
            Qos = qos,
            Retain = received.Retain,
            Dup = received.Dup,
        };
        Task handled;
        try
        {
            handled = handler(new MqttApplicationMessageReceivedEventArgs(message, _options.ClientId));
        }
#pragma warning disable CA1031 // A faulty handler must not kill the connection; it is logged and the message acknowledged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, ex, BoundedText.Echo(received.Topic));
            return Task.CompletedTask;
        }

        // The controller's ingest handler completes synchronously: no await, no state machine per message.
        return handled.IsCompletedSuccessfully ? Task.CompletedTask : AwaitHandlerAsync(handled, received.Topic);
    }

    private async Task AwaitHandlerAsync(Task handled, string topic)
    {
        try
        {
            await handled.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A faulty handler must not kill the connection; it is logged and the message acknowledged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, ex, BoundedText.Echo(topic));
        }
    }

    /// <summary>
    /// The received payload without a copy. MQTTnet 5.2 decodes every PUBLISH into a payload array of its own
    /// (<c>MqttBufferReader.ReadRemainingData</c> allocates one per packet and never reuses it), handed over as a
    /// single-segment sequence: that array can be kept by any handler. A multi-segment sequence (not produced by this
    /// MQTTnet version) is copied.
    /// </summary>
    internal static ReadOnlyMemory<byte> ReceivedPayload(System.Buffers.ReadOnlySequence<byte> payload) =>
        payload.IsEmpty ? ReadOnlyMemory<byte>.Empty
        : payload.IsSingleSegment ? payload.First
        : System.Buffers.BuffersExtensions.ToArray(payload);

    private Task OnDisconnectedAsync(MqttConnectionGeneration generation, Net.MqttClientDisconnectedEventArgs e)
    {
        if (!e.ClientWasConnected || !generation.IsAlive)
        {
            return Task.CompletedTask;
        }

        string reason = e.Exception is { } ex
            ? $"{e.Reason}: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.Message})" : string.Empty)}"
            : $"{e.Reason}{(string.IsNullOrEmpty(e.ReasonString) ? string.Empty : $" ({e.ReasonString})")}";
        if (e.Exception is Net.Exceptions.MqttCommunicationTimedOutException || (e.Exception?.Message.Contains("keep alive", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            reason = $"the broker did not answer a keep-alive PINGREQ within {_options.Timeout}; the link is dead ({reason})";
        }

        // Off MQTTnet's own disconnect path: our teardown disposes that very client.
        _ = Task.Run(() => TearDownAsync(generation, new MqttCommunicationException($"{_endpoint} closed the connection: {reason}.", e.Exception!)));
        return Task.CompletedTask;
    }

    /// <summary>Closes a generation exactly once; a null reason means the application asked for it.</summary>
    private async Task TearDownAsync(MqttConnectionGeneration generation, Exception? reason)
    {
        if (!generation.TryMarkFailed())
        {
            return;
        }

        generation.Closed.TrySetResult();
        bool willReconnect;
        List<MqttOutgoingMessage> failed = [];
        lock (_gate)
        {
            willReconnect = reason is not null && _options.AutoReconnect && !_stopping;
            if (ReferenceEquals(_current, generation))
            {
                _current = null;
            }

            if (_connectedSignal.Task.IsCompleted)
            {
                _connectedSignal = NewSignal();
            }

            if (!willReconnect && _offlineQueue is null)
            {
                failed.AddRange(_unacked);
                failed.AddRange(_waiting);
                _unacked.Clear();
                _waiting.Clear();
            }
        }

        // This generation's own client, never a shared field: a newer generation is untouched.
        generation.Dispose();
        var lost = new MqttClientDisconnectedException($"Connection to {_endpoint} ended: {reason?.Message ?? "closed by the application"}.", reason ?? new OperationCanceledException());
        foreach (MqttOutgoingMessage entry in failed)
        {
            entry.Completion.TrySetException(lost);
        }

        if (reason is not null && _connectionLog.TryAcquire(out long heldBack))
        {
            LogConnectionLost(_logger, _endpoint, BoundedText.Echo(reason.Message, 500), willReconnect, heldBack);
        }

        if (DisconnectedAsync is { } handler)
        {
            try
            {
                await handler(new MqttClientDisconnectedEventArgs(reason, willReconnect)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // An observer's failure must not stop the reconnect.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogDisconnectedHandlerFailed(_logger, ex);
            }
        }

        if (willReconnect)
        {
            StartReconnectLoop();
        }
    }

    private void StartReconnectLoop()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            // A request while the loop runs is remembered, so a session that dies just as the loop finishes is not
            // left without a reconnect.
            _reconnectRequested = true;
            if (_reconnectRunning)
            {
                return;
            }

            _reconnectRunning = true;
            _reconnectTask = Task.Run(ReconnectAsync, CancellationToken.None);
        }
    }

    private async Task ReconnectAsync()
    {
        try
        {
            while (true)
            {
                await _reconnectPipeline.ExecuteAsync(
                    async token =>
                    {
                        MqttConnectionGeneration? current;
                        lock (_gate)
                        {
                            // Losses from here on are this attempt's to see; one after the loop ends starts it again.
                            _reconnectRequested = false;
                            _pendingReconnectDelay = null;
                            current = _current is { IsAlive: true } alive ? alive : null;
                        }

                        if (current is null)
                        {
                            current = (await ConnectSessionAsync(token).ConfigureAwait(false)).Generation;
                        }

                        await WaitHealthyAsync(current, token).ConfigureAwait(false);
                    },
                    _lifetime.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (!_reconnectRequested || _stopping)
                    {
                        _reconnectRunning = false;
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            lock (_gate)
            {
                _reconnectRunning = false;
                _pendingReconnectDelay = null;
            }
        }
    }

    private async Task WaitBackgroundAsync()
    {
        foreach (Task? task in new[] { _reconnectTask, _pumpTask, _senderTask })
        {
            if (task is null)
            {
                continue;
            }

            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _current is { IsAlive: true } ? Task.CompletedTask : _connectedSignal.Task.WaitAsync(cancellationToken);
        }
    }
}

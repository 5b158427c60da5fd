using System.Buffers;
using CloudMining.Farm.Mqtt.Adapter;
using CloudMining.Farm.Mqtt.Channel;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Packets;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Connection life cycle: handshake, reader/writer/keep-alive loops, teardown and reconnect.</summary>
public sealed partial class MqttClient
{
    // One execution of this pipeline lasts until a connection proved healthy (ReconnectHealthyAfter): a connection
    // that dies sooner is a failed attempt, so the backoff keeps growing instead of restarting at zero each time.
    private ResiliencePipeline BuildReconnectPipeline() =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // Reconnecting never gives up: an agent must outlive any broker outage.
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    MqttReconnectBackoff.Delay(args.AttemptNumber, options.ReconnectMinDelay, options.ReconnectMaxDelay, Random.Shared.NextDouble())),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                OnRetry = args =>
                {
                    lock (gate)
                    {
                        pendingReconnectDelay = args.RetryDelay;
                    }

                    if (connectionLog.TryAcquire(out long heldBack))
                    {
                        logger.LogWarning(
                            "Reconnect attempt {Attempt} to {Endpoint} failed: {Reason}; next try in {Delay} ({HeldBack} connection log lines held back)",
                            args.AttemptNumber + 1,
                            endpoint,
                            BoundedText.Echo(args.Outcome.Exception?.Message, 500),
                            args.RetryDelay,
                            heldBack);
                    }

                    return default;
                },
            })
            .Build();

    /// <summary>Returns once <paramref name="s"/> stayed up for ReconnectHealthyAfter; throws when it ended sooner.</summary>
    private async Task WaitHealthyAsync(MqttClientSession? s, CancellationToken cancellationToken)
    {
        if (s is null)
        {
            throw new MqttCommunicationException($"The connection to {endpoint} ended right after CONNACK.");
        }

        TimeSpan remaining = options.ReconnectHealthyAfter - time.GetElapsedTime(s.ConnectedTimestamp);
        bool lived = remaining <= TimeSpan.Zero;
        if (!lived)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delay = Task.Delay(remaining, time, wait.Token);
            Task first = await Task.WhenAny(s.Closed.Task, delay).ConfigureAwait(false);

            // Decided by what happened first: a session that outlived the wait was healthy even if it ends a moment later
            // (that loss then starts a fresh backoff, its first try immediate).
            lived = first == delay && delay.IsCompletedSuccessfully;

            // Cancelled so no timer lingers on the clock after the session ended.
            await wait.CancelAsync().ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!lived && s.Closed.Task.IsCompleted && !stopping)
        {
            throw new MqttCommunicationException(
                $"The connection to {endpoint} ended {time.GetElapsedTime(s.ConnectedTimestamp).TotalSeconds:0.###} s after CONNACK, before it counted as healthy ({options.ReconnectHealthyAfter}).");
        }
    }

    private async Task<MqttClientConnectResult> ConnectSessionAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        Stream stream;
        try
        {
            stream = await MqttTcpChannel.ConnectAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MqttCommunicationException($"Connecting to {endpoint} took longer than {options.Timeout}.", ex);
        }

        var adapter = new MqttChannelAdapter(stream, options.MaxPacketSize);
        MqttConnAckPacket connAck;
        try
        {
            // Not a conditional expression: a null byte[] converts implicitly to an EMPTY ReadOnlyMemory, i.e. "a password".
            ReadOnlyMemory<byte>? password = null;
            if (options.Password is not null)
            {
                password = System.Text.Encoding.UTF8.GetBytes(options.Password);
            }

            byte[] connect = MqttPacketEncoder.ToArray(new MqttConnectPacket
            {
                ClientId = options.ClientId,
                Username = options.Username,
                Password = password,
                CleanSession = options.CleanSession,
                KeepAliveSeconds = (ushort)options.KeepAlivePeriod.TotalSeconds,
                WillTopic = options.WillMessage?.Topic,
                WillPayload = options.WillMessage?.Payload ?? default,
                WillQos = options.WillMessage?.Qos ?? MqttQualityOfServiceLevel.AtMostOnce,
                WillRetain = options.WillMessage?.Retain ?? false,
            });
            await adapter.SendAsync(connect, timeout.Token).ConfigureAwait(false);
            MqttPacket? reply = await adapter.ReceivePacketAsync(timeout.Token).ConfigureAwait(false);
            connAck = reply switch
            {
                MqttConnAckPacket ack => ack,
                null => throw new MqttCommunicationException($"{endpoint} closed the connection before CONNACK (is it an MQTT broker? does it need TLS?)."),
                _ => throw new MqttProtocolException($"{endpoint} answered CONNECT with {reply.Type} instead of CONNACK."),
            };
        }
        catch (Exception ex)
        {
            await adapter.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new MqttCommunicationException($"No CONNACK from {endpoint} within {options.Timeout}.", ex);
            }

            if (ex is IOException)
            {
                throw new MqttCommunicationException($"Connection to {endpoint} broke during CONNECT: {ex.Message}", ex);
            }

            throw;
        }

        if (connAck.ReturnCode != MqttConnectReturnCode.Accepted)
        {
            await adapter.DisposeAsync().ConfigureAwait(false);
            throw new MqttConnectException(connAck.ReturnCode, endpoint, options.Username);
        }

        var fresh = new MqttClientSession(adapter, time);
        bool first;
        int resent;
        lock (gate)
        {
            outbox.ResetWrittenCount();
            sending.ResetWrittenCount();
            resent = 0;
            foreach (MqttInflightMessage entry in inflight.Values.OrderBy(e => e.Order))
            {
                // MQTT 4.4: unacknowledged PUBLISH packets are re-sent with the same identifier and DUP set.
                MqttPacketEncoder.EncodePublish(entry.Message.Topic, entry.Message.Payload.Span, MqttQualityOfServiceLevel.AtLeastOnce, entry.Message.Retain, entry.Sent, entry.PacketIdentifier, outbox);
                resent += entry.Sent ? 1 : 0;
                entry.Sent = true;
            }

            if (subscriptions.Count > 0 && !connAck.SessionPresent)
            {
                MqttPacketEncoder.Encode(new MqttSubscribePacket(NextPacketId(), subscriptions.ToList()), outbox);
            }

            first = session is null && ReconnectCount == 0 && !everConnected;
            everConnected = true;
            session = fresh;
            if (!first)
            {
                ReconnectCount++;
            }
        }

        _ = Task.Run(() => WriteLoopAsync(fresh), CancellationToken.None);
        _ = Task.Run(() => ReadLoopAsync(fresh), CancellationToken.None);
        _ = Task.Run(() => KeepAliveLoopAsync(fresh), CancellationToken.None);
        wakeWriter.Writer.TryWrite(true);
        if (logger.IsEnabled(LogLevel.Information) && connectionLog.TryAcquire(out long heldBack))
        {
            logger.LogInformation(
            "Connected to {Endpoint} as {ClientId} (session present: {SessionPresent}, re-sent with DUP: {Resent}, {HeldBack} connection log lines held back)",
            endpoint,
            options.ClientId,
            connAck.SessionPresent,
            resent,
            heldBack);
        }
        var result = new MqttClientConnectResult(connAck.SessionPresent);
        TaskCompletionSource signal;
        lock (gate)
        {
            signal = connectedSignal;
        }

        signal.TrySetResult();
        if (ConnectedAsync is { } handler)
        {
            await handler(result).ConfigureAwait(false);
        }

        return result;
    }

    private bool everConnected;
    private bool reconnectRequested;
    private bool reconnectRunning;

    /// <summary>Closes a session exactly once; a null reason means the application asked for it.</summary>
    private async Task TearDownAsync(MqttClientSession s, Exception? reason)
    {
        if (!s.TryMarkFailed())
        {
            return;
        }

        await s.Cancellation.CancelAsync().ConfigureAwait(false);
        await s.Adapter.DisposeAsync().ConfigureAwait(false);
        s.Closed.TrySetResult();
        bool willReconnect = reason is not null && options.AutoReconnect && !stopping;
        List<TaskCompletionSource<MqttPacket>> waiting;
        List<MqttInflightMessage> failed = [];
        lock (gate)
        {
            if (ReferenceEquals(session, s))
            {
                session = null;
            }

            drained.TrySetResult();
            drained = NewSignal();
            if (connectedSignal.Task.IsCompleted)
            {
                connectedSignal = NewSignal();
            }

            waiting = [.. requests.Values];
            if (!willReconnect && offlineQueue is null)
            {
                failed.AddRange(inflight.Values);
                failed.AddRange(waitingForWindow);
                inflight.Clear();
                waitingForWindow.Clear();
            }
        }

        var lost = new MqttClientDisconnectedException($"Connection to {endpoint} ended: {reason?.Message ?? "closed by the application"}.", reason ?? new OperationCanceledException());
        foreach (TaskCompletionSource<MqttPacket> waiter in waiting)
        {
            waiter.TrySetException(lost);
        }

        foreach (MqttInflightMessage entry in failed)
        {
            entry.Completion.TrySetException(lost);
        }

        if (reason is not null && connectionLog.TryAcquire(out long heldBack))
        {
            logger.LogWarning(
                "Lost connection to {Endpoint}: {Reason} (reconnecting: {WillReconnect}; {HeldBack} connection log lines held back)",
                endpoint,
                BoundedText.Echo(reason.Message, 500),
                willReconnect,
                heldBack);
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
                logger.LogError(ex, "Disconnected handler failed");
            }
        }

        if (willReconnect)
        {
            StartReconnectLoop();
        }
    }

    private void StartReconnectLoop()
    {
        lock (gate)
        {
            if (stopping)
            {
                return;
            }

            // A request while the loop runs is remembered, so a session that dies just as the loop finishes is not
            // left without a reconnect.
            reconnectRequested = true;
            if (reconnectRunning)
            {
                return;
            }

            reconnectRunning = true;
            reconnectTask = Task.Run(ReconnectAsync, CancellationToken.None);
        }
    }

    private async Task ReconnectAsync()
    {
        try
        {
            while (true)
            {
                await reconnectPipeline.ExecuteAsync(
                    async token =>
                    {
                        MqttClientSession? current;
                        lock (gate)
                        {
                            // Losses from here on are this attempt's to see; one after the loop ends starts it again.
                            reconnectRequested = false;
                            pendingReconnectDelay = null;
                            current = session is { IsAlive: true } alive ? alive : null;
                        }

                        if (current is null)
                        {
                            await ConnectSessionAsync(token).ConfigureAwait(false);
                            lock (gate)
                            {
                                current = session;
                            }
                        }

                        await WaitHealthyAsync(current, token).ConfigureAwait(false);
                    },
                    lifetime.Token).ConfigureAwait(false);
                lock (gate)
                {
                    if (!reconnectRequested || stopping)
                    {
                        reconnectRunning = false;
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            lock (gate)
            {
                reconnectRunning = false;
                pendingReconnectDelay = null;
            }
        }
    }

    private async Task WaitBackgroundAsync()
    {
        foreach (Task? task in new[] { reconnectTask, pumpTask })
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
        lock (gate)
        {
            return session is { IsAlive: true } ? Task.CompletedTask : connectedSignal.Task.WaitAsync(cancellationToken);
        }
    }
}

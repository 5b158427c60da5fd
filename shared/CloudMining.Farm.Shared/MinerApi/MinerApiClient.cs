using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>
/// One TCP conversation per command with a miner's cgminer-style API: connect, send the request, read until the miner
/// closes the connection (cgminer closes after its reply), within a byte cap and a deadline. Failures surface as
/// <see cref="MinerApiException"/> carrying Unreachable, Timeout, ReplyTooLarge or MalformedReply.
/// </summary>
public sealed class MinerApiClient
{
    private readonly MinerApiClientOptions _options;

    public MinerApiClient(MinerApiClientOptions? options = null)
    {
        _options = options ?? new MinerApiClientOptions();
        if (_options.ConnectTimeout <= TimeSpan.Zero || _options.ReadTimeout <= TimeSpan.Zero || _options.MaxReplyBytes <= 0)
        {
            throw new ArgumentException("MinerApiClientOptions needs a positive ConnectTimeout, ReadTimeout and MaxReplyBytes.", nameof(options));
        }
    }

    public MinerApiClientOptions Options => _options;

    /// <summary>Sends a command (or "a+b+c" multi-command) and parses the reply; per-command errors are in the results.</summary>
    public async Task<ApiReplySet> SendAsync(MinerEndpoint endpoint, string command, string? parameter = null, bool plainText = false, CancellationToken cancellationToken = default)
    {
        byte[] raw = await SendRawAsync(endpoint, command, parameter, plainText, cancellationToken);
        return ReplyParser.Parse(raw, command);
    }

    /// <summary>Sends one command and returns its reply, throwing <see cref="MinerApiException"/> for any failure including STATUS E.</summary>
    public async Task<ApiReplySet> ExecuteAsync(MinerEndpoint endpoint, string command, string? parameter = null, bool plainText = false, CancellationToken cancellationToken = default)
    {
        ApiReplySet set = await SendAsync(endpoint, command, parameter, plainText, cancellationToken);
        foreach (ApiReplyResult result in set.Results)
        {
            if (!result.IsSuccess)
            {
                set.Dispose();
                throw new MinerApiException(Where(result.Error, endpoint));
            }
        }

        return set;
    }

    /// <summary>The request bytes: JSON <c>{"command":"x","parameter":"y"}</c>, or cgminer's plain-text <c>x|y</c>.</summary>
    public static byte[] FormatRequest(string command, string? parameter, bool plainText)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        if (plainText)
        {
            return Encoding.UTF8.GetBytes(parameter is null ? command : command + "|" + parameter);
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("command", command);
            if (parameter is not null)
            {
                writer.WriteString("parameter", parameter);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sends the request and returns the raw reply bytes.</summary>
    public async Task<byte[]> SendRawAsync(MinerEndpoint endpoint, string command, string? parameter = null, bool plainText = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        byte[] request = FormatRequest(command, parameter, plainText);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(_options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, connectTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Fail(MinerApiErrorKind.Timeout, endpoint, command,
                    $"No TCP connection to {endpoint} within {_options.ConnectTimeout.TotalSeconds:0.#} s. Check that the miner is powered and on the network, and that nothing filters port {endpoint.Port}.");
            }
            catch (SocketException ex)
            {
                throw Fail(MinerApiErrorKind.Unreachable, endpoint, command,
                    $"Could not connect to {endpoint} ({ex.SocketErrorCode}: {ex.Message}). Check the address, that the miner is powered, and that its API is enabled on port {endpoint.Port}.", ex);
            }
        }

        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        readTimeout.CancelAfter(_options.ReadTimeout);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_options.MaxReplyBytes + 1, 16 * 1024));
        int length = 0;
        try
        {
            await socket.SendAsync(request, SocketFlags.None, readTimeout.Token);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > _options.MaxReplyBytes)
                    {
                        break;
                    }

                    byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxReplyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, readTimeout.Token);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > _options.MaxReplyBytes)
                {
                    throw Fail(MinerApiErrorKind.ReplyTooLarge, endpoint, command,
                        $"The reply from {endpoint} to '{command}' passed the {_options.MaxReplyBytes} byte cap. Raise MaxReplyBytes if the firmware really sends that much, or check that {endpoint.Port} is the miner's API port.");
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(MinerApiErrorKind.Timeout, endpoint, command,
                $"{endpoint} accepted the connection but sent {(length == 0 ? "nothing" : $"only {length} bytes and did not close the connection")} within {_options.ReadTimeout.TotalSeconds:0.#} s for '{command}'. The miner may be hung or overloaded; the watchdog will retry.");
        }
        catch (SocketException ex)
        {
            throw Fail(MinerApiErrorKind.Unreachable, endpoint, command,
                $"The connection to {endpoint} broke during '{command}' after {length} bytes ({ex.SocketErrorCode}). The miner may have restarted; check its power and network.", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static MinerApiException Fail(MinerApiErrorKind kind, MinerEndpoint endpoint, string command, string message, Exception? inner = null) =>
        new(new MinerApiError(kind, message) { Command = command }, inner);

    private static MinerApiError Where(MinerApiError error, MinerEndpoint endpoint) =>
        error.Message.Contains(endpoint.ToString(), StringComparison.Ordinal) ? error : error with { Message = $"{endpoint}: {error.Message}" };
}
